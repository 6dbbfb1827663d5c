// The DPDK data plane behind the plane contract (dataplane/api/dataplane.h),
// as one object: the mbuf pools, the EID port (lmn0, our own tap, or a
// site gateway's LAN port and its twin), the RLOC ports (one per RLOC link of a
// multihomed node), each with its kernel twin (a second net_tap the kernel
// answers ARP, ICMP and LISP control through), the map-cache, the local
// state, the punt ring and the workers: one per worker lcore, each with
// its own queue pair on every port, its counters, its used bitmap and its
// reassembly table. EAL must be initialised first.
#pragma once

#include <rte_ip_frag.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dataplane/api/dataplane.h"
#include "dataplane/eid_tap.h"
#include "dataplane/local_state.h"
#include "dataplane/map_cache.h"
#include "dataplane/worker.h"
#include "kni/packet_ring_drops.h"

namespace lispmob::dataplane {

// What the DPDK data plane is built from (lispd projects it from the config).
struct DataplaneConfig {
  struct RlocLink {
    std::string port;  // DPDK devargs: a PCI address, net_af_packet...
    std::string twin;  // the kernel twin's interface name
  };
  std::vector<RlocLink> rloc_links;  // at most kMaxRlocLinks
  std::string eid_interface = "lmn0";
  // A site gateway's LAN port (devargs) and its twin's name: the EID side
  // instead of the lmn0 tap. Empty port: lmn0.
  std::string lan_port;
  std::string lan_twin;
  uint32_t map_cache_max_entries = 1 << 20;  // per family
  uint32_t mbufs = 8191;
  uint32_t punt_ring_size = 1024;
  uint32_t burst_size = 32;
  uint32_t idle_sleep_us = 0;
  // Workers, one per EAL worker lcore from the first; every port gets one
  // queue pair per worker (RSS spreads flows where the port has it).
  unsigned workers = 1;
};

class DataplaneService final : public Dataplane {
 public:
  static absl::StatusOr<std::unique_ptr<DataplaneService>> create(const DataplaneConfig& config);
  ~DataplaneService() override;

  absl::Status upsert(const Mapping& mapping) override { return cache_->upsert(mapping); }
  absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) override {
    return cache_->erase(instance_id, prefix);
  }
  std::optional<net::IpPrefix> longest_match(uint32_t instance_id,
                                             const net::IpAddress& address) const override {
    return cache_->longest_match(instance_id, address);
  }
  size_t mapping_count() const override { return cache_->size(); }
  std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() override {
    return cache_->take_used();
  }
  void publish(const LocalState& state) override { local_->publish(state); }
  // Starts the worker lcores.
  absl::Status start() override;
  size_t drain_punts(std::span<PuntRecord> out) override;
  int punt_fd() const override { return punt_signal_.fd(); }
  DataplaneCounters counters() const override;
  std::vector<DataplaneCounters> worker_counters() const override;
  void maintain() override;
  unsigned link_count() const override { return ports_.link_count; }
  MacAddress rloc_port_mac(unsigned link) const override;
  MacAddress eid_port_mac() const override;
  uint16_t rloc_port_mtu(unsigned link) const override;

  MapCache& cache() { return *cache_; }

 private:
  DataplaneService() = default;

  // One worker lcore's own: nothing in it is shared with another worker.
  struct Worker {
    WorkerConfig config;
    LcoreCounters counters;
    rte_ip_frag_tbl* reassembly = nullptr;
    rte_ip_frag_death_row* death_row = nullptr;
    unsigned lcore = 0;
    bool running = false;
  };
  absl::Status add_worker(uint16_t queue);
  // Counts the kernel's drops at the receive rings of an af_packet port.
  void watch_ring_drops(const std::string& devargs);
  std::vector<uint16_t> all_ports() const;

  rte_rcu_qsbr* qsbr_ = nullptr;
  rte_mempool* pool_ = nullptr;
  rte_mempool* indirect_pool_ = nullptr;
  rte_ring* punt_ring_ = nullptr;
  PuntSignal punt_signal_;
  std::unique_ptr<MapCache> cache_;
  std::unique_ptr<LocalStatePublisher> local_;
  std::unique_ptr<EidTap> eid_tap_;  // lmn0, unless the EID side is a LAN port
  std::atomic<bool> stop_{false};
  // The ports and what every worker shares; each worker's config is a copy
  // with its own queue, counters, used bitmap and reassembly table.
  WorkerConfig ports_;
  std::vector<std::unique_ptr<Worker>> workers_;
  // Read (and reset in the kernel) by counters(), on the control thread.
  mutable std::vector<kni::PacketRingDrops> ring_drops_;
};

}  // namespace lispmob::dataplane
