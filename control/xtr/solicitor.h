// The sending end of Solicit-Map-Request (RFC 9301 §6.1), kept up until
// each peer has asked. When our locators change, every peer that may hold
// our old mapping (each locator of each mapping in the map-cache, and each
// Proxy-ITR) gets an SMR for each of our EID-prefixes, and again with
// backoff (50 ms, doubling up to 500 ms, for 10 s: 23 SMRs at most) until
// an SMR-invoked Map-Request from it reaches our ETR. The cap keeps a peer
// whose SMRs were all lost for a while (a link blackout) within half a
// second of hearing once they pass again. Only that proves the peer asked the
// Map-Server after it held our new locators: a request that reached the
// Map-Server first went to the old ones. So when the Map-Notify for the new
// registration arrives, the peers that have not asked yet are told again at
// once. SMRs to one RLOC are rate-limited, and the table of peers to tell
// is bounded. A state machine without I/O or clock, like the other roles.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/lisp/message.h"
#include "control/messages.h"
#include "control/rate_limiter.h"
#include "control/xtr/local_snapshot.h"

namespace lispmob::control {

struct SolicitorCounters {
  uint64_t smr_sent = 0;
  uint64_t smr_retransmitted = 0;  // of those, to a peer that had not asked yet
  uint64_t smr_acknowledged = 0;   // peers whose SMR-invoked Map-Request reached us
  uint64_t smr_given_up = 0;       // peers that never asked within a round
  uint64_t smr_rate_limited = 0;
  uint64_t smr_table_full = 0;  // peers not told: max_peers followed
};

class Solicitor {
 public:
  struct Options {
    std::chrono::milliseconds first_retry{50};       // then doubles ...
    std::chrono::milliseconds max_retry{500};        // ... up to this
    std::chrono::milliseconds give_up_after{10000};  // a round's length
    double per_second = 10;                          // per peer RLOC
    double burst = 5;
    size_t max_peers = 4096;
    friend bool operator==(const Options&, const Options&) = default;
  };
  // One peer to tell: an RLOC of a mapping in our map-cache, or a Proxy-ITR.
  struct Peer {
    uint32_t instance_id = 0;
    std::optional<net::IpPrefix> prefix;  // the peer's EID-prefix; none: a Proxy-ITR
    net::IpAddress rloc;
    friend bool operator==(const Peer&, const Peer&) = default;
  };
  using Random = std::function<uint64_t()>;

  Solicitor(Options options, Random random);
  void set_options(Options options);
  void set_local(LocalSnapshotPtr local) { local_ = std::move(local); }
  // proxy-itrs: they encapsulate to us without our having resolved them, so
  // every round tells them too, about our own prefixes.
  void set_proxy_itrs(std::vector<net::IpAddress> proxy_itrs) {
    proxy_itrs_ = std::move(proxy_itrs);
  }

  // Our locators changed: a round for `peers` (and the Proxy-ITRs) starts
  // now, replacing any earlier one.
  void start(const std::vector<Peer>& peers, TimePoint now);
  // The Map-Notify for the new registration: the peers yet to ask are told
  // again at once.
  void registered(TimePoint now);
  // An SMR-invoked Map-Request reached our ETR: the peers it comes from
  // (its source EID in their prefix, or one of its ITR-RLOCs theirs) asked.
  void acknowledged(const lisp::MapRequest& request);
  std::vector<Outgoing> poll(TimePoint now);
  std::optional<TimePoint> next_due() const;

  size_t pending() const { return targets_.size(); }
  const SolicitorCounters& counters() const { return counters_; }
  const Options& options() const { return options_; }

 private:
  struct Target {
    Peer peer;
    int sent = 0;
    TimePoint started;
    TimePoint next_send;
  };
  // An SMR from each of our EID-prefixes in the peer's instance.
  void send(Target& target, TimePoint now, std::vector<Outgoing>& out);

  Options options_;
  Random random_;
  LocalSnapshotPtr local_ = LocalSnapshot::empty();
  std::vector<net::IpAddress> proxy_itrs_;
  std::vector<Target> targets_;
  RateLimiter limiter_;
  SolicitorCounters counters_;
};

}  // namespace lispmob::control
