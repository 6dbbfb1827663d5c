// Publishes LocalState snapshots (dataplane/api/local_state.h) to the
// workers: RCU, the old one freed after a grace period of the same QSBR
// variable the map-cache uses.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <deque>

#include "dataplane/api/local_state.h"

namespace lispmob::dataplane {

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
