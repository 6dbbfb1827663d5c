#include "dataplane/api/local_state.h"

#include <algorithm>

namespace lispmob::dataplane {

bool LocalState::is_local_eid(const uint8_t* address, bool ipv6) const {
  for (unsigned i = 0; i < local_eid_count; ++i) {
    const net::IpPrefix& prefix = local_eids[i];
    if (prefix.address.is_v6() != ipv6) continue;
    const unsigned full_bytes = prefix.length / 8;
    const auto bytes = prefix.address.bytes();
    bool match = std::equal(bytes.begin(), bytes.begin() + full_bytes, address);
    if (match && prefix.length % 8) {
      const uint8_t mask = static_cast<uint8_t>(0xff00u >> (prefix.length % 8));
      match = (address[full_bytes] & mask) == bytes[full_bytes];
    }
    if (match) return true;
  }
  return false;
}

bool LocalState::is_lan_address(const uint8_t* address, bool ipv6) const {
  for (unsigned i = 0; i < lan_address_count; ++i) {
    const auto bytes = lan_addresses[i].bytes();
    if (lan_addresses[i].is_v6() == ipv6 && std::equal(bytes.begin(), bytes.end(), address)) {
      return true;
    }
  }
  return false;
}

}  // namespace lispmob::dataplane
