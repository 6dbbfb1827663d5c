// The data plane as one object: the mbuf pool, the EID port (lmn0, a
// net_tap), the RLOC ports (one per RLOC link of a multihomed node), each
// with its kernel twin (a second net_tap the kernel answers ARP, ICMP and
// LISP control through), the map-cache, the local state, the punt ring and
// one worker lcore. EAL must be initialised first.
#pragma once

#include <rte_ip_frag.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "dataplane/local_state.h"
#include "dataplane/map_cache.h"
#include "dataplane/worker.h"

namespace lispmob::dataplane {

class DataplaneService {
 public:
  static absl::StatusOr<std::unique_ptr<DataplaneService>> start(const config::Config& config);
  ~DataplaneService();

  MapCache& cache() { return *cache_; }
  LocalStatePublisher& local() { return *local_; }
  rte_ring* punt_ring() { return punt_ring_; }
  rte_rcu_qsbr* qsbr() { return qsbr_; }
  uint16_t eid_port() const { return config_.eid_port; }
  unsigned link_count() const { return config_.link_count; }
  uint16_t rloc_port(unsigned link = 0) const { return config_.rloc_ports[link]; }
  LcoreCounters counters() const;
  // Starts the worker lcore; publish a local state first.
  absl::Status launch();

 private:
  DataplaneService() = default;

  rte_rcu_qsbr* qsbr_ = nullptr;
  rte_mempool* pool_ = nullptr;
  rte_mempool* indirect_pool_ = nullptr;
  rte_ip_frag_tbl* reassembly_ = nullptr;
  rte_ip_frag_death_row* death_row_ = nullptr;
  rte_ring* punt_ring_ = nullptr;
  std::unique_ptr<MapCache> cache_;
  std::unique_ptr<LocalStatePublisher> local_;
  LcoreCounters counters_;
  std::atomic<bool> stop_{false};
  WorkerConfig config_;
  unsigned worker_lcore_ = 0;
  bool worker_running_ = false;
};

// The EAL arguments a config asks for: its eal-args, two lcores, and the
// vdevs for lmn0, the RLOC port and the kernel twin.
std::vector<std::string> eal_arguments(const config::Config& config, const std::string& program);

}  // namespace lispmob::dataplane
