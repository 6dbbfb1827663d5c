// The per-packet work of a worker: encapsulate what the host sends on the
// EID port (lmn0), decapsulate LISP arriving on the RLOC port. Each call
// handles one mbuf in place (outer headers go into its headroom), never
// allocates, locks, logs or waits, and says where the packet goes.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <cstdint>

#include "dataplane/counters.h"
#include "dataplane/local_state.h"
#include "dataplane/map_cache.h"

namespace lispmob::dataplane {

enum class Verdict : uint8_t {
  kToRlocPort,  // encapsulated (or natively forwarded) towards the network
  kToEidPort,   // decapsulated, for the host's stack via lmn0
  kToKernel,    // not LISP data: for the kernel twin of the RLOC port
  kDrop,        // counted; the caller frees the mbuf
};

// What a worker punts to the control thread: a destination that missed.
struct PuntRecord {
  uint32_t instance_id;
  uint8_t ipv6;
  uint8_t reserved[3];
  uint8_t address[16];
};
static_assert(sizeof(PuntRecord) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

// Outer header sizes, for headroom checks and tests.
inline constexpr uint16_t kOuterV4Size = RTE_ETHER_HDR_LEN + 20 + 8 + 8;
inline constexpr uint16_t kOuterV6Size = RTE_ETHER_HDR_LEN + 40 + 8 + 8;

// One per worker lcore; nothing in it is shared.
struct PathContext {
  const MapCache* cache = nullptr;
  const LocalState* local = nullptr;  // the snapshot for this burst
  LcoreCounters* counters = nullptr;
  rte_ring* punt_ring = nullptr;       // MP/SC ring of PuntRecord; null: no punting
  uint64_t now_tsc = 0;                // set once per burst
  uint64_t punt_interval_tsc = 0;      // a destination is punted at most once per interval
  uint32_t random_state = 0x9e3779b9;  // xorshift state for nonces
  uint16_t ip_id = 0;
  // Recently punted destinations, by hash: (key, tsc).
  std::array<std::pair<uint32_t, uint64_t>, 1024> recent_punts{};
};

inline constexpr uint16_t kMaxBurst = 64;

// Encapsulates a burst (at most kMaxBurst) in stages, l3fwd style: parse
// every packet, look every destination up (entries prefetched), then build
// the outer headers. verdicts[i] says where packets[i] goes.
void encapsulate_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts, PathContext& context);
// One packet: a burst of one.
Verdict encapsulate(rte_mbuf* packet, PathContext& context);
Verdict decapsulate(rte_mbuf* packet, PathContext& context);

// The inner flow hash the locator choice and outer source port use: the same
// 5-tuple always gives the same value (exposed for tests).
uint32_t flow_hash(const uint8_t* ip_header, uint32_t length);

}  // namespace lispmob::dataplane
