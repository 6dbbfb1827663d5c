// Who we are, as every MN/xTR role sees it: the records we register and
// answer with (each database-mapping with its current locators) and the
// identity they give (our EID-prefixes and RLOCs, as Map-Requests and SMRs
// carry them). XtrControl derives one per change of our locators and the
// registrar, the resolver and the ETR share it: it is immutable, so none
// of them keeps a copy of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "common/lisp/message.h"
#include "common/net/ip_address.h"

namespace lispmob::control {

struct LocalIdentity {
  std::vector<std::pair<uint32_t, net::IpPrefix>> eids;  // our EID-prefixes
  std::vector<net::IpAddress> rlocs;                     // our RLOCs (ITR-RLOCs)
  friend bool operator==(const LocalIdentity&, const LocalIdentity&) = default;
};

struct LocalSnapshot {
  std::vector<lisp::MappingRecord> records;
  LocalIdentity identity;  // what the records give

  // The snapshot of `records`, their identity derived once; `more_rlocs`
  // (a proxy's, which no record carries) join the identity's RLOCs.
  static std::shared_ptr<const LocalSnapshot> of(
      std::vector<lisp::MappingRecord> records, const std::vector<net::IpAddress>& more_rlocs = {});
  // One with an identity and no records (a resolver's tests).
  static std::shared_ptr<const LocalSnapshot> of(LocalIdentity identity);
  // Before the first: nothing.
  static const std::shared_ptr<const LocalSnapshot>& empty();
};
using LocalSnapshotPtr = std::shared_ptr<const LocalSnapshot>;

}  // namespace lispmob::control
