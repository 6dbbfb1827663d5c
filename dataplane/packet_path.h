// The per-packet work of a worker: encapsulate what the host sends on the
// EID port (lmn0), decapsulate LISP arriving on the RLOC port. Each call
// handles one mbuf in place (outer headers go into its headroom), never
// allocates, locks, logs or waits, and says where the packet goes.
#pragma once

#include <rte_ether.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <cstdint>

#include "dataplane/api/encapsulation.h"
#include "dataplane/api/punt.h"
#include "dataplane/counters.h"
#include "dataplane/local_state.h"
#include "dataplane/map_cache.h"

namespace lispmob::dataplane {

enum class Verdict : uint8_t {
  kToRlocPort,  // encapsulated (or natively forwarded) towards the network
  kToEidPort,   // decapsulated, for the host's stack via lmn0 (or a LAN host)
  kToKernel,    // for the kernel twin of the port it came from
  kDrop,        // counted; the caller frees the mbuf
  kConsumed,    // replaced by the packets it added to PathContext::extra (fragments)
};

// Outer header sizes, for headroom checks and tests.
inline constexpr uint16_t kOuterV4Size = RTE_ETHER_HDR_LEN + kEncapOverheadV4;
inline constexpr uint16_t kOuterV6Size = RTE_ETHER_HDR_LEN + kEncapOverheadV6;
// Packets fragmentation may add in one burst, beyond the burst itself.
inline constexpr uint16_t kMaxExtraPackets = 128;
// ICMP errors a worker sends at most per refill interval (1 ms: 10k/s).
inline constexpr uint32_t kIcmpBurst = 10;

// One per worker lcore; nothing in it is shared.
struct PathContext {
  const MapCache* cache = nullptr;
  const LocalState* local = nullptr;  // the snapshot for this burst
  LcoreCounters* counters = nullptr;
  UsedBits* used = nullptr;            // this worker's marks of the entries it used; null: none
  rte_ring* punt_ring = nullptr;       // MP/SC ring of PuntRecord; null: no punting
  PuntSignal* punt_signal = nullptr;   // wakes the control thread; null: it polls
  uint64_t now_tsc = 0;                // set once per burst
  uint64_t punt_interval_tsc = 0;      // a destination is punted at most once per interval
  uint32_t random_state = 0x9e3779b9;  // xorshift state for nonces
  uint16_t ip_id = 0;
  // Recently punted destinations, by hash: (key, tsc).
  std::array<std::pair<uint32_t, uint64_t>, 1024> recent_punts{};
  // Fragmentation of IPv4 packets without DF: fragment headers come from the
  // direct pool, the payloads stay in the original mbuf through indirect
  // ones. Null: too-big packets without DF are dropped and counted.
  rte_mempool* direct_pool = nullptr;
  rte_mempool* indirect_pool = nullptr;
  // Packets made in this burst (encapsulated fragments), for the RLOC ports;
  // the caller sends them and resets the count.
  uint16_t extra_count = 0;
  std::array<rte_mbuf*, kMaxExtraPackets> extra{};
  // Reassembly of IPv4 fragments to our RLOCs (LISP data that a router on
  // the way fragmented, control messages): a bounded table per worker
  // (rte_ip_frag, LRU with a timeout); what it refuses or lets lapse goes to
  // the death row, counted and freed each pass. Null: fragments are dropped.
  rte_ip_frag_tbl* reassembly = nullptr;
  rte_ip_frag_death_row* death_row = nullptr;
  // Rate limit of the ICMP errors sent to the host: kIcmpBurst per interval.
  uint32_t icmp_tokens = kIcmpBurst;
  uint64_t icmp_refill_tsc = 0;
  uint64_t icmp_interval_tsc = 0;
};

inline constexpr uint16_t kMaxBurst = 64;

// Encapsulates a burst (at most kMaxBurst) in stages, l3fwd style: parse
// every packet, look every destination up (entries prefetched), then build
// the outer headers. verdicts[i] says where packets[i] goes.
void encapsulate_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts, PathContext& context);
// One packet: a burst of one.
Verdict encapsulate(rte_mbuf* packet, PathContext& context);
// A site gateway's LAN port: the hosts' frames. Unicast IP to the
// gateway's MAC for beyond the site is routed (one hop less) and
// encapsulated as above; what the kernel answers (ARP/ND, broadcasts, the
// gateway's own addresses, the site's own prefixes, TTL expiring) is
// kToKernel, for the LAN twin; a frame for another host's MAC that a
// switch flooded here is dropped.
void from_lan_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts, PathContext& context);
// `packet` may be replaced: a fragment that completes a packet becomes the
// reassembled packet; one held for reassembly (or refused) is kConsumed.
Verdict decapsulate(rte_mbuf*& packet, PathContext& context);
// A burst of LISP arrivals, as decapsulate() one by one (packets[i] may be
// replaced likewise), with the next packet's headers prefetched.
void decapsulate_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts, PathContext& context);
// Frees what reassembly refused or let lapse; once per pass of the loop.
void maintain_reassembly(PathContext& context);

// The inner flow hash the locator choice and outer source port use: the same
// 5-tuple always gives the same value (exposed for tests).
uint32_t flow_hash(const uint8_t* ip_header, uint32_t length);

}  // namespace lispmob::dataplane
