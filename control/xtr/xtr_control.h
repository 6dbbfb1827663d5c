// The MN/xTR control plane in one place: registration (Registrar), the ITR's
// resolution and the receiving end of SMR (Resolver), the sending end of
// SMR (Solicitor), and the ETR's answers (EtrResponder). handle() decodes a
// received control message once and gives it to the role it is for;
// set_local() takes our mapping whenever the RLOCs may have changed, and a
// change re-registers and starts a round of SMRs at the next poll().
// Still without I/O or clock, so one test can wire two of these and a
// MapServer together with a fake network.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "control/messages.h"
#include "control/xtr/etr.h"
#include "control/xtr/registrar.h"
#include "control/xtr/resolver.h"
#include "control/xtr/solicitor.h"

namespace lispmob::control {

struct XtrControlCounters {
  uint64_t malformed = 0;
  uint64_t ignored = 0;  // well-formed, but no role of ours takes it
};

class XtrControl {
 public:
  struct Options {
    Registrar::Options registrar;
    Resolver::Options resolver;
    Solicitor::Options solicitor;
    EtrResponder::Options etr;
    friend bool operator==(const Options&, const Options&) = default;
  };
  using Random = std::function<uint64_t()>;

  XtrControl(std::vector<Registrar::Server> map_servers, std::vector<net::IpAddress> map_resolvers,
             Options options, Random random, MapCacheWriter& cache);

  // Our mapping now: each database-mapping with the current RLOCs.
  void set_local(std::vector<lisp::MappingRecord> records,
                 const std::vector<net::IpAddress>& unregistered_rlocs = {});
  std::vector<Outgoing> handle(std::span<const uint8_t> bytes, const Endpoint& source,
                               TimePoint now);
  // A destination the data plane missed.
  std::vector<Outgoing> miss(uint32_t instance_id, const net::IpAddress& eid, TimePoint now);
  // Whatever is due: registers, retransmissions, refreshes, SMRs.
  std::vector<Outgoing> poll(TimePoint now);
  // When poll() next has something to do; nullopt: nothing until an event.
  std::optional<TimePoint> next_due() const;

  Registrar& registrar() { return registrar_; }
  const Registrar& registrar() const { return registrar_; }
  Resolver& resolver() { return resolver_; }
  const Resolver& resolver() const { return resolver_; }
  Solicitor& solicitor() { return solicitor_; }
  const Solicitor& solicitor() const { return solicitor_; }
  const EtrResponder& etr() const { return etr_; }
  const XtrControlCounters& counters() const { return counters_; }
  const LocalIdentity& identity() const { return local_->identity; }

 private:
  std::vector<Outgoing> handle_request(const lisp::MapRequest& request, uint16_t reply_port,
                                       const Endpoint& source, TimePoint now);

  Registrar registrar_;
  Resolver resolver_;
  Solicitor solicitor_;
  EtrResponder etr_;
  LocalSnapshotPtr local_ = LocalSnapshot::empty();
  bool solicit_pending_ = false;
  // A round of SMRs started: the next Map-Notify confirms the new locators.
  bool awaiting_notify_ = false;
  XtrControlCounters counters_;
};

}  // namespace lispmob::control
