#include "dataplane/api/local_state.h"

#include <algorithm>
#include <cstring>

namespace lispmob::dataplane {

namespace {

// Whole-word compares under a mask made from the length: this runs for
// every decapsulated packet (its inner destination against the local
// EIDs), where a byte compare of a variable length became a memcmp call.
uint64_t load_be64(const uint8_t* bytes) {
  uint64_t value;
  std::memcpy(&value, bytes, 8);
  return __builtin_bswap64(value);
}
uint64_t mask64(unsigned bits) { return bits == 0 ? 0 : bits >= 64 ? ~0ull : ~0ull << (64 - bits); }

bool prefix_holds(const net::IpPrefix& prefix, const uint8_t* address, bool ipv6) {
  if (prefix.address.is_v6() != ipv6) return false;
  const uint8_t* network = prefix.address.bytes().data();
  if (!ipv6) {
    uint32_t a, n;
    std::memcpy(&a, address, 4);
    std::memcpy(&n, network, 4);
    const uint32_t mask = prefix.length == 0 ? 0 : ~0u << (32 - prefix.length);
    return ((__builtin_bswap32(a) ^ __builtin_bswap32(n)) & mask) == 0;
  }
  const unsigned length = prefix.length;
  return ((load_be64(address) ^ load_be64(network)) & mask64(length)) == 0 &&
         ((load_be64(address + 8) ^ load_be64(network + 8)) &
          mask64(length > 64 ? length - 64 : 0)) == 0;
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
