// The ETR's side (RFC 9301 §8.1 and §7.1): answers Map-Requests for our own
// EID-prefixes with our current mapping, whether the Map-Server forwarded
// them as ECMs or an ITR sent them directly (SMR-invoked requests and RLOC
// probes included). Replies go to the request's first usable ITR-RLOC, at
// the port it came from, and are rate-limited per requester. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/lisp/message.h"
#include "control/messages.h"
#include "control/rate_limiter.h"
#include "control/xtr/local_snapshot.h"

namespace lispmob::control {

struct EtrCounters {
  uint64_t requests_answered = 0;
  uint64_t probes_answered = 0;
  uint64_t not_ours = 0;        // no record for an EID-prefix of ours
  uint64_t no_destination = 0;  // no ITR-RLOC of a family we can reach
  uint64_t rate_limited = 0;
};

class EtrResponder {
 public:
  struct Options {
    double replies_per_second = 1000;  // per requester; 0: no limit
    double reply_burst = 100;
    friend bool operator==(const Options&, const Options&) = default;
  };
  explicit EtrResponder(Options options);

  // Our mappings, as registered: EID-prefixes with the current RLOCs.
  void set_local(LocalSnapshotPtr local) { local_ = std::move(local); }

  // A Map-Request that reached us from `requester`; `reply_port` is its UDP
  // source port (the inner one for an ECM). The Map-Reply, if we answer.
  std::optional<Outgoing> answer(const lisp::MapRequest& request, uint16_t reply_port,
                                 const net::IpAddress& requester, TimePoint now);

  const EtrCounters& counters() const { return counters_; }

 private:
  LocalSnapshotPtr local_ = LocalSnapshot::empty();
  RateLimiter limiter_;
  EtrCounters counters_;
};

}  // namespace lispmob::control
