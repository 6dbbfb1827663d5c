// What the workers need to know about this node, besides the map-cache: its
// RLOCs, its EIDs, next-hop MACs, the Proxy-ETR. The control thread builds a
// new immutable snapshot on any change (an RLOC change on handover swaps
// them all at once) and publishes it with LocalStatePublisher.
#pragma once

#include <rte_ether.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>

#include "common/net/ip_address.h"
#include "dataplane/map_cache.h"

namespace lispmob::dataplane {

inline constexpr unsigned kMaxLocalEids = 8;

// Ethernet addresses compare by value (LocalState's change detection).
inline bool operator==(const rte_ether_addr& a, const rte_ether_addr& b) {
  return rte_is_same_ether_addr(&a, &b) != 0;
}
inline constexpr unsigned kMaxRlocLinks = 4;

struct LocalState {
  // Source addresses of encapsulated packets, one per family: those of the
  // egress link of that family.
  bool has_rloc4 = false;
  bool has_rloc6 = false;
  std::array<uint8_t, 4> rloc4{};
  std::array<uint8_t, 16> rloc6{};
  // RLOC-port MACs: ours and the next hop's per outer family (the adjacency).
  rte_ether_addr rloc_port_mac4{};  // the egress link's port, per outer family
  rte_ether_addr rloc_port_mac6{};
  rte_ether_addr next_hop_mac4{};
  rte_ether_addr next_hop_mac6{};
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
  // EID port (lmn0): the host's MAC, and the one decapsulated frames come from.
  rte_ether_addr eid_port_host_mac{};
  rte_ether_addr eid_port_gateway_mac{};
  // Instance-id of the local EIDs and of encapsulated traffic.
  uint32_t instance_id = 0;
  unsigned local_eid_count = 0;
  std::array<net::IpPrefix, kMaxLocalEids> local_eids{};
  // Where misses and Send-Map-Request entries go meanwhile (RFC 9301 §4.1
  // lets an ITR use a PETR); none: they are dropped.
  bool has_petr4 = false;
  bool has_petr6 = false;
  MapEntry::Locator petr4{};
  MapEntry::Locator petr6{};

  friend bool operator==(const LocalState&, const LocalState&) = default;

  bool is_local_eid(const uint8_t* address, bool ipv6) const;
  // True if `address` is one of our RLOCs (the egress one first: one compare
  // on a single-homed node).
  bool is_local_rloc4(const uint8_t* address) const {
    if (has_rloc4 && std::memcmp(address, rloc4.data(), 4) == 0) return true;
    for (unsigned i = 0; i < link_count; ++i) {
      if (links[i].has_rloc4 && std::memcmp(address, links[i].rloc4.data(), 4) == 0) return true;
    }
    return false;
  }
  bool is_local_rloc6(const uint8_t* address) const {
    if (has_rloc6 && std::memcmp(address, rloc6.data(), 16) == 0) return true;
    for (unsigned i = 0; i < link_count; ++i) {
      if (links[i].has_rloc6 && std::memcmp(address, links[i].rloc6.data(), 16) == 0) return true;
    }
    return false;
  }
};

// Publishes snapshots to the workers (RCU: the old one is freed after a
// grace period of the same QSBR variable the map-cache uses).
class LocalStatePublisher {
 public:
  explicit LocalStatePublisher(rte_rcu_qsbr* qsbr) : qsbr_(qsbr) {}
  ~LocalStatePublisher();
  void publish(const LocalState& state);
  // Frees retired snapshots no reader can hold; never waits.
  void maintain();
  const LocalState* current() const { return current_.load(std::memory_order_acquire); }

 private:
  rte_rcu_qsbr* qsbr_;
  std::atomic<const LocalState*> current_{nullptr};
  std::deque<std::pair<uint64_t, const LocalState*>> retired_;
};

}  // namespace lispmob::dataplane
