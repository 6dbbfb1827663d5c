// Registration of our EID-prefixes with the Map-Servers (RFC 9301 §8.2):
// Map-Register with want-map-notify to every configured Map-Server, each on
// its own schedule: every interval, and at once when the records change (an
// RLOC moved); retransmitted with exponential backoff and jitter until a
// Map-Notify with that server's nonce and a valid HMAC arrives. The active
// Map-Server (the one counted on, marked in lispctl) is the first one that
// has not missed `misses_before_failover` registers in a row: after that
// many misses the next one takes over, while the missing one is still
// retried. No I/O and no clock of its own: the caller passes the time and
// sends what poll() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/lisp/message.h"
#include "control/ms/map_server.h"
#include "control/xtr/local_snapshot.h"

namespace lispmob::control {

class Registrar {
 public:
  struct Server {
    net::IpAddress address;
    uint8_t key_id = 0;
    uint8_t algorithm = 1;
    std::string key;
    bool proxy_reply = false;
    friend bool operator==(const Server&, const Server&) = default;
  };
  struct Options {
    std::chrono::milliseconds interval{60000};
    std::chrono::milliseconds first_retry{1000};
    // Retransmissions double up to this (or the interval, if shorter): a
    // Map-Server back from an outage, or Map-Notifies that pass again,
    // are seen within it.
    std::chrono::milliseconds max_retry{10000};
    int misses_before_failover = 3;
    // xtr-id and site-id: sent in every Map-Register with the I bit
    // (RFC 9301 §5.6); unset: no identity.
    std::optional<lisp::XtrIdentity> identity;
    friend bool operator==(const Options&, const Options&) = default;
  };
  struct ServerState {
    bool registered = false;
    uint64_t registers_sent = 0;
    uint64_t notifies_accepted = 0;
    uint64_t notifies_refused = 0;         // wrong nonce or bad HMAC
    std::optional<TimePoint> last_notify;  // the last Map-Notify accepted
    int misses_in_a_row = 0;
    // The register waiting for its Map-Notify, and when to send again.
    std::optional<uint64_t> outstanding_nonce;
    int attempt = 0;  // retransmissions of the outstanding register
    TimePoint next_send{};
  };
  using Random = std::function<uint64_t()>;

  Registrar(std::vector<Server> servers, Options options, Random random);
  // A reload's Map-Servers: one that stays (same address, key and flags)
  // keeps its state; a new one is registered with at the next poll.
  void set_servers(std::vector<Server> servers);

  // A reload's timers and identity; a new identity registers at the next poll.
  void set_options(Options options);
  // Who we are: its records are registered. A change of the records (new
  // RLOCs) registers at the next poll.
  void set_local(LocalSnapshotPtr local);
  // lispctl's "re-register": every Map-Server again at the next poll, as
  // if the records had changed.
  void register_now() { records_changed_ = true; }
  // The Map-Registers due at `now`.
  std::vector<Outgoing> poll(TimePoint now);
  // When poll() next has something to send; nullopt: nothing until the
  // records change.
  std::optional<TimePoint> next_due() const;
  // A received Map-Notify, decoded once by the caller; `bytes` are its
  // wire form, for the HMAC. True if it was the one we wait for.
  bool handle(const lisp::MapNotify& notify, std::span<const uint8_t> bytes, TimePoint now);
  // The same from the wire form alone.
  bool handle(std::span<const uint8_t> bytes, TimePoint now);

  size_t active_server() const;
  const ServerState& state(size_t server) const { return states_[server]; }
  const std::vector<Server>& servers() const { return servers_; }

 private:
  Outgoing make_register(size_t server, TimePoint now);

  std::vector<Server> servers_;
  std::vector<ServerState> states_;
  Options options_;
  Random random_;
  LocalSnapshotPtr local_ = LocalSnapshot::empty();
  bool records_changed_ = false;
  bool started_ = false;
};

}  // namespace lispmob::control
