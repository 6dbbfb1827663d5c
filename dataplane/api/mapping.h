// The plane contract (no DPDK): a mapping as the control plane hands it to
// the data plane's map-cache (RFC 9301 §5.4's EID-prefix, action and
// locators, in the data plane's terms).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/net/ip_address.h"

namespace lispmob::dataplane {

inline constexpr unsigned kMaxLocators = 8;

// What the fast path does with a packet that matches an entry.
enum class MapAction : uint8_t {
  kEncapsulate,      // positive mapping: to one of the locators
  kDrop,             // negative: Drop (ACT 3, 4, 5)
  kNativelyForward,  // negative: Natively-Forward (ACT 1)
  kSendMapRequest,   // negative: Send-Map-Request (ACT 2, or ACT 0 with no locator)
};

// A locator as the control thread hands it over.
struct MappingLocator {
  net::IpAddress rloc;
  uint8_t priority = 1;  // 255: not for unicast
  uint8_t weight = 100;
  bool reachable = true;
  // The path MTU to this RLOC learned from ICMP (RFC 9300 §7.2); 0: the
  // egress link's.
  uint16_t path_mtu = 0;
  friend bool operator==(const MappingLocator&, const MappingLocator&) = default;
};

struct Mapping {
  uint32_t instance_id = 0;
  net::IpPrefix prefix;
  MapAction action = MapAction::kEncapsulate;
  std::vector<MappingLocator> locators;  // at most kMaxLocators
  friend bool operator==(const Mapping&, const Mapping&) = default;
};

// An RLOC in the fast path's form: the address bytes, its family, and the
// path MTU to it (0: the egress link's MTU applies).
struct RlocAddress {
  std::array<uint8_t, 16> address;
  bool ipv6;
  uint16_t path_mtu;
  friend bool operator==(const RlocAddress&, const RlocAddress&) = default;
};

}  // namespace lispmob::dataplane
