#include "dataplane/api/local_state.h"

#include <algorithm>

namespace lispmob::dataplane {

namespace {

bool prefix_holds(const net::IpPrefix& prefix, const uint8_t* address, bool ipv6) {
  if (prefix.address.is_v6() != ipv6) return false;
  const unsigned full_bytes = prefix.length / 8;
  const auto bytes = prefix.address.bytes();
  if (!std::equal(bytes.begin(), bytes.begin() + full_bytes, address)) return false;
  if (prefix.length % 8 == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff00u >> (prefix.length % 8));
  return (address[full_bytes] & mask) == bytes[full_bytes];
}

template <size_t N>
bool any_holds(const std::array<net::IpPrefix, N>& prefixes, unsigned count, const uint8_t* address,
               bool ipv6) {
  for (unsigned i = 0; i < count && i < N; ++i) {
    if (prefix_holds(prefixes[i], address, ipv6)) return true;
  }
  return false;
}

}  // namespace

bool LocalState::is_local_eid(const uint8_t* address, bool ipv6) const {
  return any_holds(local_eids, local_eid_count, address, ipv6);
}

bool LocalState::serves_source(const uint8_t* source, bool ipv6) const {
  return served_source_count == 0 || any_holds(served_sources, served_source_count, source, ipv6);
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
