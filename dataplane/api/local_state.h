// The plane contract (no DPDK): what the workers need to know about this
// node, besides the map-cache: its RLOCs, its EIDs, next-hop MACs, the
// egress MTUs, the Proxy-ETR. The control thread builds a new immutable
// snapshot on any change (an RLOC change on handover swaps them all at
// once) and publishes it to the data plane.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "common/net/ip_address.h"
#include "dataplane/api/adjacency.h"
#include "dataplane/api/mapping.h"

namespace lispmob::dataplane {

inline constexpr unsigned kMaxLocalEids = 8;

inline constexpr unsigned kMaxRlocLinks = 4;

struct LocalState {
  // Source addresses of encapsulated packets, one per family: those of the
  // egress link of that family.
  bool has_rloc4 = false;
  bool has_rloc6 = false;
  std::array<uint8_t, 4> rloc4{};
  std::array<uint8_t, 16> rloc6{};
  // RLOC-port MACs: ours and the next hop's per outer family (the adjacency).
  MacAddress rloc_port_mac4{};  // the egress link's port, per outer family
  MacAddress rloc_port_mac6{};
  MacAddress next_hop_mac4{};
  MacAddress next_hop_mac6{};
  // Multihoming: the link (WorkerConfig::rloc_ports index) each outer family
  // leaves by, and every link's RLOCs (LISP data to any of them is ours).
  uint8_t egress_link4 = 0;
  uint8_t egress_link6 = 0;
  // The largest outer IP packet each egress link carries (its MTU); 0: not
  // known, nothing is checked. A locator's own path MTU may be lower.
  uint16_t egress_mtu4 = 0;
  uint16_t egress_mtu6 = 0;
  struct LinkRlocs {
    bool has_rloc4 = false;
    bool has_rloc6 = false;
    std::array<uint8_t, 4> rloc4{};
    std::array<uint8_t, 16> rloc6{};
    friend bool operator==(const LinkRlocs&, const LinkRlocs&) = default;
  };
  unsigned link_count = 0;  // beyond the egress RLOCs above, which always count
  std::array<LinkRlocs, kMaxRlocLinks> links{};
  // Make-before-break: RLOCs that left us a moment ago. Peers send to them
  // until they have our new mapping, and the routers still deliver them
  // here (their neighbour entries outlive the address), so LISP data to
  // them is still decapsulated for a while; nothing leaves from them.
  static constexpr unsigned kMaxRetiredRlocs = 4;
  unsigned retired_count = 0;
  std::array<LinkRlocs, kMaxRetiredRlocs> retired{};
  // EID port (lmn0): the host's MAC, and the one decapsulated frames come from.
  MacAddress eid_port_host_mac{};
  MacAddress eid_port_gateway_mac{};
  // A site gateway (an xTR with a LAN port as its EID side): decapsulated
  // packets go to the LAN host's MAC from the adjacencies, from the LAN
  // port's MAC, one hop less; a host with no adjacency yet is reached
  // through the kernel, which resolves it.
  bool lan = false;
  MacAddress lan_port_mac{};
  AdjacencyTable adjacencies;
  unsigned adjacencies_refused = 0;  // hosts left out: the table is full
  // The gateway's own addresses on the LAN twin (for the kernel, even
  // outside the site's EID-prefixes).
  static constexpr unsigned kMaxLanAddresses = 8;
  unsigned lan_address_count = 0;
  std::array<net::IpAddress, kMaxLanAddresses> lan_addresses{};
  // A Proxy-ETR decapsulates LISP data for any inner destination (the host
  // forwards it natively); any other node only for its own EIDs.
  bool decapsulate_any = false;
  // ...from these inner sources only, when any are given (the sites a
  // Proxy-ETR serves).
  static constexpr unsigned kMaxServedSources = 16;
  unsigned served_source_count = 0;
  std::array<net::IpPrefix, kMaxServedSources> served_sources{};
  // Instance-id of the local EIDs and of encapsulated traffic.
  uint32_t instance_id = 0;
  unsigned local_eid_count = 0;
  std::array<net::IpPrefix, kMaxLocalEids> local_eids{};
  // Where misses and Send-Map-Request entries go meanwhile (RFC 9301 §4.1
  // lets an ITR use a PETR); none: they are dropped.
  bool has_petr4 = false;
  bool has_petr6 = false;
  RlocAddress petr4{};
  RlocAddress petr6{};

  friend bool operator==(const LocalState&, const LocalState&) = default;

  bool is_local_eid(const uint8_t* address, bool ipv6) const;
  bool is_lan_address(const uint8_t* address, bool ipv6) const;
  // True if a Proxy-ETR serves `source`: no served sources configured, or
  // one of them holds it.
  bool serves_source(const uint8_t* source, bool ipv6) const;
  // True if `address` is one of our RLOCs (the egress one first: one compare
  // on a single-homed node).
  bool is_local_rloc4(const uint8_t* address) const {
    if (has_rloc4 && std::memcmp(address, rloc4.data(), 4) == 0) return true;
    for (unsigned i = 0; i < link_count; ++i) {
      if (links[i].has_rloc4 && std::memcmp(address, links[i].rloc4.data(), 4) == 0) return true;
    }
    for (unsigned i = 0; i < retired_count; ++i) {
      if (retired[i].has_rloc4 && std::memcmp(address, retired[i].rloc4.data(), 4) == 0) {
        return true;
      }
    }
    return false;
  }
  bool is_local_rloc6(const uint8_t* address) const {
    if (has_rloc6 && std::memcmp(address, rloc6.data(), 16) == 0) return true;
    for (unsigned i = 0; i < link_count; ++i) {
      if (links[i].has_rloc6 && std::memcmp(address, links[i].rloc6.data(), 16) == 0) return true;
    }
    for (unsigned i = 0; i < retired_count; ++i) {
      if (retired[i].has_rloc6 && std::memcmp(address, retired[i].rloc6.data(), 16) == 0) {
        return true;
      }
    }
    return false;
  }
};

}  // namespace lispmob::dataplane
