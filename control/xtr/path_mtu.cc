#include "control/xtr/path_mtu.h"

namespace lispmob::control {

bool PathMtuTable::report(const net::IpAddress& rloc, uint32_t mtu, TimePoint now) {
  const uint32_t floor = rloc.is_v4() ? kFloorV4 : kFloorV6;
  if (mtu < floor || mtu > 0xffff) {
    counters_.ignored++;
    return false;
  }
  auto found = entries_.find(rloc);
  if (found != entries_.end()) {
    if (mtu >= found->second.mtu) {
      counters_.ignored++;
      return false;
    }
    found->second = {static_cast<uint16_t>(mtu), now + options_.lifetime};
    counters_.learned++;
    return true;
  }
  if (entries_.size() >= options_.max_entries) {
    counters_.table_full++;
    return false;
  }
  entries_.emplace(rloc, Entry{static_cast<uint16_t>(mtu), now + options_.lifetime});
  counters_.learned++;
  return true;
}

std::optional<uint16_t> PathMtuTable::mtu(const net::IpAddress& rloc) const {
  auto found = entries_.find(rloc);
  if (found == entries_.end()) return std::nullopt;
  return found->second.mtu;
}

std::vector<net::IpAddress> PathMtuTable::expire(TimePoint now) {
  std::vector<net::IpAddress> lapsed;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now >= it->second.expires) {
      lapsed.push_back(it->first);
      counters_.expired++;
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return lapsed;
}

}  // namespace lispmob::control
