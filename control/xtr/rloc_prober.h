// RLOC probing (RFC 9301 §7.1), one unit of the ITR: every locator the
// map-cache uses is probed every interval with a Map-Request with P set,
// sent straight to it and naming an EID-prefix it serves; when one goes
// unanswered it is probed again every retry interval, and after `retries`
// more unanswered it is down, until its first answer. A state machine
// without I/O or clock; the resolver hands it the locators in use and
// acts on the reachability changes it reports. Bounded: at most
// kMaxTargets locators are followed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/lisp/message.h"
#include "control/messages.h"

namespace lispmob::control {

class RlocProber {
 public:
  struct Options {
    std::chrono::seconds interval{0};  // 0: off
    int retries = 2;
    std::chrono::seconds retry_interval{5};
  };
  using Random = std::function<uint64_t()>;
  // Each locator in use, with an EID-prefix (instance-id, prefix) it serves.
  using InUse = std::map<net::IpAddress, std::pair<uint32_t, net::IpPrefix>>;
  struct Poll {
    std::vector<Outgoing> probes;
    std::vector<net::IpAddress> went_down;
    size_t refused = 0;  // locators not followed: the table was full
  };
  static constexpr size_t kMaxTargets = 4096;

  RlocProber(Options options, Random random) : options_(options), random_(std::move(random)) {}

  bool enabled() const { return options_.interval.count() != 0; }
  // A reload's probing settings. Turning probing off forgets every target:
  // the locators it had marked down are returned, to be used again.
  std::vector<net::IpAddress> set_options(Options options);
  // The probes due at `now`, from `ours` (our RLOCs, the ITR-RLOCs); forgets
  // locators no longer in use.
  Poll poll(const InUse& in_use, const std::vector<net::IpAddress>& ours, TimePoint now);
  // A Map-Reply with P set. Nullopt if it answers no probe of ours; else
  // whether the locator it came for was down and is now up again.
  std::optional<bool> handle_reply(const lisp::MapReply& reply, net::IpAddress& answered);
  bool down(const net::IpAddress& rloc) const;
  // When poll() next has a probe to send; nullopt: none followed.
  std::optional<TimePoint> next_due() const;

 private:
  struct Target {
    uint32_t instance_id = 0;
    net::IpPrefix prefix;
    uint64_t nonce = 0;
    bool outstanding = false;
    int unanswered = 0;
    bool down = false;
    TimePoint next;
  };

  Options options_;
  Random random_;
  std::map<net::IpAddress, Target> targets_;
};

}  // namespace lispmob::control
