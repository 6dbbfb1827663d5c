// The ITR's side of the mapping system (RFC 9301 §6 and §8.1): resolves the
// EIDs the data plane missed with Encapsulated Map-Requests to a
// Map-Resolver, accepts a Map-Reply only when its nonce matches an
// outstanding request and a record covers the EID asked for, installs it
// in the map-cache with its TTL, refreshes it before it lapses and removes
// it when it does. It is the receiving end of Solicit-Map-Request: an SMR
// from a peer makes it ask again (SMR-invoked, the old mapping stays in use
// until the answer); the sending end is the Solicitor, told which peers
// hold our mapping (smr_peers()). It asks again too when a peer's every
// locator went down, or a peer asks us from an RLOC its mapping lacks.
//
// A state machine without I/O or clock: the caller passes the time and
// sends what the calls return. The map-cache is reached through
// MapCacheWriter, so tests use a fake.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/status/status.h"
#include "common/lisp/message.h"
#include "control/messages.h"
#include "control/rate_limiter.h"
#include "control/xtr/local_snapshot.h"
#include "control/xtr/path_mtu.h"
#include "control/xtr/rloc_prober.h"
#include "control/xtr/solicitor.h"
#include "dataplane/api/mapping.h"

namespace lispmob::control {

// Where the resolver's decisions go: the data plane's map-cache.
class MapCacheWriter {
 public:
  virtual ~MapCacheWriter() = default;
  virtual absl::Status upsert(const dataplane::Mapping& mapping) = 0;
  virtual absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) = 0;
  // The prefixes traffic used since the last call.
  virtual std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() = 0;
};

struct ResolverCounters {
  uint64_t requests_sent = 0;  // first attempts, refreshes and SMR-invoked
  uint64_t retransmissions = 0;
  uint64_t resolver_failovers = 0;
  uint64_t given_up = 0;    // no answer after every retry
  uint64_t suppressed = 0;  // a miss within the per-EID interval, or one already outstanding
  uint64_t replies_accepted = 0;
  uint64_t replies_unknown_nonce = 0;
  uint64_t replies_not_covering = 0;  // nonce matched, no record covers the EID asked for
  uint64_t negative_installed = 0;
  uint64_t ttl_zero = 0;     // accepted replies with a TTL of 0: not cached (RFC 9301 §5.4)
  uint64_t ttl_clamped = 0;  // accepted replies with a TTL over max_ttl_minutes: cut to it
  uint64_t positive_installed = 0;
  uint64_t refreshed = 0;
  uint64_t expired = 0;
  uint64_t lapsed_unused = 0;  // expired without a refresh: no traffic used it
  uint64_t evicted = 0;        // the least recently used, to make room in a full map-cache
  uint64_t cache_full = 0;     // not installed: full of static entries, nothing to evict
  uint64_t static_kept = 0;    // a reply for a static-map-cache prefix, not installed
  uint64_t install_failures = 0;
  uint64_t smr_received = 0;
  uint64_t smr_ignored = 0;  // for an EID not in the map-cache
  // SMRs, and requests from a peer's unknown RLOC, not acted on: their
  // source or all of them over the limit
  uint64_t smr_invoked_rate_limited = 0;
  uint64_t peer_moved = 0;          // a peer asked from an RLOC its mapping lacks: asked again
  uint64_t all_locators_down = 0;   // every locator of a mapping went down: asked again
  uint64_t pending_table_full = 0;  // Map-Requests not made: max_pending outstanding
  uint64_t miss_rate_limited = 0;   // misses not asked about: over misses_per_second
  uint64_t probes_sent = 0;
  uint64_t probe_replies = 0;
  uint64_t locators_down = 0;          // transitions to down
  uint64_t locators_up = 0;            // transitions back up
  uint64_t probe_table_full = 0;       // locators not probed: RlocProber::kMaxTargets followed
  uint64_t path_mtu_unknown_rloc = 0;  // an ICMP too-big report for an RLOC not in the map-cache
  uint64_t path_mtu_rate_limited = 0;  // reports beyond kPathMtuReportsPerSecond
};

// What one Map-Resolver did with our requests, for lispctl.
struct MapResolverState {
  uint64_t requests_sent = 0;  // first attempts and retries sent to it
  uint64_t answered = 0;       // requests a Map-Reply answered
  uint64_t unanswered = 0;     // requests that timed out at it
  std::optional<TimePoint> last_answer;
  // Its last request was answered (true), timed out (false), or none yet.
  std::optional<bool> reachable;
  friend bool operator==(const MapResolverState&, const MapResolverState&) = default;
};

class Resolver {
 public:
  struct Options {
    int retries = 2;                                       // map-request-retries
    std::chrono::milliseconds first_retry{1000};           // then doubles
    std::chrono::milliseconds min_request_interval{1000};  // per EID
    double refresh_at = 0.9;                               // of the TTL
    uint32_t max_ttl_minutes = 24 * 60;
    // SMR-invoked Map-Requests, the work a forged SMR can cost us toward the
    // mapping system: per SMR source RLOC, and in total.
    double smr_invoked_per_source_per_second = 5;
    double smr_invoked_total_per_second = 100;
    // An SMR for an EID whose request is outstanding sends it again, unless
    // it left this recently: the SMRs to each of our locators, and the one
    // after the peer's Map-Notify, arrive together and need one request.
    std::chrono::milliseconds smr_resend_interval{20};
    // Outstanding Map-Requests at most; a full table refuses a new one.
    size_t max_pending = 4096;
    // map-requests-per-second: Map-Requests for misses and their retries,
    // in total (0: no limit). Traffic to many unknown destinations (a scan,
    // a flood) costs the mapping system no more than this.
    double misses_per_second = 100;
    // map-cache-max-entries: the map-cache's entries per address family,
    // static and resolved. A full map-cache makes room for a new mapping by
    // removing the resolved entry traffic used least recently.
    size_t max_entries = 65536;
    // A Proxy-ITR's Map-Requests carry the p bit (RFC 9301 §5.3).
    bool proxy_itr = false;
    // RLOC probing (RFC 9301 §7.1), per distinct locator in the map-cache:
    // a probe every interval (0: off); when one goes unanswered, again every
    // retry interval, and after `probe_retries` more unanswered the locator
    // is marked down; it is up again at the first answer.
    std::chrono::seconds probe_interval{0};
    int probe_retries = 2;
    std::chrono::seconds probe_retry_interval{5};
    friend bool operator==(const Options&, const Options&) = default;
  };
  using Random = std::function<uint64_t()>;
  struct Entry {
    dataplane::Mapping mapping;
    net::IpAddress asked_for;  // the EID the refresh asks for again
    uint32_t ttl_minutes = 0;
    TimePoint installed;
    TimePoint expires;
    bool refreshing = false;
    // When traffic last used it, as the data plane's marks tell (read once
    // a second); the install time until then. Refreshed only if used since
    // it was installed: an entry no packet needs lapses with its TTL.
    TimePoint last_used;
    // Used since installed or refreshed (a refresh keeps the last use).
    bool used() const { return last_used > installed; }
  };

  Resolver(std::vector<net::IpAddress> map_resolvers, Options options, Random random,
           MapCacheWriter& cache);

  // Who we are: our EIDs and RLOCs, as requests and SMRs carry them.
  void set_local(LocalSnapshotPtr local) { local_ = std::move(local); }
  // A reload's Map-Resolvers: outstanding requests go on to the new ones.
  void set_map_resolvers(std::vector<net::IpAddress> map_resolvers);
  // A reload's retries, limits and probing; the map-cache stays as it is.
  void set_options(Options options);
  // Takes a static-map-cache entry out of the map-cache again.
  absl::Status remove_static(uint32_t instance_id, const net::IpPrefix& prefix);
  const Options& options() const { return options_; }
  const std::vector<net::IpAddress>& map_resolvers() const { return map_resolvers_; }
  // A static-map-cache entry: installed now, never expires, never replaced
  // by a Map-Reply.
  absl::Status install_static(const dataplane::Mapping& mapping);
  // lispctl's "clear map-cache": what Map-Replies installed, every entry or
  // only the one for exactly `prefix`, leaves the map-cache (static
  // entries stay), and the next miss for it is resolved at once. Returns
  // how many entries went.
  size_t clear(const std::optional<std::pair<uint32_t, net::IpPrefix>>& only = std::nullopt);

  // A data-plane miss for `eid`: the Map-Request to send, if any.
  std::vector<Outgoing> resolve(uint32_t instance_id, const net::IpAddress& eid, TimePoint now);
  // A Map-Reply (or RLOC-probe reply); true if it answered an outstanding
  // request or probe.
  bool handle_reply(const lisp::MapReply& reply, TimePoint now);
  // An SMR (a Map-Request with S set) from `source` (its RLOC): an
  // SMR-invoked request for its source EID, if that EID is in our
  // map-cache and the SMR limits allow. The source is not required to be a
  // locator we hold for that EID: after a move the peer's SMR comes from
  // its new RLOC. What a forged SMR can cost is bounded instead, and the
  // answer comes through the mapping system, never from the SMR itself.
  std::vector<Outgoing> handle_smr(const lisp::MapRequest& smr, const net::IpAddress& source,
                                   TimePoint now);
  // Retransmissions, refreshes and probes due at `now`; removes what lapsed.
  std::vector<Outgoing> poll(TimePoint now);
  // When poll() next has something to do; nullopt: nothing until an event.
  std::optional<TimePoint> next_due() const;
  // A Map-Request or RLOC probe that reached our ETR: if it names a peer's
  // EID we hold a mapping for, and none of its ITR-RLOCs is in that
  // mapping, the peer has moved: its mapping is asked for again now,
  // through the mapping system (never taken from the request, which anyone
  // can forge), within the SMR-invoked limits.
  std::vector<Outgoing> peer_seen(const lisp::MapRequest& request, const net::IpAddress& source,
                                  TimePoint now);
  // The peers that may hold our mapping: each locator of each mapping in
  // the map-cache, for the Solicitor to tell when our RLOCs change.
  std::vector<Solicitor::Peer> smr_peers() const;
  // The data plane saw an ICMP report that the path to `rloc` carries at
  // most `mtu` bytes: the mappings using it get that path MTU (RFC 9300
  // §7.2). Reports are bounded per second: each costs a scan of the cache.
  void learn_path_mtu(const net::IpAddress& rloc, uint32_t mtu, TimePoint now);
  const PathMtuTable& path_mtus() const { return path_mtu_; }
  static constexpr unsigned kPathMtuReportsPerSecond = 100;

  const ResolverCounters& counters() const { return counters_; }
  size_t outstanding() const { return pending_.size(); }
  size_t active_resolver() const { return active_resolver_; }
  const MapResolverState& resolver_state(size_t index) const { return resolver_states_[index]; }
  // The entry the resolver installed for exactly this prefix, if any.
  const Entry* entry(uint32_t instance_id, const net::IpPrefix& prefix) const;
  // What the control thread installed in the data plane, static and
  // resolved, as the data plane has it (locators down, path MTUs), in
  // instance-id and prefix order: lispctl's map-cache. The data plane
  // itself keeps only the forwarding form.
  std::vector<dataplane::Mapping> installed() const;
  std::optional<dataplane::Mapping> installed(uint32_t instance_id,
                                              const net::IpPrefix& prefix) const;
  // True if probing has marked this locator down.
  bool locator_down(const net::IpAddress& rloc) const;

 private:
  struct Key {
    uint32_t instance_id;
    net::IpPrefix prefix;
    bool operator<(const Key& other) const;
  };
  struct Pending {
    uint32_t instance_id;
    net::IpAddress eid;
    uint64_t nonce = 0;
    bool smr_invoked = false;
    int attempts = 0;  // sent so far
    TimePoint last_sent;
    TimePoint next_send;
    size_t resolver = 0;  // the Map-Resolver the last attempt went to
  };

  Outgoing make_request(const Pending& pending);
  // Why a request is made: each reason has its own limits.
  enum class Reason { kMiss, kRefresh, kSmrInvoked };
  std::vector<Outgoing> start(uint32_t instance_id, const net::IpAddress& eid, Reason reason,
                              TimePoint now);
  void install(const Pending& pending, const lisp::MappingRecord& record, uint32_t instance_id,
               const net::IpPrefix& prefix, TimePoint now);
  void remove(std::map<Key, Entry>::iterator it);
  // Reads the data plane's marks of use into the entries.
  void note_used(TimePoint now);
  // Room for one more entry of `family`: true if there is, or if the least
  // recently used resolved entry of that family was removed to make it.
  bool make_room(const net::IpPrefix& prefix);
  void evict_least_recently_used(const std::set<std::pair<TimePoint, Key>>& order);
  size_t& family_count(const net::IpPrefix& prefix) {
    return prefix.address.is_v4() ? count_v4_ : count_v6_;
  }
  std::set<std::pair<TimePoint, Key>>& use_order(const net::IpPrefix& prefix) {
    return by_last_use_[prefix.address.is_v6() ? 1 : 0];
  }
  std::vector<Outgoing> poll_probes(TimePoint now);
  bool handle_probe_reply(const lisp::MapReply& reply);
  // The mapping as the data plane should have it: locators probing marked
  // down are not reachable.
  dataplane::Mapping effective(const dataplane::Mapping& mapping) const;
  // Pushes every mapping that uses `rloc` to the map-cache again.
  void republish(const net::IpAddress& rloc);
  std::optional<net::IpAddress> source_eid(uint32_t instance_id, net::IpFamily family) const;
  // The mapping covering `eid` we know of: one we resolved, or a static one.
  bool known(uint32_t instance_id, const net::IpAddress& eid) const;
  // The longest prefix of `table` covering `eid`, if any.
  template <class Table>
  auto covering(const Table& table, uint32_t instance_id, const net::IpAddress& eid) const -> const
      typename Table::mapped_type*;

  // An SMR-invoked request for `eid` now, if the SMR-invoked limits for
  // `source` and in total allow; one already outstanding is sent again.
  std::vector<Outgoing> ask_again(uint32_t instance_id, const net::IpAddress& eid,
                                  const net::IpAddress& source, TimePoint now);

  std::vector<net::IpAddress> map_resolvers_;
  Options options_;
  Random random_;
  MapCacheWriter& cache_;
  LocalSnapshotPtr local_ = LocalSnapshot::empty();
  size_t active_resolver_ = 0;
  std::vector<MapResolverState> resolver_states_;  // one per map_resolvers_
  std::map<uint64_t, Pending> pending_;            // by nonce
  std::map<Key, TimePoint> last_request_;
  std::map<Key, Entry> entries_;
  std::map<Key, dataplane::Mapping> static_;
  // Resolved entries by last use, oldest first: the eviction order, one
  // set per address family ([1]: IPv6).
  std::array<std::set<std::pair<TimePoint, Key>>, 2> by_last_use_;
  size_t count_v4_ = 0, count_v6_ = 0;  // static and resolved entries
  RlocProber prober_;
  TimePoint next_entry_scan_{};
  RateLimiter smr_invoked_per_source_;
  RateLimiter smr_invoked_total_;  // one bucket for every source
  RateLimiter misses_;             // one bucket for every miss
  PathMtuTable path_mtu_;
  TimePoint path_mtu_second_{};
  unsigned path_mtu_reports_ = 0;  // in the second that began at path_mtu_second_
  ResolverCounters counters_;
};

// The data-plane form of a Map-Reply record: its IP locators, or the
// negative action when it has none (RFC 9301 §5.4 ACT).
dataplane::Mapping mapping_from_record(const lisp::MappingRecord& record, uint32_t instance_id,
                                       const net::IpPrefix& prefix);

}  // namespace lispmob::control
