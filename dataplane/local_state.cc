#include "dataplane/local_state.h"

#include <rte_rcu_qsbr.h>

namespace lispmob::dataplane {

bool LocalState::is_local_eid(const uint8_t* address, bool ipv6) const {
  for (unsigned i = 0; i < local_eid_count; ++i) {
    const net::IpPrefix& prefix = local_eids[i];
    if (prefix.address.is_v6() != ipv6) continue;
    const unsigned full_bytes = prefix.length / 8;
    const auto bytes = prefix.address.bytes();
    bool match = std::equal(bytes.begin(), bytes.begin() + full_bytes, address);
    if (match && prefix.length % 8) {
      const uint8_t mask = static_cast<uint8_t>(0xff00u >> (prefix.length % 8));
      match = (address[full_bytes] & mask) == bytes[full_bytes];
    }
    if (match) return true;
  }
  return false;
}

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
