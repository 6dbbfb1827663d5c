#include "control/xtr/solicitor.h"

#include <algorithm>

namespace lispmob::control {

Solicitor::Solicitor(Options options, Random random)
    : options_(options), random_(std::move(random)), limiter_(options.per_second, options.burst) {}

void Solicitor::set_options(Options options) {
  if (options.per_second != options_.per_second || options.burst != options_.burst) {
    limiter_ = RateLimiter(options.per_second, options.burst);
  }
  options_ = options;
}

void Solicitor::start(const std::vector<Peer>& peers, TimePoint now) {
  targets_.clear();
  auto add = [&](const Peer& peer) {
    if (std::any_of(targets_.begin(), targets_.end(),
                    [&](const Target& target) { return target.peer == peer; })) {
      return;
    }
    if (targets_.size() >= options_.max_peers) {
      counters_.smr_table_full++;
      return;
    }
    targets_.push_back({peer, 0, now, now});
  };
  for (const auto& peer : peers) add(peer);
  // A Proxy-ITR is asked about our own prefixes, in each of our instances.
  for (const auto& pitr : proxy_itrs_) {
    for (const auto& [iid, prefix] : local_->identity.eids) add({iid, std::nullopt, pitr});
  }
}

void Solicitor::registered(TimePoint now) {
  for (auto& target : targets_) target.next_send = now;
}

void Solicitor::acknowledged(const lisp::MapRequest& request) {
  const auto eid = eid_of(request.source_eid);
  auto asked = [&](const Target& target) {
    const Peer& peer = target.peer;
    if (peer.prefix && eid && eid->first == peer.instance_id && peer.prefix->contains(eid->second))
      return true;
    return std::any_of(request.itr_rlocs.begin(), request.itr_rlocs.end(),
                       [&](const lisp::Address& rloc) { return rloc == lisp::Address(peer.rloc); });
  };
  counters_.smr_acknowledged += std::erase_if(targets_, asked);
}

// RFC 9301 §6.1: an SMR is a Map-Request with S set, sent to the peer's
// RLOC; its source EID is our EID whose mapping changed, its record the
// peer's EID-prefix (our own for a Proxy-ITR), its ITR-RLOCs our new RLOCs.
void Solicitor::send(Target& target, TimePoint now, std::vector<Outgoing>& out) {
  const Peer& peer = target.peer;
  if (!limiter_.allow(peer.rloc, now)) {
    counters_.smr_rate_limited++;
    return;
  }
  for (const auto& [iid, prefix] : local_->identity.eids) {
    if (iid != peer.instance_id) continue;
    const net::IpPrefix& record = peer.prefix ? *peer.prefix : prefix;
    lisp::MapRequest smr;
    smr.smr = true;
    smr.nonce = random_();
    smr.source_eid = eid_address(iid, prefix.address);
    smr.itr_rlocs.assign(local_->identity.rlocs.begin(), local_->identity.rlocs.end());
    smr.records = {lisp::EidRecord{0, record.length, eid_address(iid, record.address)}};
    counters_.smr_sent++;
    if (target.sent > 0) counters_.smr_retransmitted++;
    out.push_back({{peer.rloc}, encode_or_empty(smr)});
  }
  target.sent++;
}

std::vector<Outgoing> Solicitor::poll(TimePoint now) {
  std::vector<Outgoing> out;
  if (local_->identity.rlocs.empty()) return out;
  for (auto it = targets_.begin(); it != targets_.end();) {
    if (now < it->next_send) {
      ++it;
      continue;
    }
    if (now - it->started >= options_.give_up_after) {
      counters_.smr_given_up++;
      it = targets_.erase(it);
      continue;
    }
    send(*it, now, out);
    const int doublings = std::max(0, std::min(it->sent - 1, 16));
    it->next_send = now + std::min<std::chrono::milliseconds>(
                              options_.first_retry * (1 << doublings), options_.max_retry);
    ++it;
  }
  return out;
}

std::optional<TimePoint> Solicitor::next_due() const {
  if (local_->identity.rlocs.empty()) return std::nullopt;
  std::optional<TimePoint> due;
  for (const auto& target : targets_) {
    if (!due || target.next_send < *due) due = target.next_send;
  }
  return due;
}

}  // namespace lispmob::control
