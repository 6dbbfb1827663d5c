#include "dataplane/local_state.h"

#include <rte_rcu_qsbr.h>

namespace lispmob::dataplane {

LocalStatePublisher::~LocalStatePublisher() {
  delete current_.load(std::memory_order_relaxed);
  for (auto& [token, state] : retired_) delete state;
}

void LocalStatePublisher::publish(const LocalState& state) {
  const LocalState* old = current_.exchange(new LocalState(state), std::memory_order_acq_rel);
  if (old) retired_.emplace_back(rte_rcu_qsbr_start(qsbr_), old);
  maintain();
}

void LocalStatePublisher::maintain() {
  while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().first, false) == 1) {
    delete retired_.front().second;
    retired_.pop_front();
  }
}

}  // namespace lispmob::dataplane
