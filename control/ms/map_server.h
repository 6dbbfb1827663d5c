// The Map-Server and Map-Resolver role (RFC 9301 §8.2-§8.4): accepts
// authenticated Map-Registers for configured sites, answers with
// Map-Notify, and resolves Encapsulated Map-Requests by forwarding them to a
// registered ETR, proxy-replying, or returning a negative Map-Reply.
//
// It is a state machine without I/O: handle() takes a received message and
// the time, and returns the messages to send. The event loop owns sockets
// and clocks, so tests drive it with fake time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/lisp/message.h"
#include "common/net/ip_address.h"
#include "control/messages.h"
#include "control/rate_limiter.h"

namespace lispmob::control {

// One of a site's keys. Several keys per site let a key be rolled over: the
// ETRs move to the new one while the old one still verifies.
struct SiteKey {
  uint8_t key_id = 0;
  uint8_t algorithm = 1;  // lisp::AuthAlgorithm
  std::string key;
};

struct Site {
  uint32_t instance_id = 0;
  net::IpPrefix prefix;
  std::vector<SiteKey> keys;
  bool accept_more_specifics = false;
  bool proxy_reply = false;
  bool merge = false;
};

// ms-static-registered-site: a mapping the operator gives the Map-Server
// itself. It is held as a registration that never lapses and that no
// Map-Register replaces, and the Map-Server answers for it (a proxy
// Map-Reply): no ETR registered it, so there may be none to forward to.
struct StaticRegistration {
  uint32_t instance_id = 0;
  net::IpPrefix prefix;
  std::vector<lisp::Locator> locators;
  friend bool operator==(const StaticRegistration&, const StaticRegistration&) = default;
};

// One ETR's share of a registration: in a site with merge on, each xTR of
// the site (told apart by its xTR-ID, the I bit, or else by its address)
// registers the prefix with its own locators and keeps them alive itself.
struct Contributor {
  std::optional<lisp::XtrIdentity> identity;
  Endpoint registered_by;
  std::vector<lisp::Locator> locators;
  TimePoint last_seen;
  bool proxy_reply = false;  // its Map-Register's P bit
  friend bool operator==(const Contributor&, const Contributor&) = default;
};

struct Registration {
  uint32_t instance_id = 0;
  net::IpPrefix prefix;
  // What the Map-Server answers with: the last Map-Register's record, its
  // locators the union of every contributor's.
  lisp::MappingRecord record;
  std::vector<Contributor> contributors;  // one without merge; none when configured
  bool configured = false;                // a StaticRegistration: no ETR, no lapse

  // The latest Map-Register from any contributor.
  TimePoint last_seen() const;
  // Any contributor's P bit.
  bool proxy_reply() const;
};

struct MapServerCounters {
  uint64_t registers_accepted = 0;
  uint64_t auth_failures = 0;
  uint64_t outside_site = 0;
  uint64_t malformed = 0;
  uint64_t notifies_sent = 0;
  uint64_t requests = 0;
  uint64_t requests_forwarded = 0;
  uint64_t proxy_replies = 0;
  uint64_t negative_replies = 0;
  uint64_t rate_limited = 0;
  uint64_t expired = 0;
  uint64_t registrations_refused = 0;  // the registration table, or the site's share, was full
  uint64_t static_overlaps = 0;        // Map-Registers refused: a prefix configured statically
  uint64_t contributors_refused = 0;   // a merged prefix already had max_contributors xTRs
};

class MapServer {
 public:
  struct Options {
    std::chrono::seconds registration_timeout{180};  // 3 x the 60 s register interval
    uint32_t negative_ttl_unregistered_minutes = 1;
    uint32_t negative_ttl_non_eid_minutes = 15;
    double replies_per_second = 1000;  // per requester; 0: no limit
    double reply_burst = 100;
    // What registering ETRs can make us hold: EID-prefixes in all and per
    // site. A Map-Register that would go past either is refused whole
    // (no Map-Notify) and counted in registrations_refused.
    size_t max_registrations = 262144;
    size_t max_registrations_per_site = 131072;
    // xTRs merged into one prefix (a site's merge): more are refused.
    size_t max_contributors = 16;
    // The TTL of the Map-Replies for a StaticRegistration.
    uint32_t static_ttl_minutes = 10;
    friend bool operator==(const Options&, const Options&) = default;
  };

  MapServer(std::vector<Site> sites, Options options);

  // A control message from `source`; returns what to send in answer.
  std::vector<Outgoing> handle(std::span<const uint8_t> message, const Endpoint& source,
                               TimePoint now);
  // Drops registrations not refreshed within the timeout.
  void expire(TimePoint now);
  // New sites (a reload): registrations a new site still covers stay;
  // the others are dropped. Returns how many were dropped.
  size_t set_sites(std::vector<Site> sites);
  // The configured mappings (at start and at a reload): they replace the
  // previous ones; a registration an ETR holds for the same prefix goes.
  void set_static(const std::vector<StaticRegistration>& mappings);
  // A reload's limits and TTLs; a new reply rate starts with full buckets.
  void set_options(Options options);
  const Options& options() const { return options_; }

  const MapServerCounters& counters() const { return counters_; }
  const std::vector<Site>& sites() const { return sites_; }
  size_t registration_count() const { return registrations_.size(); }
  // Every registration, ordered by instance-id and prefix.
  std::vector<const Registration*> registrations() const;
  // The most specific registration covering `eid` (an address or prefix).
  const Registration* lookup(uint32_t instance_id, const net::IpPrefix& eid) const;
  // The negative prefix a Map-Reply would carry for `eid`, and whether it lies in a site.
  net::IpPrefix negative_prefix(uint32_t instance_id, const net::IpAddress& eid,
                                bool* in_site = nullptr) const;

 private:
  struct Key {
    uint32_t instance_id;
    net::IpPrefix prefix;
    bool operator<(const Key& other) const;
  };
  // The site key that signed a Map-Register, read before decoding; nullptr
  // (and a counter) for one that is malformed, outside every site or forged.
  const SiteKey* authenticate_register(std::span<const uint8_t> bytes);
  std::vector<Outgoing> handle_register(const lisp::MapRegister& message, const SiteKey& key,
                                        const Endpoint& source, TimePoint now);
  std::vector<Outgoing> handle_request(std::span<const uint8_t> bytes,
                                       const lisp::MapRequest& request, const Endpoint& reply_to,
                                       bool encapsulated, const Endpoint& source, TimePoint now);
  const Site* site_for(uint32_t instance_id, const net::IpPrefix& prefix) const;
  // The contributor of `registration` that is this registrant (same xTR-ID,
  // or with none, same address); nullptr for a new one.
  static Contributor* contributor_of(Registration& registration,
                                     const std::optional<lisp::XtrIdentity>& identity,
                                     const Endpoint& source);
  // The answer's locators: every contributor's, each address once.
  static void merge_contributors(Registration& registration);
  void count_per_site();
  Outgoing notify(const lisp::MapRegister& message, const SiteKey& key, const Endpoint& to);

  std::vector<Site> sites_;
  Options options_;
  std::map<Key, Registration> registrations_;
  std::map<const Site*, size_t> per_site_;  // registrations under each site
  RateLimiter reply_limiter_;
  MapServerCounters counters_;
};

// The Map-Server role's configuration, projected from the file by lispd
// (tools/lispd_config.h) at start and at each reload.
struct MapServerConfig {
  std::vector<Site> sites;
  std::vector<StaticRegistration> static_registrations;  // ms-static-registered-site
  MapServer::Options options;
  // control-iface: UDP 4342 on this interface only ("": every interface).
  std::string control_interface;
};

}  // namespace lispmob::control
