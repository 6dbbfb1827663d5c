#include "control/xtr/etr.h"

#include <algorithm>

namespace lispmob::control {

EtrResponder::EtrResponder(Options options)
    : limiter_(options.replies_per_second, options.reply_burst) {}

std::optional<Outgoing> EtrResponder::answer(const lisp::MapRequest& request, uint16_t reply_port,
                                             const net::IpAddress& requester, TimePoint now) {
  lisp::MapReply reply;
  reply.nonce = request.nonce;
  reply.probe = request.probe;
  std::vector<net::IpFamily> our_families;
  for (const auto& asked : request.records) {
    const auto eid = eid_prefix_of(asked.eid, asked.eid_mask_len);
    if (!eid) continue;
    for (const auto& record : local_->records) {
      const auto ours = eid_prefix_of(record.eid, record.eid_mask_len);
      if (!ours || ours->first != eid->first || !ours->second.contains(eid->second)) continue;
      if (std::find(reply.records.begin(), reply.records.end(), record) == reply.records.end()) {
        reply.records.push_back(record);
      }
    }
  }
  if (reply.records.empty()) {
    counters_.not_ours++;
    return std::nullopt;
  }
  for (const auto& locator : reply.records.front().locators) {
    if (const auto* ip = locator.address.ip()) our_families.push_back(ip->family());
  }
  const auto destination = reply_destination(request, reply_port, our_families);
  if (!destination) {
    counters_.no_destination++;
    return std::nullopt;
  }
  if (!limiter_.allow(requester, now)) {
    counters_.rate_limited++;
    return std::nullopt;
  }
  if (request.probe) {
    // RFC 9301 §5.4 p bit: the locator the probe reached, i.e. ours in the
    // family the reply travels in.
    for (auto& record : reply.records) {
      for (auto& locator : record.locators) {
        const auto* ip = locator.address.ip();
        if (ip && ip->family() == destination->address.family()) {
          locator.flags |= lisp::Locator::kProbed;
        }
      }
    }
    counters_.probes_answered++;
  } else {
    counters_.requests_answered++;
  }
  return Outgoing{*destination, encode_or_empty(reply)};
}

}  // namespace lispmob::control
