#include "control/xtr/rloc_prober.h"

namespace lispmob::control {

std::vector<net::IpAddress> RlocProber::set_options(Options options) {
  options_ = options;
  std::vector<net::IpAddress> were_down;
  if (enabled()) return were_down;
  for (const auto& [rloc, target] : targets_) {
    if (target.down) were_down.push_back(rloc);
  }
  targets_.clear();
  return were_down;
}

RlocProber::Poll RlocProber::poll(const InUse& in_use, const std::vector<net::IpAddress>& ours,
                                  TimePoint now) {
  Poll out;
  if (!enabled() || ours.empty()) return out;
  std::erase_if(targets_, [&](const auto& target) { return !in_use.count(target.first); });
  for (const auto& [rloc, served] : in_use) {
    auto found = targets_.find(rloc);
    if (found == targets_.end()) {
      if (targets_.size() >= kMaxTargets) {
        out.refused++;
        continue;
      }
      found = targets_.emplace(rloc, Target{}).first;
      found->second.next = now + options_.interval;
    }
    Target& target = found->second;
    target.instance_id = served.first;
    target.prefix = served.second;
    if (now < target.next) continue;
    if (target.outstanding && ++target.unanswered > options_.retries && !target.down) {
      target.down = true;
      out.went_down.push_back(rloc);
    }
    lisp::MapRequest request;
    request.probe = true;
    request.nonce = random_();
    request.itr_rlocs.assign(ours.begin(), ours.end());
    request.records = {lisp::EidRecord{0, target.prefix.length,
                                       eid_address(target.instance_id, target.prefix.address)}};
    target.nonce = request.nonce;
    target.outstanding = true;
    const bool retrying = target.unanswered > 0 && !target.down;
    target.next = now + (retrying ? options_.retry_interval : options_.interval);
    out.probes.push_back({{rloc}, encode_or_empty(request)});
  }
  return out;
}

std::optional<bool> RlocProber::handle_reply(const lisp::MapReply& reply,
                                             net::IpAddress& answered) {
  for (auto& [rloc, target] : targets_) {
    if (!target.outstanding || target.nonce != reply.nonce) continue;
    target.outstanding = false;
    target.unanswered = 0;
    answered = rloc;
    const bool was_down = target.down;
    target.down = false;
    return was_down;
  }
  return std::nullopt;
}

bool RlocProber::down(const net::IpAddress& rloc) const {
  auto found = targets_.find(rloc);
  return found != targets_.end() && found->second.down;
}

std::optional<TimePoint> RlocProber::next_due() const {
  std::optional<TimePoint> due;
  for (const auto& [rloc, target] : targets_) {
    if (!due || target.next < *due) due = target.next;
  }
  return due;
}

}  // namespace lispmob::control
