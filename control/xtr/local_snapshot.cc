#include "control/xtr/local_snapshot.h"

#include <algorithm>

#include "control/messages.h"

namespace lispmob::control {

std::shared_ptr<const LocalSnapshot> LocalSnapshot::of(
    std::vector<lisp::MappingRecord> records, const std::vector<net::IpAddress>& more_rlocs) {
  LocalIdentity identity;
  auto add_rloc = [&](const net::IpAddress& rloc) {
    if (std::find(identity.rlocs.begin(), identity.rlocs.end(), rloc) == identity.rlocs.end()) {
      identity.rlocs.push_back(rloc);
    }
  };
  for (const auto& record : records) {
    if (auto eid = eid_prefix_of(record.eid, record.eid_mask_len)) identity.eids.push_back(*eid);
    for (const auto& locator : record.locators) {
      if (const auto* ip = locator.address.ip()) add_rloc(*ip);
    }
  }
  for (const auto& rloc : more_rlocs) add_rloc(rloc);
  return std::make_shared<const LocalSnapshot>(
      LocalSnapshot{std::move(records), std::move(identity)});
}

std::shared_ptr<const LocalSnapshot> LocalSnapshot::of(LocalIdentity identity) {
  return std::make_shared<const LocalSnapshot>(LocalSnapshot{{}, std::move(identity)});
}

const std::shared_ptr<const LocalSnapshot>& LocalSnapshot::empty() {
  static const auto nothing = std::make_shared<const LocalSnapshot>();
  return nothing;
}

}  // namespace lispmob::control
