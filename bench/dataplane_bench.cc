// dataplane_bench: throughput of lispmob's encap and decap paths.
//
//   dataplane_bench traffic MODE PREFIXES OUT.pcap [SIZE]
//       writes 1024 flows of frames for MODE (encap4, encap6, decap4; a
//       site gateway's LAN path: lan-encap4, frames from 1000 LAN hosts
//       routed and encapsulated, and lan-decap4, LISP decapsulated to
//       those hosts by their adjacencies) whose destinations hit the
//       map-cache that `run` builds for PREFIXES. SIZE:
//       64 (64-byte frames, the default), 1500 (IP packets that are 1500
//       bytes once encapsulated: 1464 inner, the EID port's MTU on a
//       1500-byte IPv4 RLOC link) or imix (inner IP packets of 46, 576 and
//       1464 bytes, 7:4:1: the simple IMIX, its large packets capped at what
//       the tunnel carries)
//   dataplane_bench run MODE PREFIXES TRAFFIC.pcap SECONDS -- EAL-ARGS...
//       fills the map-cache with PREFIXES random EID-prefixes, measures the
//       cycles per packet of the packet path alone (no I/O), then runs one
//       worker from a net_pcap port (infinite_rx) to a net_null port for
//       SECONDS and prints one JSON object.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <malloc.h>
#include <rte_malloc.h>

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

constexpr int kFlows = 1024;
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
bool is_decap(const std::string& mode) { return mode == "decap4" || mode == "lan-decap4"; }

// The map-cache's prefixes: random distinct IPv4 /24s, or IPv6 /48s under
// 256 /32s (so a million of them need about 66k tbl8 groups per FIB copy).
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

pcap::File make_traffic(const std::string& mode, uint32_t prefix_count, const std::string& size) {
  const bool ipv6 = mode == "encap6";
  const auto prefixes = make_prefixes(ipv6, prefix_count);
  std::mt19937 rng(777);
  pcap::File file;
  for (int flow = 0; flow < kFlows; ++flow) {
    pcap::Record record;
    if (is_decap(mode)) {
      // LISP from the peer to our EID (a LAN host's); flows differ in inner
      // source and outer port.
      auto inner = inner_frame(net::IpAddress::v4(0xcb007100u + flow % 256),
                               is_lan(mode) ? lan_host(flow) : kLocalEid4,
                               static_cast<uint16_t>(1024 + flow), inner_ip_size(size, flow));
      std::vector<uint8_t> lisp_payload = {0x80, 0, 0, static_cast<uint8_t>(flow), 0, 0, 0, 0};
      lisp_payload.insert(lisp_payload.end(), inner.begin() + 14, inner.end());
      record.data = ethernet(0x0800);
      wire::Writer writer(record.data);
      net::Ipv4Header outer;
      outer.source = kPeerRloc4;
      outer.destination = kLocalRloc4;
      net::encode_ip_udp(writer, outer,
                         {static_cast<uint16_t>(0xc000 | flow), 4341, std::nullopt, uint16_t{0}},
                         lisp_payload);
    } else {
      const auto& prefix = prefixes[rng() % prefixes.size()];
      auto bytes = prefix.address.bytes();
      std::array<uint8_t, 16> host{};
      std::copy(bytes.begin(), bytes.end(), host.begin());
      host[bytes.size() - 1] |= 1;
      const auto destination =
          ipv6 ? net::IpAddress::v6(host)
               : net::IpAddress::v4(std::span<const uint8_t, 4>(host.data(), 4));
      const auto source = ipv6           ? *net::IpAddress::parse("2001:db8:3::10")
                          : is_lan(mode) ? lan_host(flow)
                                         : kLocalEid4;
      record.data = inner_frame(source, destination, static_cast<uint16_t>(1024 + flow),
                                inner_ip_size(size, flow));
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
  state.local_eid_count = 1;
  state.local_eids[0] = {kLocalEid4, 32};
  state.egress_mtu4 = 1500;  // every packet is checked against the link's MTU
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

// Cycles per packet of encapsulate()/decapsulate() alone, over the 1024
// flows of the traffic. As in the worker, a burst's worth of mbufs is
// recycled (the mempool's per-lcore cache hands the same hot mbufs back);
// the cost of copying each frame's first 64 bytes into its mbuf is measured
// separately and taken off.
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
  constexpr int kRounds = 2000;
  auto timed = [&](bool with_step) {
    const uint64_t start = rte_rdtsc_precise();
    for (int round = 0; round < kRounds; ++round) {
      for (size_t first = 0; first + kMbufs <= traffic.records.size(); first += kMbufs) {
        for (size_t j = 0; j < kMbufs; ++j) restore(mbufs[j], traffic.records[first + j].data);
        if (!with_step) continue;
        // As the worker does: encapsulation a burst at a time, decapsulation per packet.
        if (is_decap(mode)) {
          for (rte_mbuf* m : mbufs) decapsulate(m, context);
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
         (static_cast<double>(kRounds) * traffic.records.size());
}

// Bytes in use on the DPDK heap and the C++ heap: the map-cache's memory is
// the difference across its creation and fill.
size_t heap_bytes_in_use() {
  rte_malloc_socket_stats stats{};
  rte_malloc_get_socket_stats(static_cast<int>(rte_socket_id()), &stats);
  const struct mallinfo2 info = mallinfo2();
  return stats.heap_allocsz_bytes + info.uordblks + info.hblkhd;
}

int run(const std::string& mode, uint32_t prefix_count, const std::string& traffic_path,
        double seconds) {
  auto traffic = pcap::read_file(traffic_path);
  if (!traffic.ok()) {
    std::fprintf(stderr, "%s\n", std::string(traffic.status().message()).c_str());
    return 2;
  }
  const size_t qsbr_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
  auto* qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("qsbr", qsbr_size, RTE_CACHE_LINE_SIZE));
  rte_rcu_qsbr_init(qsbr, RTE_MAX_LCORE);
  const size_t heap_before = heap_bytes_in_use();
  MapCacheConfig cache_config;
  // Capacity for the family under test; a small table for the other one.
  const bool ipv6 = mode == "encap6";
  cache_config.max_entries = ipv6 ? 1024 : std::max<uint32_t>(prefix_count, 1024);
  cache_config.max_entries_v6 = ipv6 ? std::max<uint32_t>(prefix_count, 1024) : 1024;
  cache_config.ipv4_tbl8_groups = 1024;
  // DPDK 22.11's rte_fib6 trie spends three tbl8 groups (3 KiB) per /48,
  // shared parents or not (measured: 5461 /48s fill 16384 groups).
  cache_config.ipv6_tbl8_groups = mode == "encap6" ? 3 * prefix_count + 1024 : 1024;
  auto cache = MapCache::create(cache_config, qsbr);
  if (!cache.ok()) {
    std::fprintf(stderr, "map-cache: %s\n", std::string(cache.status().message()).c_str());
    return 2;
  }
  const auto fill_start = std::chrono::steady_clock::now();
  for (const auto& prefix : make_prefixes(mode == "encap6", prefix_count)) {
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

  rte_mempool* pool = rte_pktmbuf_pool_create("bench_pool", 16383, 256, 0,
                                              RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
  LocalStatePublisher publisher(qsbr);
  publisher.publish(local_state(mode));
  LcoreCounters counters;
  std::atomic<bool> stop{false};
  WorkerConfig config;
  config.cache = cache->get();
  config.local = &publisher;
  config.qsbr = qsbr;
  config.counters = &counters;
  config.stop = &stop;

  PathContext context = make_context(config, 0);
  context.local = publisher.current();
  LcoreCounters scratch;
  context.counters = &scratch;
  const double cycles = cycles_per_packet(mode, *traffic, pool, context);
  // Every call of the measurement (warm-up and timed pass, 2000 rounds each)
  // must have done the full work, or the figure means nothing.
  if (scratch.encapsulated + scratch.decapsulated != 2ull * 2000 * traffic->records.size()) {
    std::fprintf(stderr,
                 "packet path dropped packets during the cycle measurement (failed FIB adds %lu, "
                 "misses %lu, no headroom %lu, malformed %lu)\n",
                 (unsigned long)(*cache)->failed_adds(), (unsigned long)scratch.map_cache_miss,
                 (unsigned long)scratch.drop_no_headroom, (unsigned long)scratch.drop_malformed);
    return 2;
  }

  auto input = probe_port("net_pcap_in,rx_pcap=" + traffic_path + ",infinite_rx=1");
  auto output = probe_port("net_null_out,no-rx=1");
  // A gateway's LAN twin, for what goes to the kernel (nothing, here).
  auto twin = probe_port("net_null_twin,no-rx=1");
  if (!input.ok() || !output.ok() || !twin.ok()) {
    std::fprintf(stderr, "ports: %s %s\n", std::string(input.status().message()).c_str(),
                 std::string(output.status().message()).c_str());
    return 2;
  }
  PortOptions options;
  options.pool = pool;
  if (!start_port(*input, options).ok() || !start_port(*output, options).ok() ||
      !start_port(*twin, options).ok()) {
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
  const unsigned worker_lcore = rte_get_next_lcore(-1, 1, 0);
  rte_eal_remote_launch(run_worker, &config, worker_lcore);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up
  const uint64_t tx_before = counters.tx_packets;
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const uint64_t tx_after = counters.tx_packets;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  rte_eal_wait_lcore(worker_lcore);
  const double mpps = static_cast<double>(tx_after - tx_before) / elapsed / 1e6;
  std::printf(
      "{\"mode\": \"%s\", \"prefixes\": %u, \"mpps\": %.3f, \"cycles_per_packet\": %.1f, "
      "\"map_cache_bytes\": %zu, \"fill_seconds\": %.2f, \"drops\": %lu, \"tsc_hz\": %lu, "
      "\"mean_frame_bytes\": %.1f}\n",
      mode.c_str(), prefix_count, mpps, cycles, map_cache_bytes, fill_seconds,
      static_cast<unsigned long>(counters.drop_miss + counters.drop_malformed +
                                 counters.drop_not_local_eid + counters.tx_dropped +
                                 counters.adjacency_miss + counters.lan_to_kernel),
      static_cast<unsigned long>(rte_get_tsc_hz()), mean_frame_bytes(*traffic));
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
  if ((argc == 5 || argc == 6) && std::string(argv[1]) == "traffic") {
    const std::string size = argc == 6 ? argv[5] : "64";
    if (size != "64" && size != "1500" && size != "imix") {
      std::fprintf(stderr, "SIZE is 64, 1500 or imix\n");
      return 2;
    }
    auto file = make_traffic(argv[2], static_cast<uint32_t>(std::stoul(argv[3])), size);
    return pcap::write_file(argv[4], file).ok() ? 0 : 1;
  }
  if (argc >= 7 && std::string(argv[1]) == "run" && std::string(argv[6]) == "--") {
    std::vector<char*> eal_args = {argv[0]};
    for (int i = 7; i < argc; ++i) eal_args.push_back(argv[i]);
    if (rte_eal_init(static_cast<int>(eal_args.size()), eal_args.data()) < 0) return 2;
    const int result =
        run(argv[2], static_cast<uint32_t>(std::stoul(argv[3])), argv[4], std::stod(argv[5]));
    rte_eal_cleanup();
    return result;
  }
  std::fprintf(stderr,
               "usage: dataplane_bench traffic MODE PREFIXES OUT.pcap [64|1500|imix]\n"
               "       dataplane_bench run MODE PREFIXES TRAFFIC.pcap SECONDS -- EAL-ARGS...\n");
  return 2;
}
