// The worker lcore's loop, l3fwd style: receive a burst from each port,
// run the packet path on each mbuf, send the results in bursts, report a
// quiescent state. Nothing in it allocates, locks, logs or waits on the
// control thread.
#pragma once

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <cstdint>

#include "dataplane/counters.h"
#include "dataplane/eid_tap.h"
#include "dataplane/local_state.h"
#include "dataplane/map_cache.h"
#include "dataplane/packet_path.h"

namespace lispmob::dataplane {

inline constexpr uint16_t kNoPort = 0xffff;

struct WorkerConfig {
  // The EID side: lmn0's tap (this worker's queue of it), or else a port
  // (an xTR's LAN port, a test's or a benchmark's ring).
  TapQueue* eid_tap = nullptr;
  uint16_t eid_port = kNoPort;
  // A site gateway's LAN twin (the EID port is then its LAN port, and its
  // frames are routed: from_lan_burst); kNoPort: the EID port is lmn0.
  uint16_t eid_kernel_port = kNoPort;
  // The RLOC links: each RLOC port and its kernel twin (kNoPort: traffic
  // for the kernel is dropped). Encapsulated packets leave by the link
  // LocalState names for their outer family; any link receives.
  std::array<uint16_t, kMaxRlocLinks> rloc_ports = {kNoPort, kNoPort, kNoPort, kNoPort};
  std::array<uint16_t, kMaxRlocLinks> kernel_ports = {kNoPort, kNoPort, kNoPort, kNoPort};
  unsigned link_count = 1;
  uint16_t queue = 0;  // this worker's RX/TX queue on every port
  uint16_t burst = 32;
  const MapCache* cache = nullptr;
  UsedBits* used = nullptr;  // this worker's bitmap in the cache (MapCache::used_bits)
  const LocalStatePublisher* local = nullptr;
  rte_rcu_qsbr* qsbr = nullptr;
  rte_ring* punt_ring = nullptr;
  PuntSignal* punt_signal = nullptr;  // null: the control thread polls the ring
  // Fragmentation of too-big IPv4 packets (PathContext); null: dropped.
  rte_mempool* direct_pool = nullptr;
  rte_mempool* indirect_pool = nullptr;
  // This worker's reassembly table and death row (PathContext); null: IP
  // fragments to our RLOCs are dropped and counted.
  rte_ip_frag_tbl* reassembly = nullptr;
  rte_ip_frag_death_row* death_row = nullptr;
  LcoreCounters* counters = nullptr;  // this worker's own
  const std::atomic<bool>* stop = nullptr;
  uint64_t punt_interval_us = 1000000;
  uint32_t idle_sleep_us = 0;  // see config::Dpdk::idle_sleep_us
};

// The loop; returns when *config.stop becomes true. `config` is a WorkerConfig*.
int run_worker(void* config);

// One pass of the loop (exposed for tests that step the worker themselves);
// returns the packets it received.
unsigned poll_once(const WorkerConfig& config, PathContext& context);

// A PathContext for this worker.
PathContext make_context(const WorkerConfig& config, unsigned lcore);

}  // namespace lispmob::dataplane
