#include "dataplane/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include <algorithm>

namespace lispmob::dataplane {
namespace {

// Packets waiting for one TX port in this pass.
struct TxBatch {
  uint16_t count = 0;
  rte_mbuf* packets[kMaxBurst + kMaxExtraPackets];  // a burst and the fragments it made
};

void flush(uint16_t port, uint16_t queue, TxBatch& batch, LcoreCounters& counters) {
  if (batch.count == 0) return;
  const uint16_t sent = rte_eth_tx_burst(port, queue, batch.packets, batch.count);
  counters.tx_packets += sent;
  if (sent < batch.count) {
    counters.tx_dropped += batch.count - sent;
    rte_pktmbuf_free_bulk(batch.packets + sent, batch.count - sent);
  }
  batch.count = 0;
}

void flush(TapQueue& tap, TxBatch& batch, LcoreCounters& counters) {
  if (batch.count == 0) return;
  const uint16_t sent = tap.transmit(batch.packets, batch.count, counters);
  counters.tx_packets += sent;
  counters.tx_port_errors += batch.count - sent;
  batch.count = 0;
}

// Packets waiting for each TX port in this pass.
struct Batches {
  std::array<TxBatch, kMaxRlocLinks> to_rloc;
  TxBatch to_eid;
  std::array<TxBatch, kMaxRlocLinks> to_kernel;
  TxBatch to_eid_kernel;  // a site gateway's LAN twin
};

// The link an outgoing frame leaves by: the egress of its outer family.
unsigned egress_link(const rte_mbuf* packet, const WorkerConfig& config, const LocalState& local) {
  const auto* ether = rte_pktmbuf_mtod(packet, const rte_ether_hdr*);
  const unsigned link = ether->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)
                            ? local.egress_link6
                            : local.egress_link4;
  return link < config.link_count ? link : 0;
}

// A burst from `port`, or from lmn0's tap for port kNoPort.
uint16_t receive_burst(const WorkerConfig& config, PathContext& context, uint16_t port,
                       rte_mbuf** packets) {
  const uint16_t wanted = std::min(config.burst, kMaxBurst);
  if (port == kNoPort) return config.eid_tap->receive(packets, wanted, *context.counters);
  return rte_eth_rx_burst(port, config.queue, packets, wanted);
}

// Receives a burst on `port` (kNoPort: lmn0's tap), runs `process` over it
// and sorts the packets by verdict; what goes to the kernel goes to
// `kernel` (port `kernel_port`, the twin of `port`).
template <class Process>
uint16_t receive_and_process(const WorkerConfig& config, PathContext& context, uint16_t port,
                             uint16_t kernel_port, TxBatch& kernel, Process process,
                             Batches& batches) {
  rte_mbuf* packets[kMaxBurst];
  Verdict verdicts[kMaxBurst];
  const uint16_t received = receive_burst(config, context, port, packets);
  context.counters->rx_packets += received;
  for (uint16_t i = 0; i < received; ++i) {
    // The headers, and the headroom line outer headers go into.
    uint8_t* data = rte_pktmbuf_mtod(packets[i], uint8_t*);
    rte_prefetch0(data);
    rte_prefetch0(data - RTE_CACHE_LINE_SIZE);
  }
  process(packets, received, verdicts, context);
  for (uint16_t i = 0; i < received; ++i) {
    rte_mbuf* packet = packets[i];
    switch (verdicts[i]) {
      case Verdict::kToRlocPort: {
        TxBatch& batch = batches.to_rloc[egress_link(packet, config, *context.local)];
        batch.packets[batch.count++] = packet;
        break;
      }
      case Verdict::kToEidPort:
        batches.to_eid.packets[batches.to_eid.count++] = packet;
        break;
      case Verdict::kToKernel:
        if (kernel_port != kNoPort) {
          context.counters->to_kernel++;
          kernel.packets[kernel.count++] = packet;
        } else {
          rte_pktmbuf_free(packet);
        }
        break;
      case Verdict::kDrop:
        rte_pktmbuf_free(packet);
        break;
      case Verdict::kConsumed:  // its fragments are in context.extra
        break;
    }
  }
  for (uint16_t i = 0; i < context.extra_count; ++i) {
    rte_mbuf* packet = context.extra[i];
    TxBatch& batch = batches.to_rloc[egress_link(packet, config, *context.local)];
    batch.packets[batch.count++] = packet;
  }
  context.extra_count = 0;
  return received;
}

void flush_all(const WorkerConfig& config, Batches& batches, LcoreCounters& counters) {
  for (unsigned link = 0; link < config.link_count; ++link) {
    flush(config.rloc_ports[link], config.queue, batches.to_rloc[link], counters);
    flush(config.kernel_ports[link], config.queue, batches.to_kernel[link], counters);
  }
  if (config.eid_tap != nullptr) {
    flush(*config.eid_tap, batches.to_eid, counters);
  } else {
    flush(config.eid_port, config.queue, batches.to_eid, counters);
  }
  flush(config.eid_kernel_port, config.queue, batches.to_eid_kernel, counters);
}

// The kernel's own frames on a twin (ARP replies, LISP control, ICMP, what
// it forwards to a LAN host) leave by the twin's port unchanged.
uint16_t pass_kernel_frames(const WorkerConfig& config, PathContext& context, uint16_t twin,
                            TxBatch& out) {
  rte_mbuf* packets[kMaxBurst];
  const uint16_t room = out.count < kMaxBurst ? static_cast<uint16_t>(kMaxBurst - out.count) : 0;
  if (room == 0) return 0;
  const uint16_t received = rte_eth_rx_burst(twin, config.queue, packets, room);
  context.counters->rx_packets += received;
  for (uint16_t i = 0; i < received; ++i) out.packets[out.count++] = packets[i];
  return received;
}

}  // namespace

PathContext make_context(const WorkerConfig& config, unsigned lcore) {
  PathContext context;
  context.cache = config.cache;
  context.used = config.used;
  context.counters = config.counters;
  context.punt_ring = config.punt_ring;
  context.punt_signal = config.punt_signal;
  context.punt_interval_tsc = rte_get_tsc_hz() / 1000000 * config.punt_interval_us;
  context.reassembly = config.reassembly;
  context.death_row = config.death_row;
  context.direct_pool = config.direct_pool;
  context.indirect_pool = config.indirect_pool;
  context.icmp_interval_tsc = rte_get_tsc_hz() / 1000;
  context.random_state = static_cast<uint32_t>(rte_rdtsc()) | 1u;
  context.random_state ^= lcore * 0x9e3779b9u;
  if (context.random_state == 0) context.random_state = 1;
  return context;
}

unsigned poll_once(const WorkerConfig& config, PathContext& context) {
  context.local = config.local->current();
  if (context.local == nullptr) return 0;  // nothing to work with yet
  context.now_tsc = rte_rdtsc();
  Batches batches;
  unsigned received_total = 0;
  // Each stage fills a batch at most once per port before it is flushed.
  if (config.eid_port != kNoPort && config.eid_kernel_port != kNoPort) {
    received_total += receive_and_process(config, context, config.eid_port, config.eid_kernel_port,
                                          batches.to_eid_kernel, from_lan_burst, batches);
    received_total += pass_kernel_frames(config, context, config.eid_kernel_port, batches.to_eid);
    flush_all(config, batches, *context.counters);
  } else if (config.eid_port != kNoPort || config.eid_tap != nullptr) {
    received_total += receive_and_process(config, context, config.eid_port, kNoPort,
                                          batches.to_eid_kernel, encapsulate_burst, batches);
    flush_all(config, batches, *context.counters);
  }
  for (unsigned link = 0; link < config.link_count; ++link) {
    if (config.rloc_ports[link] == kNoPort) continue;
    received_total +=
        receive_and_process(config, context, config.rloc_ports[link], config.kernel_ports[link],
                            batches.to_kernel[link], decapsulate_burst, batches);
    if (config.kernel_ports[link] != kNoPort) {
      received_total +=
          pass_kernel_frames(config, context, config.kernel_ports[link], batches.to_rloc[link]);
    }
    flush_all(config, batches, *context.counters);
  }
  maintain_reassembly(context);
  return received_total;
}

int run_worker(void* argument) {
  const auto& config = *static_cast<const WorkerConfig*>(argument);
  const unsigned lcore = rte_lcore_id();
  PathContext context = make_context(config, lcore);
  rte_rcu_qsbr_thread_register(config.qsbr, lcore);
  rte_rcu_qsbr_thread_online(config.qsbr, lcore);
  unsigned idle_polls = 0;
  while (!config.stop->load(std::memory_order_relaxed)) {
    idle_polls = poll_once(config, context) ? 0 : idle_polls + 1;
    rte_rcu_qsbr_quiescent(config.qsbr, lcore);
    // Idle for a while: give the core back. The first packet after a sleep
    // waits at most idle_sleep_us; the control thread never waits on this.
    if (config.idle_sleep_us != 0 && idle_polls > 1000) rte_delay_us_sleep(config.idle_sleep_us);
  }
  rte_rcu_qsbr_thread_offline(config.qsbr, lcore);
  rte_rcu_qsbr_thread_unregister(config.qsbr, lcore);
  return 0;
}

}  // namespace lispmob::dataplane
