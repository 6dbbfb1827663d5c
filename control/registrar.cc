#include "control/registrar.h"

#include <algorithm>

#include "common/crypto/auth.h"

namespace lispmob::control {

Registrar::Registrar(std::vector<Server> servers, Options options, Random random)
    : servers_(std::move(servers)),
      states_(servers_.size()),
      options_(options),
      random_(std::move(random)) {}

std::vector<Registrar::Server> Registrar::servers_from_config(const config::Config& config) {
  std::vector<Server> servers;
  for (const auto& server : config.map_servers) {
    // Host names need a resolver the control loop does not have yet.
    if (auto address = net::IpAddress::parse(server.address)) {
      servers.push_back(
          {*address, server.key_id, server.algorithm, server.key, server.proxy_reply});
    }
  }
  return servers;
}

void Registrar::set_records(std::vector<lisp::MappingRecord> records) {
  if (records == records_) return;
  records_ = std::move(records);
  records_changed_ = true;
}

Outgoing Registrar::make_register(TimePoint now) {
  const Server& server = servers_[active_];
  lisp::MapRegister message;
  message.want_map_notify = true;
  message.proxy_reply = server.proxy_reply;
  message.nonce = random_();
  message.auth.key_id = server.key_id;
  message.auth.algorithm_id = server.algorithm;
  message.records = records_;
  outstanding_nonce_ = message.nonce;
  states_[active_].registers_sent++;
  // Exponential backoff with +-10% jitter, capped at the register interval.
  auto delay = std::min<std::chrono::milliseconds>(
      options_.first_retry * (1 << std::min(attempt_, 16)), options_.interval);
  const double jitter = 0.9 + 0.2 * static_cast<double>(random_() % 1000) / 1000.0;
  next_send_ = now + std::chrono::duration_cast<std::chrono::milliseconds>(delay * jitter);
  auto bytes = crypto::encode_authenticated(message, server.key);
  return {{server.address, lisp::kControlPort},
          bytes.ok() ? std::move(*bytes) : std::vector<uint8_t>{}};
}

std::vector<Outgoing> Registrar::poll(TimePoint now) {
  if (servers_.empty() || records_.empty()) return {};
  if (!started_ || records_changed_) {
    started_ = true;
    records_changed_ = false;
    attempt_ = 0;
    return {make_register(now)};
  }
  if (now < next_send_) return {};
  if (outstanding_nonce_) {
    // The last register went unanswered.
    ServerState& state = states_[active_];
    state.registered = false;
    if (++state.misses_in_a_row >= options_.misses_before_failover && servers_.size() > 1) {
      state.misses_in_a_row = 0;
      active_ = (active_ + 1) % servers_.size();
      attempt_ = 0;
    } else {
      ++attempt_;
    }
  } else {
    attempt_ = 0;  // the periodic refresh
  }
  return {make_register(now)};
}

bool Registrar::handle(std::span<const uint8_t> bytes, TimePoint now) {
  auto message = lisp::decode_message(bytes);
  const auto* notify = message.ok() ? std::get_if<lisp::MapNotify>(&message->value) : nullptr;
  if (notify == nullptr || notify->ack || servers_.empty()) return false;
  ServerState& state = states_[active_];
  if (!outstanding_nonce_ || notify->nonce != *outstanding_nonce_ ||
      !crypto::verify_authentication(bytes, servers_[active_].key)) {
    state.notifies_refused++;
    return false;
  }
  outstanding_nonce_.reset();
  state.registered = true;
  state.notifies_accepted++;
  state.misses_in_a_row = 0;
  attempt_ = 0;
  next_send_ = now + options_.interval;
  return true;
}

}  // namespace lispmob::control
