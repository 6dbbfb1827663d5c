#include "control/xtr/xtr_control.h"

#include <algorithm>

namespace lispmob::control {

XtrControl::XtrControl(std::vector<Registrar::Server> map_servers,
                       std::vector<net::IpAddress> map_resolvers, Options options, Random random,
                       MapCacheWriter& cache)
    : registrar_(std::move(map_servers), options.registrar, random),
      resolver_(std::move(map_resolvers), options.resolver, random, cache),
      solicitor_(options.solicitor, random),
      etr_(options.etr) {}

void XtrControl::set_local(std::vector<lisp::MappingRecord> records,
                           const std::vector<net::IpAddress>& unregistered_rlocs) {
  auto local = LocalSnapshot::of(std::move(records), unregistered_rlocs);
  if (local->records == local_->records && local->identity == local_->identity) return;
  // Peers only need telling when RLOCs we had are replaced, not at start.
  const auto& before = local_->identity.rlocs;
  if (local->identity.rlocs != before && !before.empty()) solicit_pending_ = true;
  local_ = local;
  resolver_.set_local(local);
  solicitor_.set_local(local);
  etr_.set_local(local);
  registrar_.set_local(std::move(local));
}

std::vector<Outgoing> XtrControl::handle(std::span<const uint8_t> bytes, const Endpoint& source,
                                         TimePoint now) {
  auto message = lisp::decode_message(bytes);
  if (!message.ok()) {
    counters_.malformed++;
    return {};
  }
  if (const auto* notify = std::get_if<lisp::MapNotify>(&message->value)) {
    if (registrar_.handle(*notify, bytes, now) && awaiting_notify_) {
      awaiting_notify_ = false;
      solicitor_.registered(now);
    }
    return {};
  }
  if (const auto* reply = std::get_if<lisp::MapReply>(&message->value)) {
    resolver_.handle_reply(*reply, now);
    return {};
  }
  if (const auto* request = std::get_if<lisp::MapRequest>(&message->value)) {
    return handle_request(*request, source.port, source, now);
  }
  if (const auto* ecm = std::get_if<lisp::EncapsulatedControlMessage>(&message->value)) {
    if (const auto* request = std::get_if<lisp::MapRequest>(&ecm->inner->value)) {
      return handle_request(*request, ecm->inner_udp.source_port, source, now);
    }
  }
  counters_.ignored++;
  return {};
}

std::vector<Outgoing> XtrControl::handle_request(const lisp::MapRequest& request,
                                                 uint16_t reply_port, const Endpoint& source,
                                                 TimePoint now) {
  if (request.smr) return resolver_.handle_smr(request, source.address, now);
  if (request.smr_invoked) solicitor_.acknowledged(request);
  std::vector<Outgoing> out;
  if (auto reply = etr_.answer(request, reply_port, source.address, now)) {
    out.push_back(std::move(*reply));
  }
  // A peer asking from an RLOC its mapping lacks has moved: ask for it.
  auto again = resolver_.peer_seen(request, source.address, now);
  out.insert(out.end(), std::make_move_iterator(again.begin()),
             std::make_move_iterator(again.end()));
  return out;
}

std::vector<Outgoing> XtrControl::miss(uint32_t instance_id, const net::IpAddress& eid,
                                       TimePoint now) {
  return resolver_.resolve(instance_id, eid, now);
}

std::optional<TimePoint> XtrControl::next_due() const {
  if (solicit_pending_) return TimePoint::min();
  std::optional<TimePoint> due;
  for (const auto& next : {registrar_.next_due(), resolver_.next_due(), solicitor_.next_due()}) {
    if (next && (!due || *next < *due)) due = next;
  }
  return due;
}

std::vector<Outgoing> XtrControl::poll(TimePoint now) {
  // Registers first: the Map-Server should hold the new RLOCs before the
  // SMR-invoked requests the SMRs cause reach it.
  std::vector<Outgoing> out = registrar_.poll(now);
  if (solicit_pending_) {
    solicit_pending_ = false;
    awaiting_notify_ = true;
    solicitor_.start(resolver_.smr_peers(), now);
  }
  auto smrs = solicitor_.poll(now);
  out.insert(out.end(), std::make_move_iterator(smrs.begin()), std::make_move_iterator(smrs.end()));
  auto requests = resolver_.poll(now);
  out.insert(out.end(), std::make_move_iterator(requests.begin()),
             std::make_move_iterator(requests.end()));
  return out;
}

}  // namespace lispmob::control
