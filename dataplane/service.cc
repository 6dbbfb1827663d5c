#include "dataplane/service.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dataplane/ports.h"
#include "kni/host_ports.h"

namespace lispmob::dataplane {
namespace {

// A port (an RLOC port, a LAN port) with a queue pair per worker, and its
// kernel twin, which takes the port's MAC: the kernel's ARP/ND answers
// name the port the traffic really arrives on. Both started; their ids.
absl::StatusOr<std::pair<uint16_t, uint16_t>> start_port_and_twin(
    const std::string& devargs, const std::function<std::string(const std::string&)>& twin_devargs,
    const PortOptions& options) {
  auto port = probe_port(kni::with_port_defaults(devargs, options.queues));
  if (!port.ok()) return port.status();
  const rte_ether_addr mac = port_mac(*port);
  char mac_text[RTE_ETHER_ADDR_FMT_SIZE];
  rte_ether_format_addr(mac_text, sizeof(mac_text), &mac);
  auto twin = probe_port(twin_devargs(mac_text));
  if (!twin.ok()) return twin.status();
  for (uint16_t id : {*port, *twin}) {
    if (auto status = start_port(id, options); !status.ok()) return status;
  }
  return std::pair{*port, *twin};
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataplaneService>> DataplaneService::create(
    const DataplaneConfig& config) {
  std::unique_ptr<DataplaneService> service(new DataplaneService);
  const size_t qsbr_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
  service->qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("qsbr", qsbr_size, RTE_CACHE_LINE_SIZE));
  if (service->qsbr_ == nullptr || rte_rcu_qsbr_init(service->qsbr_, RTE_MAX_LCORE) != 0) {
    return absl::ResourceExhaustedError("no memory for the QSBR variable");
  }
  MapCacheConfig cache_config;
  // The control thread holds the map-cache to map_cache_max_entries (it
  // evicts the least recently used entry first); the slack covers entries
  // removed but not yet freed, which hold their slot for a grace period.
  const uint32_t slack = std::max<uint32_t>(1024, config.map_cache_max_entries / 16);
  cache_config.max_entries = config.map_cache_max_entries + slack;
  cache_config.max_entries_v6 = config.map_cache_max_entries + slack;
  // The tables' groups are allocated as prefixes need them; these caps
  // bound what mappings from the wire can make them take. An IPv4 prefix
  // longer than /24 needs at most one group; IPv6 prefixes from one site
  // or registry share most of theirs (1M /48s under 256 /32s take 66k), so
  // two per entry leave room for /128 host routes among them.
  cache_config.ipv4_tbl8_groups = cache_config.max_entries;
  cache_config.ipv6_tbl8_groups = 2 * cache_config.max_entries_v6;
  cache_config.workers = std::max(1u, config.workers);
  auto cache = MapCache::create(cache_config, service->qsbr_);
  if (!cache.ok()) return cache.status();
  service->cache_ = std::move(*cache);
  service->local_ = std::make_unique<LocalStatePublisher>(service->qsbr_);
  service->pool_ =
      rte_pktmbuf_pool_create("lispd_pool", config.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                              static_cast<int>(rte_socket_id()));
  // Indirect mbufs carry fragments' payloads (they own no data room).
  service->indirect_pool_ = rte_pktmbuf_pool_create("lispd_indirect", config.mbufs, 256, 0, 0,
                                                    static_cast<int>(rte_socket_id()));
  service->punt_ring_ = rte_ring_create_elem("lispd_punt", sizeof(PuntRecord),
                                             config.punt_ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
  if (service->pool_ == nullptr || service->indirect_pool_ == nullptr ||
      service->punt_ring_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "no memory for %d mbufs (about %d MB) and the punt ring: give EAL more memory (-m in the "
        "dpdk section's eal-args, or hugepages), or lower mbufs",
        config.mbufs, config.mbufs * 2 * (RTE_MBUF_DEFAULT_BUF_SIZE + 256) / 1000000));
  }
  PortOptions options;
  options.pool = service->pool_;
  options.promiscuous = true;
  options.queues = static_cast<uint16_t>(std::max(1u, config.workers));
  // The pool feeds every queue of every port: fewer descriptors per queue
  // as the queues multiply.
  options.rx_descriptors = static_cast<uint16_t>(std::max(256, 1024 / options.queues));
  options.tx_descriptors = options.rx_descriptors;
  WorkerConfig& worker = service->ports_;
  const auto& links = config.rloc_links;
  if (links.size() > kMaxRlocLinks) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxRlocLinks, " RLOC links"));
  }
  worker.link_count = static_cast<unsigned>(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    auto ports = start_port_and_twin(
        links[i].port,
        [&](const std::string& mac) {
          return kni::twin_tap_device(static_cast<unsigned>(i), links[i].twin, mac);
        },
        options);
    if (!ports.ok()) return ports.status();
    worker.rloc_ports[i] = ports->first;
    worker.kernel_ports[i] = ports->second;
    service->watch_ring_drops(links[i].port);
  }
  if (config.lan_port.empty()) {
    auto tap = EidTap::open(config.eid_interface, options.queues, service->pool_);
    if (!tap.ok()) return tap.status();
    service->eid_tap_ = std::move(*tap);
  } else {
    auto ports = start_port_and_twin(
        config.lan_port,
        [&](const std::string& mac) { return kni::lan_twin_tap_device(config.lan_twin, mac); },
        options);
    if (!ports.ok()) return ports.status();
    worker.eid_port = ports->first;
    worker.eid_kernel_port = ports->second;
    service->watch_ring_drops(config.lan_port);
  }
  worker.burst = static_cast<uint16_t>(config.burst_size);
  worker.idle_sleep_us = config.idle_sleep_us;
  worker.cache = service->cache_.get();
  worker.local = service->local_.get();
  worker.qsbr = service->qsbr_;
  worker.punt_ring = service->punt_ring_;
  worker.punt_signal = &service->punt_signal_;
  worker.direct_pool = service->pool_;
  worker.indirect_pool = service->indirect_pool_;
  worker.stop = &service->stop_;
  for (uint16_t queue = 0; queue < options.queues; ++queue) {
    if (auto status = service->add_worker(queue); !status.ok()) return status;
  }
  return service;
}

void DataplaneService::watch_ring_drops(const std::string& devargs) {
  if (auto interface = kni::kernel_interface_of_port(devargs)) {
    ring_drops_.push_back(kni::PacketRingDrops::for_interface(*interface));
  }
}

absl::Status DataplaneService::add_worker(uint16_t queue) {
  auto worker = std::make_unique<Worker>();
  // Reassembly: at most kReassemblyPackets packets in progress per worker
  // (each up to RTE_LIBRTE_IP_FRAG_MAX_FRAG fragments), each for at most
  // kReassemblySeconds; a full table refuses the next with a counter. A
  // packet's fragments reach one worker: RSS hashes IP fragments by
  // addresses only.
  constexpr uint32_t kReassemblyPackets = 4096;
  constexpr uint32_t kReassemblySeconds = 2;
  // The library announces its allocation at INFO through the USER1 log type.
  const int user1_level = rte_log_get_level(RTE_LOGTYPE_USER1);
  rte_log_set_level(RTE_LOGTYPE_USER1, RTE_LOG_WARNING);
  worker->reassembly = rte_ip_frag_table_create(kReassemblyPackets / 4, 4, kReassemblyPackets,
                                                rte_get_tsc_hz() * kReassemblySeconds,
                                                static_cast<int>(rte_socket_id()));
  rte_log_set_level(RTE_LOGTYPE_USER1, static_cast<uint32_t>(user1_level));
  worker->death_row = static_cast<rte_ip_frag_death_row*>(
      rte_zmalloc("lispd_death_row", sizeof(rte_ip_frag_death_row), RTE_CACHE_LINE_SIZE));
  if (worker->reassembly == nullptr || worker->death_row == nullptr) {
    if (worker->reassembly) rte_ip_frag_table_destroy(worker->reassembly);
    rte_free(worker->death_row);
    return absl::ResourceExhaustedError("no memory for the reassembly table");
  }
  worker->config = ports_;
  worker->config.queue = queue;
  if (eid_tap_ != nullptr) worker->config.eid_tap = eid_tap_->queue(queue);
  worker->config.used = cache_->used_bits(queue);
  worker->config.reassembly = worker->reassembly;
  worker->config.death_row = worker->death_row;
  worker->config.counters = &worker->counters;
  workers_.push_back(std::move(worker));
  return absl::OkStatus();
}

absl::Status DataplaneService::start() {
  if (local_->current() == nullptr)
    return absl::FailedPreconditionError("no local state published");
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (auto& worker : workers_) {
    if (lcore >= RTE_MAX_LCORE) {
      return absl::FailedPreconditionError(
          absl::StrCat(workers_.size(), " workers need as many worker lcores"));
    }
    worker->lcore = lcore;
    if (rte_eal_remote_launch(run_worker, &worker->config, lcore) != 0) {
      return absl::InternalError(absl::StrCat("cannot launch the worker on lcore ", lcore));
    }
    worker->running = true;
    lcore = rte_get_next_lcore(lcore, 1, 0);
  }
  return absl::OkStatus();
}

size_t DataplaneService::drain_punts(std::span<PuntRecord> out) {
  punt_signal_.rearm();
  return rte_ring_sc_dequeue_burst_elem(punt_ring_, out.data(), sizeof(PuntRecord),
                                        static_cast<unsigned>(out.size()), nullptr);
}

void DataplaneService::maintain() {
  cache_->maintain();
  local_->maintain();
}

namespace {
MacAddress mac_bytes(const rte_ether_addr& mac) {
  MacAddress out;
  std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes), out.begin());
  return out;
}
}  // namespace

MacAddress DataplaneService::rloc_port_mac(unsigned link) const {
  return mac_bytes(port_mac(ports_.rloc_ports[link]));
}

MacAddress DataplaneService::eid_port_mac() const {
  if (eid_tap_ != nullptr) return eid_tap_->mac();
  return mac_bytes(port_mac(ports_.eid_port));
}

uint16_t DataplaneService::rloc_port_mtu(unsigned link) const {
  return port_mtu(ports_.rloc_ports[link]);
}

std::vector<uint16_t> DataplaneService::all_ports() const {
  std::vector<uint16_t> ports = {ports_.eid_port, ports_.eid_kernel_port};
  for (unsigned link = 0; link < ports_.link_count; ++link) {
    ports.push_back(ports_.rloc_ports[link]);
    ports.push_back(ports_.kernel_ports[link]);
  }
  std::erase(ports, kNoPort);
  return ports;
}

DataplaneCounters DataplaneService::counters() const {
  DataplaneCounters sum;
  for (const auto& worker : workers_) sum += worker->counters.snapshot();
  for (uint16_t port : all_ports()) {
    sum.rx_nombuf += port_rx_nombuf(port);
    sum.rx_missed += port_rx_missed(port);
    sum.tx_port_errors += port_tx_errors(port);
  }
  for (auto& drops : ring_drops_) sum.rx_missed += drops.total();
  return sum;
}

std::vector<DataplaneCounters> DataplaneService::worker_counters() const {
  std::vector<DataplaneCounters> out;
  for (const auto& worker : workers_) out.push_back(worker->counters.snapshot());
  return out;
}

DataplaneService::~DataplaneService() {
  stop_ = true;
  for (auto& worker : workers_) {
    if (worker->running) rte_eal_wait_lcore(worker->lcore);
  }
  for (uint16_t port : all_ports()) {
    if (rte_eth_dev_is_valid_port(port)) stop_port(port);
  }
  for (auto& worker : workers_) {
    rte_ip_frag_free_death_row(worker->death_row, 0);
    rte_free(worker->death_row);
    rte_ip_frag_table_destroy(worker->reassembly);
  }
  cache_.reset();
  local_.reset();
  if (punt_ring_) rte_ring_free(punt_ring_);
  if (pool_) rte_mempool_free(pool_);
  if (indirect_pool_) rte_mempool_free(indirect_pool_);
  if (qsbr_) rte_free(qsbr_);
}

}  // namespace lispmob::dataplane
