// dataplane_bench: throughput of lispmob's encap and decap paths.
//
//   dataplane_bench traffic MODE PREFIXES OUT.pcap [SIZE [FLOWS]]
//       writes FLOWS (1024 unless named) flows of one frame each for MODE
//       (encap4, encap6, decap4, decap6; a site gateway's LAN path:
//       lan-encap4, frames from 1000 LAN hosts routed and encapsulated, and
//       lan-decap4, LISP decapsulated to those hosts by their adjacencies)
//       whose destinations hit the map-cache that `run` builds for
//       PREFIXES: each flow a different prefix while there are prefixes
//       left, so FLOWS = PREFIXES = 1M makes every packet of the input a
//       different destination (the memory-bound case). SIZE:
//       64 (64-byte frames, the default), 1500 (IP packets that are 1500
//       bytes once encapsulated: 1464 inner, the EID port's MTU on a
//       1500-byte IPv4 RLOC link) or imix (inner IP packets of 46, 576 and
//       1464 bytes, 7:4:1: the simple IMIX, its large packets capped at what
//       the tunnel carries)
//   dataplane_bench run MODE PREFIXES TRAFFIC.pcap SECONDS [workers=N] [updates]
//                       -- EAL-ARGS...
//       fills the map-cache with PREFIXES random EID-prefixes, measures the
//       cycles per packet of the packet path alone (no I/O) and of its
//       map-cache lookup alone, then runs N workers (1 unless named, one per
//       EAL worker lcore, each on its own queue) from a net_pcap port
//       (infinite_rx) to a net_null port for SECONDS and prints one JSON
//       object. `updates`: then, with the workers still forwarding, the
//       control thread changes the map-cache as fast as it can for SECONDS
//       (new locators for installed prefixes, and every 16th change a
//       prefix erased and added again); the JSON gains the change rate, the
//       forwarding rate meanwhile, and each phase's longest worker poll.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <malloc.h>
#include <rte_malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/net/headers.h"
#include "common/pcap/pcap.h"
#include "dataplane/ports.h"
#include "dataplane/worker.h"

namespace {

using namespace lispmob;
using namespace lispmob::dataplane;

constexpr uint32_t kDefaultFlows = 1024;
const net::IpAddress kLocalEid4 = *net::IpAddress::parse("198.18.0.10");
const net::IpAddress kLocalRloc4 = *net::IpAddress::parse("192.0.2.5");
const net::IpAddress kPeerRloc4 = *net::IpAddress::parse("192.0.2.4");
// A site gateway's LAN: its hosts 10.1.0.1 and on, in 10.1.0.0/22.
constexpr uint32_t kLanHosts = 1000;
const net::IpPrefix kLanPrefix = *net::IpPrefix::parse("10.1.0.0/22");
net::IpAddress lan_host(int flow) {
  return net::IpAddress::v4(0x0a010001u + static_cast<uint32_t>(flow) % kLanHosts);
}
bool is_lan(const std::string& mode) { return mode.rfind("lan-", 0) == 0; }
bool is_decap(const std::string& mode) {
  return mode == "decap4" || mode == "decap6" || mode == "lan-decap4";
}
bool is_ipv6(const std::string& mode) { return mode == "encap6" || mode == "decap6"; }
const net::IpAddress kLocalEid6 = *net::IpAddress::parse("2001:db8:3::10");
const net::IpAddress kLocalRloc6 = *net::IpAddress::parse("2001:db8:2::5");
const net::IpAddress kPeerRloc6 = *net::IpAddress::parse("2001:db8:2::4");
const net::IpAddress kOtherPeerRloc4 = *net::IpAddress::parse("192.0.2.6");

// The map-cache's prefixes: random distinct IPv4 /24s, or IPv6 /48s under
// 256 /32s (so a million of them need about 66k LpmTable groups).
std::vector<net::IpPrefix> make_prefixes(bool ipv6, uint32_t count) {
  std::mt19937 rng(12345);
  std::vector<net::IpPrefix> prefixes;
  std::unordered_set<uint64_t> seen;
  std::vector<uint16_t> v6_parents(256);
  for (auto& parent : v6_parents) parent = static_cast<uint16_t>(rng());
  while (prefixes.size() < count) {
    const uint32_t r = rng();
    if (!ipv6) {
      const uint32_t network = (1 + r % 223) << 24 | (r & 0x00ffff00);
      if ((network & 0xfffffc00u) == 0x0a010000u) continue;  // the LAN's (kLanPrefix)
      if ((network & 0xffff0000u) == 0xa9fe0000u) continue;  // link-local: never routed
      if (!seen.insert(network).second) continue;
      prefixes.push_back({net::IpAddress::v4(network), 24});
    } else {
      const uint16_t parent = v6_parents[r & 0xff];
      const uint16_t child = static_cast<uint16_t>(r >> 8);
      if (!seen.insert(uint64_t{parent} << 16 | child).second) continue;
      std::array<uint8_t, 16> bytes{0x20,
                                    0x01,
                                    static_cast<uint8_t>(parent >> 8),
                                    static_cast<uint8_t>(parent),
                                    static_cast<uint8_t>(child >> 8),
                                    static_cast<uint8_t>(child)};
      prefixes.push_back({net::IpAddress::v6(bytes), 48});
    }
  }
  return prefixes;
}

std::vector<uint8_t> ethernet(uint16_t ether_type) {
  return {0x02,
          0,
          0,
          0,
          0,
          0x05,
          0x02,
          0,
          0,
          0,
          0,
          0x01,
          static_cast<uint8_t>(ether_type >> 8),
          static_cast<uint8_t>(ether_type)};
}

// A frame of one flow with an IP packet of `ip_size` bytes; the smallest
// is a 64-byte frame (60 without the FCS; IPv6 can't go below 62).
std::vector<uint8_t> inner_frame(const net::IpAddress& source, const net::IpAddress& destination,
                                 uint16_t source_port, size_t ip_size = 0) {
  std::vector<uint8_t> frame = ethernet(source.is_v4() ? 0x0800 : 0x86dd);
  wire::Writer writer(frame);
  net::IpHeader ip;
  if (source.is_v4()) {
    net::Ipv4Header v4;
    v4.source = source;
    v4.destination = destination;
    ip = v4;
  } else {
    net::Ipv6Header v6;
    v6.source = source;
    v6.destination = destination;
    ip = v6;
  }
  const size_t headers = source.is_v4() ? 28 : 48;
  const std::vector<uint8_t> payload(
      std::max<size_t>(ip_size, headers + (source.is_v4() ? 18 : 0)) - headers, 0);
  net::encode_ip_udp(writer, ip, {source_port, 80, std::nullopt, std::nullopt}, payload);
  return frame;
}

// The inner IP packet size of flow `flow` for SIZE (0: the smallest).
size_t inner_ip_size(const std::string& size, int flow) {
  if (size == "1500") return 1500 - kEncapOverheadV4;
  if (size == "imix") {
    const int slot = flow % 12;
    return slot < 7 ? 46 : slot < 11 ? 576 : 1500 - kEncapOverheadV4;
  }
  return 0;
}

// A LISP data packet from the peer to one of our EIDs (a LAN host's), outer
// IPv4 or IPv6 as the mode says; flows differ in inner source and outer port.
std::vector<uint8_t> lisp_frame(const std::string& mode, uint32_t flow, size_t ip_size) {
  const bool ipv6 = is_ipv6(mode);
  std::array<uint8_t, 16> source6{0x20, 0x01, 0x0d, 0xb8, 0x71};
  source6[14] = static_cast<uint8_t>(flow >> 8);
  source6[15] = static_cast<uint8_t>(flow);
  const auto inner_source =
      ipv6 ? net::IpAddress::v6(source6) : net::IpAddress::v4(0xcb007100u + flow % 256);
  const auto inner_destination = ipv6           ? kLocalEid6
                                 : is_lan(mode) ? lan_host(static_cast<int>(flow))
                                                : kLocalEid4;
  auto inner =
      inner_frame(inner_source, inner_destination, static_cast<uint16_t>(1024 + flow), ip_size);
  std::vector<uint8_t> lisp_payload = {0x80, 0, 0, static_cast<uint8_t>(flow), 0, 0, 0, 0};
  lisp_payload.insert(lisp_payload.end(), inner.begin() + 14, inner.end());
  std::vector<uint8_t> frame = ethernet(ipv6 ? 0x86dd : 0x0800);
  wire::Writer writer(frame);
  net::IpHeader outer;
  if (ipv6) {
    net::Ipv6Header v6;
    v6.source = kPeerRloc6;
    v6.destination = kLocalRloc6;
    outer = v6;
  } else {
    net::Ipv4Header v4;
    v4.source = kPeerRloc4;
    v4.destination = kLocalRloc4;
    outer = v4;
  }
  // Over IPv6 the UDP checksum is computed; over IPv4 it is zero, as ITRs send it.
  net::encode_ip_udp(writer, outer,
                     {static_cast<uint16_t>(0xc000 | (flow & 0x3fff)), 4341, std::nullopt,
                      ipv6 ? std::nullopt : std::optional<uint16_t>(0)},
                     lisp_payload);
  return frame;
}

pcap::File make_traffic(const std::string& mode, uint32_t prefix_count, const std::string& size,
                        uint32_t flows) {
  const bool ipv6 = is_ipv6(mode);
  auto prefixes = make_prefixes(ipv6, prefix_count);
  // Each flow its own prefix, in random order, while prefixes last.
  std::shuffle(prefixes.begin(), prefixes.end(), std::mt19937(777));
  pcap::File file;
  file.records.reserve(flows);
  for (uint32_t flow = 0; flow < flows; ++flow) {
    const int flow_index = static_cast<int>(flow);
    pcap::Record record;
    if (is_decap(mode)) {
      record.data = lisp_frame(mode, flow, inner_ip_size(size, flow_index));
    } else {
      const auto& prefix = prefixes[flow % prefixes.size()];
      auto bytes = prefix.address.bytes();
      std::array<uint8_t, 16> host{};
      std::copy(bytes.begin(), bytes.end(), host.begin());
      host[bytes.size() - 1] |= 1;
      const auto destination =
          ipv6 ? net::IpAddress::v6(host)
               : net::IpAddress::v4(std::span<const uint8_t, 4>(host.data(), 4));
      const auto source = ipv6 ? kLocalEid6 : is_lan(mode) ? lan_host(flow_index) : kLocalEid4;
      record.data = inner_frame(source, destination, static_cast<uint16_t>(1024 + flow),
                                inner_ip_size(size, flow_index));
    }
    file.records.push_back(std::move(record));
  }
  return file;
}

double mean_frame_bytes(const pcap::File& traffic) {
  double total = 0;
  for (const auto& record : traffic.records) total += static_cast<double>(record.data.size());
  return traffic.records.empty() ? 0 : total / static_cast<double>(traffic.records.size());
}

LocalState local_state(const std::string& mode) {
  LocalState state;
  state.has_rloc4 = true;
  std::copy(kLocalRloc4.bytes().begin(), kLocalRloc4.bytes().end(), state.rloc4.begin());
  state.has_rloc6 = true;
  std::copy(kLocalRloc6.bytes().begin(), kLocalRloc6.bytes().end(), state.rloc6.begin());
  state.local_eid_count = 2;
  state.local_eids[0] = {kLocalEid4, 32};
  state.local_eids[1] = {kLocalEid6, 128};
  state.egress_mtu4 = 1500;  // every packet is checked against the link's MTU
  state.egress_mtu6 = 1500;
  if (is_lan(mode)) {
    // The gateway: the frames' destination MAC is its LAN port's, and every
    // host has an adjacency.
    state.lan = true;
    state.lan_port_mac = {{0x02, 0, 0, 0, 0, 0x05}};
    state.local_eids[0] = kLanPrefix;
    for (int host = 0; host < static_cast<int>(kLanHosts); ++host) {
      state.adjacencies.insert(lan_host(host).bytes().data(), false,
                               {{0x02, 0, 0, 0, 0x10, static_cast<uint8_t>(host)}});
    }
  }
  return state;
}

// Rounds over the traffic for the cycle figures: about two million packets.
int rounds_for(const pcap::File& traffic) {
  return static_cast<int>(std::max<size_t>(2, 2048000 / traffic.records.size()));
}

// Cycles per packet of encapsulate()/decapsulate() alone, over the flows of
// the traffic. As in the worker, a burst's worth of mbufs is recycled (the
// mempool's per-lcore cache hands the same hot mbufs back); the cost of
// copying each frame's first 64 bytes into its mbuf is measured separately
// and taken off.
double cycles_per_packet(const std::string& mode, const pcap::File& traffic, rte_mempool* pool,
                         PathContext& context) {
  constexpr size_t kMbufs = 32;
  std::vector<rte_mbuf*> mbufs;
  for (size_t i = 0; i < kMbufs; ++i) mbufs.push_back(rte_pktmbuf_alloc(pool));
  auto restore = [&](rte_mbuf* m, const std::vector<uint8_t>& frame) {
    m->data_off = RTE_PKTMBUF_HEADROOM;
    m->data_len = static_cast<uint16_t>(frame.size());
    m->pkt_len = m->data_len;
    std::memcpy(rte_pktmbuf_mtod(m, void*), frame.data(), std::min<size_t>(64, frame.size()));
  };
  const int rounds = rounds_for(traffic);
  auto timed = [&](bool with_step) {
    const uint64_t start = rte_rdtsc_precise();
    for (int round = 0; round < rounds; ++round) {
      for (size_t first = 0; first + kMbufs <= traffic.records.size(); first += kMbufs) {
        for (size_t j = 0; j < kMbufs; ++j) restore(mbufs[j], traffic.records[first + j].data);
        if (!with_step) continue;
        // As the worker does: a burst at a time.
        if (is_decap(mode)) {
          Verdict verdicts[kMbufs];
          decapsulate_burst(mbufs.data(), kMbufs, verdicts, context);
        } else if (is_lan(mode)) {
          Verdict verdicts[kMbufs];
          from_lan_burst(mbufs.data(), kMbufs, verdicts, context);
        } else {
          Verdict verdicts[kMbufs];
          encapsulate_burst(mbufs.data(), kMbufs, verdicts, context);
        }
      }
    }
    return rte_rdtsc_precise() - start;
  };
  for (size_t i = 0; i < kMbufs; ++i) {  // full frames once, so bytes past 64 are right
    const auto& frame = traffic.records[i].data;
    std::memcpy(rte_pktmbuf_append(mbufs[i], static_cast<uint16_t>(frame.size())), frame.data(),
                frame.size());
  }
  timed(true);  // warm the caches and the map-cache's hot lines
  const uint64_t total = timed(true);
  const uint64_t restore_cycles = timed(false);
  for (rte_mbuf* m : mbufs) rte_pktmbuf_free(m);
  return static_cast<double>(total - std::min(total, restore_cycles)) /
         (static_cast<double>(rounds) * static_cast<double>(traffic.records.size()));
}

// Cycles per packet of the map-cache lookup alone (bulk, 32 at a time, as
// encapsulate_burst does it) over the traffic's destinations: the share of
// the packet path's cycles that is the table.
double lookup_cycles_per_packet(const std::string& mode, const pcap::File& traffic,
                                const MapCache& cache) {
  constexpr size_t kBurst = 32;
  const bool ipv6 = is_ipv6(mode);
  std::vector<uint32_t> destinations4;
  std::vector<const uint8_t*> destinations6;
  for (const auto& record : traffic.records) {
    const uint8_t* ip = record.data.data() + 14;
    if (ipv6) {
      destinations6.push_back(ip + 24);
    } else {
      destinations4.push_back(uint32_t{ip[16]} << 24 | uint32_t{ip[17]} << 16 |
                              uint32_t{ip[18]} << 8 | ip[19]);
    }
  }
  const int instance = cache.instance_index(0);
  const size_t count = traffic.records.size() - traffic.records.size() % kBurst;
  const int rounds = rounds_for(traffic);
  const MapEntry* entries[kBurst];
  uint64_t found = 0;
  auto pass = [&] {
    for (size_t first = 0; first < count; first += kBurst) {
      if (ipv6) {
        cache.lookup_v6_bulk(instance, destinations6.data() + first, kBurst, entries);
      } else {
        cache.lookup_v4_bulk(instance, destinations4.data() + first, kBurst, entries);
      }
      for (const MapEntry* entry : entries) found += entry != nullptr;
    }
  };
  pass();  // warm
  const uint64_t start = rte_rdtsc_precise();
  for (int round = 0; round < rounds; ++round) pass();
  const uint64_t cycles = rte_rdtsc_precise() - start;
  if (found != static_cast<uint64_t>(rounds + 1) * count) {
    std::fprintf(stderr, "lookup: %lu of %lu found\n", (unsigned long)found,
                 (unsigned long)((rounds + 1) * count));
  }
  return static_cast<double>(cycles) / (static_cast<double>(rounds) * static_cast<double>(count));
}

// Bytes in use on the DPDK heap and the C++ heap: the map-cache's memory is
// the difference across its creation and fill.
size_t heap_bytes_in_use() {
  rte_malloc_socket_stats stats{};
  rte_malloc_get_socket_stats(static_cast<int>(rte_socket_id()), &stats);
  const struct mallinfo2 info = mallinfo2();
  return stats.heap_allocsz_bytes + info.uordblks + info.hblkhd;
}

struct RunOptions {
  unsigned workers = 1;
  bool updates = false;
};

// The bench's own worker loop for the update phases: run_worker's (one
// poll, then a quiescent state) with each poll's cycles kept, so a stall
// behind the control thread's changes would show as a long poll.
struct TimedWorker {
  WorkerConfig* config;
  std::atomic<uint64_t> longest_poll_cycles{0};
};

int run_timed_worker(void* argument) {
  auto& timed = *static_cast<TimedWorker*>(argument);
  const WorkerConfig& config = *timed.config;
  const unsigned lcore = rte_lcore_id();
  PathContext context = make_context(config, lcore);
  rte_rcu_qsbr_thread_register(config.qsbr, lcore);
  rte_rcu_qsbr_thread_online(config.qsbr, lcore);
  uint64_t longest = 0;
  while (!config.stop->load(std::memory_order_relaxed)) {
    const uint64_t start = rte_rdtsc();
    poll_once(config, context);
    rte_rcu_qsbr_quiescent(config.qsbr, lcore);
    longest = std::max(longest, rte_rdtsc() - start);
  }
  timed.longest_poll_cycles.store(longest, std::memory_order_relaxed);
  rte_rcu_qsbr_thread_offline(config.qsbr, lcore);
  rte_rcu_qsbr_thread_unregister(config.qsbr, lcore);
  return 0;
}

// Packets all workers sent.
uint64_t tx_total(const std::vector<std::unique_ptr<LcoreCounters>>& counters) {
  uint64_t total = 0;
  for (const auto& c : counters) total += c->tx_packets;
  return total;
}

struct Phase {
  double mpps = 0;
  uint64_t longest_poll_cycles = 0;
  uint64_t changes = 0;
  double seconds = 0;
};

// Runs the workers for `seconds` after a one-second warm-up; `work` runs on
// this (the control) thread meanwhile and returns the changes it made.
template <typename Work>
Phase run_phase(std::vector<WorkerConfig>& configs,
                const std::vector<std::unique_ptr<LcoreCounters>>& counters,
                std::atomic<bool>& stop, bool timed, double seconds, Work&& work) {
  stop = false;
  std::vector<std::unique_ptr<TimedWorker>> timed_workers;
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  std::vector<unsigned> lcores;
  for (auto& config : configs) {
    if (timed) {
      timed_workers.push_back(std::make_unique<TimedWorker>());
      timed_workers.back()->config = &config;
      rte_eal_remote_launch(run_timed_worker, timed_workers.back().get(), lcore);
    } else {
      rte_eal_remote_launch(run_worker, &config, lcore);
    }
    lcores.push_back(lcore);
    lcore = rte_get_next_lcore(lcore, 1, 0);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up
  Phase phase;
  const uint64_t tx_before = tx_total(counters);
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(seconds));
  phase.changes = work(end);
  const uint64_t tx_after = tx_total(counters);
  phase.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  for (unsigned worker_lcore : lcores) rte_eal_wait_lcore(worker_lcore);
  for (const auto& worker : timed_workers) {
    phase.longest_poll_cycles =
        std::max(phase.longest_poll_cycles, worker->longest_poll_cycles.load());
  }
  phase.mpps = static_cast<double>(tx_after - tx_before) / phase.seconds / 1e6;
  return phase;
}

// The control thread's side of the update phase: until `end`, new locators
// for installed prefixes and, every 16th change, a prefix erased and added
// again (each FIB change goes through the standby copies); then everything
// made visible. Returns the changes made.
uint64_t change_map_cache(MapCache& cache, const std::vector<net::IpPrefix>& prefixes,
                          std::chrono::steady_clock::time_point end) {
  uint64_t changes = 0;
  std::mt19937 rng(4242);
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 1024; ++i) {
      const auto& prefix = prefixes[rng() % prefixes.size()];
      const auto& rloc = (changes & 1) ? kOtherPeerRloc4 : kPeerRloc4;
      Mapping mapping{0, prefix, MapAction::kEncapsulate, {{rloc, 1, 100}}};
      if (changes % 16 == 15) {
        (void)cache.erase(0, prefix);
        ++changes;
      }
      if (!cache.upsert(mapping).ok()) return changes;
      ++changes;
    }
  }
  return changes;
}

int run(const std::string& mode, uint32_t prefix_count, const std::string& traffic_path,
        double seconds, const RunOptions& options) {
  auto traffic = pcap::read_file(traffic_path);
  if (!traffic.ok()) {
    std::fprintf(stderr, "%s\n", std::string(traffic.status().message()).c_str());
    return 2;
  }
  if (rte_lcore_count() < options.workers + 1) {
    std::fprintf(stderr, "%u workers need %u EAL lcores (-l), there are %u\n", options.workers,
                 options.workers + 1, rte_lcore_count());
    return 2;
  }
  const size_t qsbr_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
  auto* qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("qsbr", qsbr_size, RTE_CACHE_LINE_SIZE));
  rte_rcu_qsbr_init(qsbr, RTE_MAX_LCORE);
  const size_t heap_before = heap_bytes_in_use();
  MapCacheConfig cache_config;
  // Capacity for the family under test; a small table for the other one.
  const bool ipv6 = is_ipv6(mode);
  cache_config.max_entries = ipv6 ? 1024 : std::max<uint32_t>(prefix_count, 1024);
  cache_config.max_entries_v6 = ipv6 ? std::max<uint32_t>(prefix_count, 1024) : 1024;
  // The caps lispd sets (dataplane/service.cc); groups are allocated only
  // as the prefixes need them, so the caps cost nothing until used.
  cache_config.ipv4_tbl8_groups = cache_config.max_entries;
  cache_config.ipv6_tbl8_groups = 2 * cache_config.max_entries_v6;
  cache_config.workers = options.workers;
  auto cache = MapCache::create(cache_config, qsbr);
  if (!cache.ok()) {
    std::fprintf(stderr, "map-cache: %s\n", std::string(cache.status().message()).c_str());
    return 2;
  }
  const auto fill_start = std::chrono::steady_clock::now();
  const auto prefixes = make_prefixes(ipv6, prefix_count);
  for (const auto& prefix : prefixes) {
    Mapping mapping{0, prefix, MapAction::kEncapsulate, {{kPeerRloc4, 1, 100}}};
    if (auto status = (*cache)->upsert(mapping); !status.ok()) {
      std::fprintf(stderr, "upsert failed at %zu: %s\n", (*cache)->size(),
                   std::string(status.message()).c_str());
      return 2;
    }
  }
  (*cache)->flush();
  const size_t map_cache_bytes = heap_bytes_in_use() - heap_before;
  if (std::getenv("LISPMOB_BENCH_MEMORY")) {
    rte_malloc_socket_stats stats{};
    rte_malloc_get_socket_stats(static_cast<int>(rte_socket_id()), &stats);
    const struct mallinfo2 info = mallinfo2();
    std::fprintf(stderr, "dpdk heap %zu, c++ heap %zu + mmapped %zu\n", stats.heap_allocsz_bytes,
                 info.uordblks, info.hblkhd);
  }
  const double fill_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();

  // net_pcap's infinite_rx keeps every frame of its input in an mbuf per
  // queue and copies each into a fresh one as it sends: the pool holds
  // both. Small frames get small buffers, so a million-frame input fits.
  const size_t largest_frame =
      std::max_element(traffic->records.begin(), traffic->records.end(),
                       [](const auto& a, const auto& b) { return a.data.size() < b.data.size(); })
          ->data.size();
  const uint16_t data_room =
      largest_frame <= 128 ? RTE_PKTMBUF_HEADROOM + 256 : RTE_MBUF_DEFAULT_BUF_SIZE;
  const unsigned pool_size =
      static_cast<unsigned>(options.workers * traffic->records.size() + 16384 * options.workers);
  rte_mempool* pool =
      rte_pktmbuf_pool_create("bench_pool", pool_size, 256, 0, data_room, rte_socket_id());
  if (pool == nullptr) {
    std::fprintf(stderr, "no memory for a pool of %u mbufs\n", pool_size);
    return 2;
  }
  LocalStatePublisher publisher(qsbr);
  publisher.publish(local_state(mode));
  std::atomic<bool> stop{false};
  WorkerConfig config;
  config.cache = cache->get();
  config.used = (*cache)->used_bits(0);
  config.local = &publisher;
  config.qsbr = qsbr;
  config.stop = &stop;

  PathContext context = make_context(config, 0);
  context.local = publisher.current();
  LcoreCounters scratch;
  context.counters = &scratch;
  const double cycles = cycles_per_packet(mode, *traffic, pool, context);
  // Every call of the measurement (warm-up and timed pass) must have done
  // the full work, or the figure means nothing.
  const uint64_t expected = 2ull * static_cast<uint64_t>(rounds_for(*traffic)) *
                            (traffic->records.size() - traffic->records.size() % 32);
  if (scratch.encapsulated + scratch.decapsulated != expected) {
    std::fprintf(stderr,
                 "packet path did not do its full work during the cycle measurement: %lu of %lu "
                 "packets; failed FIB adds %lu; counters:",
                 (unsigned long)(scratch.encapsulated + scratch.decapsulated),
                 (unsigned long)expected, (unsigned long)(*cache)->failed_adds());
#define LISPMOB_PRINT_NONZERO(name, help) \
  if (scratch.name != 0) std::fprintf(stderr, " %s %lu", #name, (unsigned long)scratch.name);
    LISPMOB_DATAPLANE_COUNTERS(LISPMOB_PRINT_NONZERO)
#undef LISPMOB_PRINT_NONZERO
    std::fprintf(stderr, "\n");
    return 2;
  }
  const double lookup_cycles =
      is_decap(mode) ? 0 : lookup_cycles_per_packet(mode, *traffic, **cache);

  // One RX queue per worker on the input (net_pcap: one per rx_pcap), one
  // TX queue per worker on the outputs.
  std::string input_devargs = "net_pcap_in";
  for (unsigned i = 0; i < options.workers; ++i) input_devargs += ",rx_pcap=" + traffic_path;
  auto input = probe_port(input_devargs + ",infinite_rx=1");
  auto output = probe_port("net_null_out,no-rx=1");
  // A gateway's LAN twin, for what goes to the kernel (nothing, here).
  auto twin = probe_port("net_null_twin,no-rx=1");
  if (!input.ok() || !output.ok() || !twin.ok()) {
    std::fprintf(stderr, "ports: %s %s\n", std::string(input.status().message()).c_str(),
                 std::string(output.status().message()).c_str());
    return 2;
  }
  PortOptions port_options;
  port_options.pool = pool;
  port_options.queues = static_cast<uint16_t>(options.workers);
  if (!start_port(*input, port_options).ok() || !start_port(*output, port_options).ok() ||
      !start_port(*twin, port_options).ok()) {
    std::fprintf(stderr, "ports would not start with %u queues\n", options.workers);
    return 2;
  }
  if (is_lan(mode)) config.eid_kernel_port = *twin;
  if (is_decap(mode)) {
    config.rloc_ports[0] = *input;
    config.eid_port = *output;
  } else {
    config.eid_port = *input;
    config.rloc_ports[0] = *output;
  }
  std::vector<WorkerConfig> configs;
  std::vector<std::unique_ptr<LcoreCounters>> counters;
  for (unsigned i = 0; i < options.workers; ++i) {
    counters.push_back(std::make_unique<LcoreCounters>());
    configs.push_back(config);
    configs.back().queue = static_cast<uint16_t>(i);
    configs.back().used = (*cache)->used_bits(i);
    configs.back().counters = counters.back().get();
  }
  auto idle = [&](std::chrono::steady_clock::time_point end) {
    std::this_thread::sleep_until(end);
    return uint64_t{0};
  };
  const Phase forwarding = run_phase(configs, counters, stop, false, seconds, idle);
  uint64_t drops = 0;
  for (const auto& c : counters) {
    drops += c->drop_miss + c->drop_malformed + c->drop_not_local_eid + c->tx_dropped +
             c->adjacency_miss + c->lan_to_kernel;
  }
  std::string updates_json;
  if (options.updates) {
    const Phase quiet = run_phase(configs, counters, stop, true, seconds, idle);
    const Phase changing = run_phase(configs, counters, stop, true, seconds, [&](auto end) {
      return change_map_cache(**cache, prefixes, end);
    });
    (*cache)->flush();
    const double us_per_cycle = 1e6 / static_cast<double>(rte_get_tsc_hz());
    char buffer[512];
    std::snprintf(buffer, sizeof buffer,
                  ", \"map_cache_updates_per_second\": %.0f, \"mpps_during_updates\": %.3f, "
                  "\"longest_poll_us\": %.1f, \"longest_poll_us_during_updates\": %.1f",
                  static_cast<double>(changing.changes) / changing.seconds, changing.mpps,
                  static_cast<double>(quiet.longest_poll_cycles) * us_per_cycle,
                  static_cast<double>(changing.longest_poll_cycles) * us_per_cycle);
    updates_json = buffer;
  }
  std::printf(
      "{\"mode\": \"%s\", \"prefixes\": %u, \"flows\": %zu, \"workers\": %u, \"mpps\": %.3f, "
      "\"cycles_per_packet\": %.1f, \"lookup_cycles_per_packet\": %.1f, "
      "\"map_cache_bytes\": %zu, \"fill_seconds\": %.2f, \"drops\": %lu, \"tsc_hz\": %lu, "
      "\"mean_frame_bytes\": %.1f%s}\n",
      mode.c_str(), prefix_count, traffic->records.size(), options.workers, forwarding.mpps, cycles,
      lookup_cycles, map_cache_bytes, fill_seconds, static_cast<unsigned long>(drops),
      static_cast<unsigned long>(rte_get_tsc_hz()), mean_frame_bytes(*traffic),
      updates_json.c_str());
  stop_port(*input);
  stop_port(*output);
  stop_port(*twin);
  cache->reset();
  rte_mempool_free(pool);
  rte_free(qsbr);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if ((args.size() == 4 || args.size() == 5 || args.size() == 6) && args[0] == "traffic") {
    const std::string size = args.size() >= 5 ? args[4] : "64";
    if (size != "64" && size != "1500" && size != "imix") {
      std::fprintf(stderr, "SIZE is 64, 1500 or imix\n");
      return 2;
    }
    const uint32_t flows =
        args.size() == 6 ? static_cast<uint32_t>(std::stoul(args[5])) : kDefaultFlows;
    if (flows < 32) {
      std::fprintf(stderr, "FLOWS is at least 32 (a burst)\n");
      return 2;
    }
    auto file = make_traffic(args[1], static_cast<uint32_t>(std::stoul(args[2])), size, flows);
    return pcap::write_file(args[3], file).ok() ? 0 : 1;
  }
  const auto separator = std::find(args.begin(), args.end(), "--");
  if (args.size() >= 5 && args[0] == "run" && separator - args.begin() >= 5) {
    RunOptions options;
    for (auto option = args.begin() + 5; option != separator; ++option) {
      if (*option == "updates") {
        options.updates = true;
      } else if (option->rfind("workers=", 0) == 0 && std::stoul(option->substr(8)) >= 1) {
        options.workers = static_cast<unsigned>(std::stoul(option->substr(8)));
      } else {
        std::fprintf(stderr, "unknown option %s\n", option->c_str());
        return 2;
      }
    }
    std::vector<char*> eal_args = {argv[0]};
    for (int i = static_cast<int>(separator - args.begin()) + 2; i < argc; ++i) {
      eal_args.push_back(argv[i]);
    }
    if (rte_eal_init(static_cast<int>(eal_args.size()), eal_args.data()) < 0) return 2;
    const int result = run(args[1], static_cast<uint32_t>(std::stoul(args[2])), args[3],
                           std::stod(args[4]), options);
    rte_eal_cleanup();
    return result;
  }
  std::fprintf(stderr,
               "usage: dataplane_bench traffic MODE PREFIXES OUT.pcap [64|1500|imix [FLOWS]]\n"
               "       dataplane_bench run MODE PREFIXES TRAFFIC.pcap SECONDS [workers=N] "
               "[updates] -- EAL-ARGS...\n");
  return 2;
}
