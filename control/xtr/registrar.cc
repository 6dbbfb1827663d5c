#include "control/xtr/registrar.h"

#include <algorithm>

#include "common/crypto/auth.h"

namespace lispmob::control {

Registrar::Registrar(std::vector<Server> servers, Options options, Random random)
    : servers_(std::move(servers)),
      states_(servers_.size()),
      options_(options),
      random_(std::move(random)) {}

void Registrar::set_servers(std::vector<Server> servers) {
  std::vector<ServerState> states(servers.size());
  for (size_t i = 0; i < servers.size(); ++i) {
    auto same = std::find(servers_.begin(), servers_.end(), servers[i]);
    if (same != servers_.end()) states[i] = states_[same - servers_.begin()];
  }
  servers_ = std::move(servers);
  states_ = std::move(states);
}

void Registrar::set_options(Options options) {
  if (options.identity != options_.identity) records_changed_ = true;
  options_ = std::move(options);
}

void Registrar::set_local(LocalSnapshotPtr local) {
  if (local->records != local_->records) records_changed_ = true;
  local_ = std::move(local);
}

size_t Registrar::active_server() const {
  for (size_t i = 0; i < states_.size(); ++i) {
    if (states_[i].misses_in_a_row < options_.misses_before_failover) return i;
  }
  return 0;
}

Outgoing Registrar::make_register(size_t index, TimePoint now) {
  const Server& server = servers_[index];
  ServerState& state = states_[index];
  lisp::MapRegister message;
  message.want_map_notify = true;
  message.proxy_reply = server.proxy_reply;
  message.nonce = random_();
  message.auth.key_id = server.key_id;
  message.auth.algorithm_id = server.algorithm;
  message.records = local_->records;
  message.identity = options_.identity;
  state.outstanding_nonce = message.nonce;
  state.registers_sent++;
  // Exponential backoff with +-10% jitter, capped at max_retry (and the
  // register interval).
  auto delay = std::min({options_.first_retry * (1 << std::min(state.attempt, 16)),
                         options_.max_retry, options_.interval});
  const double jitter = 0.9 + 0.2 * static_cast<double>(random_() % 1000) / 1000.0;
  state.next_send = now + std::chrono::duration_cast<std::chrono::milliseconds>(delay * jitter);
  auto bytes = crypto::encode_authenticated(message, server.key);
  return {{server.address, lisp::kControlPort},
          bytes.ok() ? std::move(*bytes) : std::vector<uint8_t>{}};
}

std::vector<Outgoing> Registrar::poll(TimePoint now) {
  if (servers_.empty() || local_->records.empty()) return {};
  std::vector<Outgoing> out;
  const bool at_once = !started_ || records_changed_;
  started_ = true;
  records_changed_ = false;
  for (size_t i = 0; i < servers_.size(); ++i) {
    ServerState& state = states_[i];
    if (at_once) {
      state.attempt = 0;
    } else if (now < state.next_send) {
      continue;
    } else if (state.outstanding_nonce) {
      // The last register went unanswered.
      state.registered = false;
      state.misses_in_a_row++;
      state.attempt++;
    } else {
      state.attempt = 0;  // the periodic refresh
    }
    out.push_back(make_register(i, now));
  }
  return out;
}

std::optional<TimePoint> Registrar::next_due() const {
  if (servers_.empty() || local_->records.empty()) return std::nullopt;
  if (!started_ || records_changed_) return TimePoint::min();
  TimePoint due = TimePoint::max();
  for (const auto& state : states_) due = std::min(due, state.next_send);
  return due;
}

bool Registrar::handle(std::span<const uint8_t> bytes, TimePoint now) {
  auto message = lisp::decode_message(bytes);
  const auto* notify = message.ok() ? std::get_if<lisp::MapNotify>(&message->value) : nullptr;
  return notify != nullptr && handle(*notify, bytes, now);
}

bool Registrar::handle(const lisp::MapNotify& message, std::span<const uint8_t> bytes,
                       TimePoint now) {
  const auto* notify = &message;
  if (notify->ack || servers_.empty()) return false;
  for (size_t i = 0; i < servers_.size(); ++i) {
    ServerState& state = states_[i];
    if (state.outstanding_nonce != notify->nonce) continue;
    if (!crypto::verify_authentication(bytes, servers_[i].key)) {
      state.notifies_refused++;
      return false;
    }
    state.outstanding_nonce.reset();
    state.registered = true;
    state.notifies_accepted++;
    state.last_notify = now;
    state.misses_in_a_row = 0;
    state.attempt = 0;
    state.next_send = now + options_.interval;
    return true;
  }
  states_[active_server()].notifies_refused++;  // a nonce we never sent
  return false;
}

}  // namespace lispmob::control
