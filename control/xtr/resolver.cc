#include "control/xtr/resolver.h"

#include <algorithm>

namespace lispmob::control {
namespace {

dataplane::MapAction negative_action(uint8_t act) {
  switch (static_cast<lisp::MapReplyAction>(act)) {
    case lisp::MapReplyAction::kNativelyForward:
      return dataplane::MapAction::kNativelyForward;
    case lisp::MapReplyAction::kDrop:
    case lisp::MapReplyAction::kDropPolicyDenied:
    case lisp::MapReplyAction::kDropAuthFailure:
      return dataplane::MapAction::kDrop;
    default:  // Send-Map-Request, No-Action without a locator, unknown values
      return dataplane::MapAction::kSendMapRequest;
  }
}

// The one bucket of map-requests-per-second.
const net::IpAddress kEveryMiss = net::IpAddress::v4(0);

net::IpPrefix host_prefix(const net::IpAddress& address) {
  return {address, static_cast<uint8_t>(address.max_prefix_len())};
}

net::IpAddress unspecified(net::IpFamily family) {
  return family == net::IpFamily::kIpv4 ? net::IpAddress::v4(0u)
                                        : net::IpAddress::v6(std::array<uint8_t, 16>{});
}

}  // namespace

dataplane::Mapping mapping_from_record(const lisp::MappingRecord& record, uint32_t instance_id,
                                       const net::IpPrefix& prefix) {
  dataplane::Mapping mapping{instance_id, prefix, dataplane::MapAction::kEncapsulate, {}};
  for (const auto& locator : record.locators) {
    const auto* ip = locator.address.ip();
    if (ip == nullptr || mapping.locators.size() == dataplane::kMaxLocators) continue;
    mapping.locators.push_back({*ip, locator.priority, locator.weight, locator.reachable()});
  }
  if (mapping.locators.empty()) mapping.action = negative_action(record.action);
  return mapping;
}

bool Resolver::Key::operator<(const Key& other) const {
  if (instance_id != other.instance_id) return instance_id < other.instance_id;
  if (prefix.address != other.prefix.address) return prefix.address < other.prefix.address;
  return prefix.length < other.prefix.length;
}

namespace {

bool uses_rloc(const dataplane::Mapping& mapping, const net::IpAddress& rloc) {
  return std::any_of(mapping.locators.begin(), mapping.locators.end(),
                     [&](const auto& locator) { return locator.rloc == rloc; });
}

}  // namespace

Resolver::Resolver(std::vector<net::IpAddress> map_resolvers, Options options, Random random,
                   MapCacheWriter& cache)
    : map_resolvers_(std::move(map_resolvers)),
      options_(options),
      random_(std::move(random)),
      cache_(cache),
      prober_({options.probe_interval, options.probe_retries, options.probe_retry_interval},
              random_),
      smr_invoked_per_source_(options.smr_invoked_per_source_per_second,
                              options.smr_invoked_per_source_per_second),
      smr_invoked_total_(options.smr_invoked_total_per_second, options.smr_invoked_total_per_second,
                         1),
      misses_(options.misses_per_second, options.misses_per_second, 1) {
  resolver_states_.resize(map_resolvers_.size());
}

void Resolver::set_map_resolvers(std::vector<net::IpAddress> map_resolvers) {
  // A Map-Resolver that stays keeps what it did; a new one starts afresh.
  std::vector<MapResolverState> states(map_resolvers.size());
  for (size_t i = 0; i < map_resolvers.size(); ++i) {
    auto old = std::find(map_resolvers_.begin(), map_resolvers_.end(), map_resolvers[i]);
    if (old != map_resolvers_.end()) states[i] = resolver_states_[old - map_resolvers_.begin()];
  }
  map_resolvers_ = std::move(map_resolvers);
  resolver_states_ = std::move(states);
  if (active_resolver_ >= map_resolvers_.size()) active_resolver_ = 0;
  for (auto& [nonce, pending] : pending_) pending.resolver = active_resolver_;
}

void Resolver::set_options(Options options) {
  options_ = options;
  for (const auto& rloc : prober_.set_options(
           {options.probe_interval, options.probe_retries, options.probe_retry_interval})) {
    republish(rloc);
  }
  smr_invoked_per_source_ = RateLimiter(options.smr_invoked_per_source_per_second,
                                        options.smr_invoked_per_source_per_second);
  smr_invoked_total_ =
      RateLimiter(options.smr_invoked_total_per_second, options.smr_invoked_total_per_second, 1);
  misses_ = RateLimiter(options.misses_per_second, options.misses_per_second, 1);
  // A lower map-cache-max-entries: the least recently used go now.
  for (auto& order : by_last_use_) {
    while (!order.empty() && family_count(order.begin()->second.prefix) > options_.max_entries) {
      evict_least_recently_used(order);
    }
  }
}

absl::Status Resolver::remove_static(uint32_t instance_id, const net::IpPrefix& prefix) {
  if (static_.erase(Key{instance_id, prefix}) == 0) {
    return absl::NotFoundError("no static mapping for " + prefix.to_string());
  }
  family_count(prefix)--;
  return cache_.erase(instance_id, prefix);
}

absl::Status Resolver::install_static(const dataplane::Mapping& mapping) {
  const Key key{mapping.instance_id, mapping.prefix};
  auto resolved = entries_.find(key);
  const bool adds = !static_.count(key) && resolved == entries_.end();
  if (adds && !make_room(mapping.prefix)) {
    counters_.cache_full++;
    return absl::ResourceExhaustedError("map-cache full of static entries (map-cache-max-entries)");
  }
  if (auto status = cache_.upsert(mapping); !status.ok()) return status;
  // A static entry replaces what a Map-Reply installed for the same prefix
  // (a reload can add one); that entry's expiry must not remove it.
  if (resolved != entries_.end()) {
    use_order(key.prefix).erase({resolved->second.last_used, key});
    entries_.erase(resolved);
  }
  if (adds) family_count(mapping.prefix)++;
  static_[key] = mapping;
  return absl::OkStatus();
}

bool Resolver::make_room(const net::IpPrefix& prefix) {
  if (family_count(prefix) < options_.max_entries) return true;
  auto& order = use_order(prefix);
  if (order.empty()) return false;  // all static
  evict_least_recently_used(order);
  return true;
}

void Resolver::evict_least_recently_used(const std::set<std::pair<TimePoint, Key>>& order) {
  counters_.evicted++;
  remove(entries_.find(order.begin()->second));
}

void Resolver::note_used(TimePoint now) {
  for (const auto& [instance_id, prefix] : cache_.take_used()) {
    auto it = entries_.find(Key{instance_id, prefix});
    if (it == entries_.end()) continue;  // static, or gone since
    auto& order = use_order(prefix);
    order.erase({it->second.last_used, it->first});
    it->second.last_used = now;
    order.insert({now, it->first});
  }
}

size_t Resolver::clear(const std::optional<std::pair<uint32_t, net::IpPrefix>>& only) {
  size_t cleared = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Key& key = it->first;
    if (only && !(key.instance_id == only->first && key.prefix == only->second)) {
      ++it;
      continue;
    }
    remove(it++);
    cleared++;
  }
  // The per-EID request interval must not hold back the next miss.
  for (auto it = last_request_.begin(); it != last_request_.end();) {
    const bool covered =
        !only || (it->first.instance_id == only->first && only->second.contains(it->first.prefix));
    it = covered ? last_request_.erase(it) : std::next(it);
  }
  return cleared;
}

std::vector<dataplane::Mapping> Resolver::installed() const {
  std::map<Key, dataplane::Mapping> all;
  for (const auto& [key, mapping] : static_) all.emplace(key, effective(mapping));
  for (const auto& [key, entry] : entries_) all.emplace(key, effective(entry.mapping));
  std::vector<dataplane::Mapping> out;
  out.reserve(all.size());
  for (auto& [key, mapping] : all) out.push_back(std::move(mapping));
  return out;
}

std::optional<dataplane::Mapping> Resolver::installed(uint32_t instance_id,
                                                      const net::IpPrefix& prefix) const {
  const Key key{instance_id, prefix};
  if (auto found = static_.find(key); found != static_.end()) return effective(found->second);
  if (auto found = entries_.find(key); found != entries_.end()) {
    return effective(found->second.mapping);
  }
  return std::nullopt;
}

const Resolver::Entry* Resolver::entry(uint32_t instance_id, const net::IpPrefix& prefix) const {
  auto it = entries_.find(Key{instance_id, prefix});
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<net::IpAddress> Resolver::source_eid(uint32_t instance_id,
                                                   net::IpFamily family) const {
  for (const auto& [iid, prefix] : local_->identity.eids) {
    if (iid == instance_id && prefix.address.family() == family) return prefix.address;
  }
  return std::nullopt;
}

// One lookup per prefix length, longest first: what a message from the
// wire costs does not grow with the map-cache.
template <class Table>
auto Resolver::covering(const Table& table, uint32_t instance_id, const net::IpAddress& eid) const
    -> const typename Table::mapped_type* {
  for (int length = static_cast<int>(eid.max_prefix_len()); length >= 0; --length) {
    const auto bits = static_cast<unsigned>(length);
    auto found = table.find(Key{instance_id, {eid.masked(bits), static_cast<uint8_t>(bits)}});
    if (found != table.end()) return &found->second;
  }
  return nullptr;
}

bool Resolver::known(uint32_t instance_id, const net::IpAddress& eid) const {
  return covering(entries_, instance_id, eid) != nullptr ||
         covering(static_, instance_id, eid) != nullptr;
}

// RFC 9301 §5.2 Map-Request in a §5.8 ECM: the inner header goes from our
// EID (or RLOC) to the EID asked for, so the mapping system routes it by
// that EID.
// Callers check that there is a Map-Resolver to send to.
Outgoing Resolver::make_request(const Pending& pending) {
  lisp::MapRequest request;
  request.smr_invoked = pending.smr_invoked;
  request.pitr = options_.proxy_itr;
  request.nonce = pending.nonce;
  const auto family = pending.eid.family();
  const auto eid = source_eid(pending.instance_id, family);
  if (eid) request.source_eid = eid_address(pending.instance_id, *eid);
  for (const auto& rloc : local_->identity.rlocs) request.itr_rlocs.push_back(rloc);
  request.records = {lisp::EidRecord{0, static_cast<uint8_t>(pending.eid.max_prefix_len()),
                                     eid_address(pending.instance_id, pending.eid)}};

  net::IpAddress inner_source = eid.value_or(unspecified(family));
  if (!eid) {
    for (const auto& rloc : local_->identity.rlocs) {
      if (rloc.family() == family) {
        inner_source = rloc;
        break;
      }
    }
  }
  lisp::EncapsulatedControlMessage ecm;
  if (family == net::IpFamily::kIpv4) {
    net::Ipv4Header inner;
    inner.source = inner_source;
    inner.destination = pending.eid;
    ecm.inner_ip = inner;
  } else {
    net::Ipv6Header inner;
    inner.source = inner_source;
    inner.destination = pending.eid;
    ecm.inner_ip = inner;
  }
  ecm.inner_udp = {lisp::kControlPort, lisp::kControlPort, std::nullopt, std::nullopt};
  *ecm.inner = request;
  return {{map_resolvers_[active_resolver_]}, encode_or_empty(ecm)};
}

std::vector<Outgoing> Resolver::start(uint32_t instance_id, const net::IpAddress& eid,
                                      Reason reason, TimePoint now) {
  if (map_resolvers_.empty() || local_->identity.rlocs.empty()) return {};
  for (const auto& [nonce, pending] : pending_) {
    if (pending.instance_id == instance_id && pending.eid == eid) {
      counters_.suppressed++;
      return {};
    }
  }
  const Key key{instance_id, host_prefix(eid)};
  auto last = last_request_.find(key);
  if (last != last_request_.end() && now - last->second < options_.min_request_interval) {
    counters_.suppressed++;
    return {};
  }
  if (pending_.size() >= options_.max_pending) {
    counters_.pending_table_full++;
    return {};
  }
  // Last, so a miss refused for another reason takes no token.
  if (reason == Reason::kMiss && !misses_.allow(kEveryMiss, now)) {
    counters_.miss_rate_limited++;
    return {};
  }
  last_request_[key] = now;
  Pending pending{instance_id,
                  eid,
                  random_(),
                  reason == Reason::kSmrInvoked,
                  1,
                  now,
                  now + options_.first_retry,
                  active_resolver_};
  while (pending_.count(pending.nonce)) pending.nonce = random_();
  counters_.requests_sent++;
  resolver_states_[pending.resolver].requests_sent++;
  auto request = make_request(pending);
  pending_.emplace(pending.nonce, pending);
  return {std::move(request)};
}

std::vector<Outgoing> Resolver::resolve(uint32_t instance_id, const net::IpAddress& eid,
                                        TimePoint now) {
  return start(instance_id, eid, Reason::kMiss, now);
}

bool Resolver::handle_reply(const lisp::MapReply& reply, TimePoint now) {
  if (reply.probe) return handle_probe_reply(reply);
  auto it = pending_.find(reply.nonce);
  if (it == pending_.end()) {
    counters_.replies_unknown_nonce++;
    return false;
  }
  const Pending pending = it->second;
  // Only a record that covers the EID asked for counts (RFC 9301 §8.1); any
  // other record in the reply is not what we asked and is ignored.
  const lisp::MappingRecord* covering = nullptr;
  std::pair<uint32_t, net::IpPrefix> covered;
  for (const auto& record : reply.records) {
    auto eid = eid_prefix_of(record.eid, record.eid_mask_len);
    if (eid && eid->first == pending.instance_id && eid->second.contains(pending.eid)) {
      covering = &record;
      covered = *eid;
      break;
    }
  }
  if (covering == nullptr) {
    counters_.replies_not_covering++;
    return false;  // still outstanding: the real answer may follow
  }
  pending_.erase(it);
  counters_.replies_accepted++;
  if (pending.resolver < resolver_states_.size()) {
    auto& state = resolver_states_[pending.resolver];
    state.answered++;
    state.last_answer = now;
    state.reachable = true;
  }
  install(pending, *covering, covered.first, covered.second, now);
  return true;
}

void Resolver::install(const Pending& pending, const lisp::MappingRecord& record,
                       uint32_t instance_id, const net::IpPrefix& prefix, TimePoint now) {
  const Key key{instance_id, prefix};
  if (static_.count(key)) {
    counters_.static_kept++;
    return;
  }
  auto existing = entries_.find(key);
  if (record.ttl_minutes == 0) {  // RFC 9301 §5.4: not to be cached
    counters_.ttl_zero++;
    if (existing != entries_.end()) remove(existing);
    return;
  }
  if (existing == entries_.end() && !make_room(prefix)) {
    counters_.cache_full++;
    return;
  }
  const dataplane::Mapping mapping = mapping_from_record(record, instance_id, prefix);
  if (auto status = cache_.upsert(effective(mapping)); !status.ok()) {
    counters_.install_failures++;
    return;
  }
  const uint32_t ttl = std::min(record.ttl_minutes, options_.max_ttl_minutes);
  if (ttl < record.ttl_minutes) counters_.ttl_clamped++;
  (mapping.action == dataplane::MapAction::kEncapsulate ? counters_.positive_installed
                                                        : counters_.negative_installed)++;
  Entry entry{mapping, pending.eid, ttl, now, now + std::chrono::minutes(ttl), false, now};
  if (existing != entries_.end()) {
    counters_.refreshed++;
    // A refresh keeps its place in the eviction order.
    entry.last_used = existing->second.last_used;
    existing->second = std::move(entry);
    return;
  }
  family_count(prefix)++;
  use_order(prefix).insert({now, key});
  entries_.emplace(key, std::move(entry));
}

void Resolver::remove(std::map<Key, Entry>::iterator it) {
  (void)cache_.erase(it->first.instance_id, it->first.prefix);
  use_order(it->first.prefix).erase({it->second.last_used, it->first});
  family_count(it->first.prefix)--;
  entries_.erase(it);
}

std::vector<Outgoing> Resolver::handle_smr(const lisp::MapRequest& smr,
                                           const net::IpAddress& source, TimePoint now) {
  counters_.smr_received++;
  const auto eid = eid_of(smr.source_eid);
  if (!eid || !known(eid->first, eid->second)) {
    counters_.smr_ignored++;
    return {};
  }
  return ask_again(eid->first, eid->second, source, now);
}

std::vector<Outgoing> Resolver::ask_again(uint32_t instance_id, const net::IpAddress& eid,
                                          const net::IpAddress& source, TimePoint now) {
  static const net::IpAddress kEverySource = net::IpAddress::v4(0);
  if (!smr_invoked_per_source_.allow(source, now) || !smr_invoked_total_.allow(kEverySource, now)) {
    counters_.smr_invoked_rate_limited++;
    return {};
  }
  // A request still outstanding may have reached the Map-Server before it
  // held the peer's new locators: it goes again now, with its nonce.
  for (auto& [nonce, pending] : pending_) {
    if (pending.instance_id != instance_id || pending.eid != eid) continue;
    if (now - pending.last_sent < options_.smr_resend_interval) {
      counters_.suppressed++;
      return {};
    }
    pending.smr_invoked = true;
    pending.last_sent = now;
    pending.attempts++;
    pending.next_send = now + options_.first_retry;
    counters_.retransmissions++;
    resolver_states_[pending.resolver].requests_sent++;
    return {make_request(pending)};
  }
  // The old mapping stays installed until the SMR-invoked reply replaces it.
  last_request_.erase(Key{instance_id, host_prefix(eid)});
  return start(instance_id, eid, Reason::kSmrInvoked, now);
}

std::vector<Outgoing> Resolver::peer_seen(const lisp::MapRequest& request,
                                          const net::IpAddress& source, TimePoint now) {
  const auto eid = eid_of(request.source_eid);
  if (!eid) return {};
  const Entry* held = covering(entries_, eid->first, eid->second);
  if (held == nullptr || held->mapping.locators.empty()) return {};
  const bool known_rloc = std::any_of(request.itr_rlocs.begin(), request.itr_rlocs.end(),
                                      [&](const lisp::Address& rloc) {
                                        const auto* ip = rloc.ip();
                                        return ip && uses_rloc(held->mapping, *ip);
                                      });
  if (known_rloc) return {};
  // Within the per-EID request interval: one question per move is enough.
  auto last = last_request_.find(Key{eid->first, host_prefix(held->asked_for)});
  if (last != last_request_.end() && now - last->second < options_.min_request_interval) return {};
  counters_.peer_moved++;
  return ask_again(eid->first, held->asked_for, source, now);
}

std::optional<TimePoint> Resolver::next_due() const {
  std::optional<TimePoint> due;
  auto earlier = [&due](TimePoint at) {
    if (!due || at < *due) due = at;
  };
  for (const auto& [nonce, pending] : pending_) earlier(pending.next_send);
  // The once-a-second scan: TTLs, refreshes, the per-EID request interval,
  // path MTUs, and new locators to probe.
  if (!entries_.empty() || !static_.empty() || !last_request_.empty() || path_mtu_.size() > 0) {
    earlier(next_entry_scan_);
  }
  if (!local_->identity.rlocs.empty()) {
    if (auto probe = prober_.next_due()) earlier(*probe);
  }
  return due;
}

std::vector<Outgoing> Resolver::poll(TimePoint now) {
  std::vector<Outgoing> out;
  // A reload left no Map-Resolver: nothing outstanding can be sent again.
  if (map_resolvers_.empty()) {
    counters_.given_up += pending_.size();
    pending_.clear();
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    Pending& pending = it->second;
    if (now < pending.next_send) {
      ++it;
      continue;
    }
    if (pending.attempts > options_.retries) {
      counters_.given_up++;
      it = pending_.erase(it);
      continue;
    }
    // Retries count against map-requests-per-second too: what reaches the
    // Map-Resolvers is bounded, not only what starts. One over the rate is
    // skipped, as if sent and lost, so the request still ends on schedule.
    if (!misses_.allow(kEveryMiss, now)) {
      counters_.miss_rate_limited++;
      pending.next_send = now + options_.first_retry * (1 << pending.attempts);
      pending.attempts++;
      ++it;
      continue;
    }
    // No answer from this Map-Resolver: the next one gets this retry and
    // the requests after it.
    auto& missed = resolver_states_[pending.resolver];
    missed.unanswered++;
    missed.reachable = false;
    if (map_resolvers_.size() > 1) {
      active_resolver_ = (active_resolver_ + 1) % map_resolvers_.size();
      counters_.resolver_failovers++;
    }
    pending.next_send = now + options_.first_retry * (1 << pending.attempts);
    pending.last_sent = now;
    pending.attempts++;
    pending.resolver = active_resolver_;
    resolver_states_[pending.resolver].requests_sent++;
    counters_.retransmissions++;
    out.push_back(make_request(pending));
    ++it;
  }
  // TTLs count in minutes: a scan of the entries once a second is enough,
  // and keeps a large map-cache from costing a walk every loop.
  if (now < next_entry_scan_) {
    auto probes = poll_probes(now);
    out.insert(out.end(), probes.begin(), probes.end());
    return out;
  }
  next_entry_scan_ = now + std::chrono::seconds(1);
  note_used(now);
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = it->second;
    if (now >= entry.expires) {
      counters_.expired++;
      if (!entry.refreshing) counters_.lapsed_unused++;
      auto lapsed = it++;
      remove(lapsed);
      continue;
    }
    const auto lifetime = entry.expires - entry.installed;
    const auto refresh_time =
        entry.installed + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              lifetime * options_.refresh_at);
    // Only what traffic used since it was installed is asked for again; an
    // entry nothing needs lapses (a miss resolves it again if traffic comes).
    if (!entry.refreshing && entry.used() && now >= refresh_time) {
      entry.refreshing = true;
      last_request_.erase(Key{it->first.instance_id, host_prefix(entry.asked_for)});
      auto request = start(it->first.instance_id, entry.asked_for, Reason::kRefresh, now);
      out.insert(out.end(), request.begin(), request.end());
    }
    ++it;
  }
  std::erase_if(last_request_, [&](const auto& item) {
    return now - item.second >= options_.min_request_interval;
  });
  for (const auto& rloc : path_mtu_.expire(now)) republish(rloc);
  auto probes = poll_probes(now);
  out.insert(out.end(), probes.begin(), probes.end());
  return out;
}

bool Resolver::locator_down(const net::IpAddress& rloc) const { return prober_.down(rloc); }

dataplane::Mapping Resolver::effective(const dataplane::Mapping& mapping) const {
  dataplane::Mapping out = mapping;
  for (auto& locator : out.locators) {
    if (locator_down(locator.rloc)) locator.reachable = false;
    if (auto mtu = path_mtu_.mtu(locator.rloc)) locator.path_mtu = *mtu;
  }
  return out;
}

void Resolver::learn_path_mtu(const net::IpAddress& rloc, uint32_t mtu, TimePoint now) {
  if (now - path_mtu_second_ >= std::chrono::seconds(1)) {
    path_mtu_second_ = now;
    path_mtu_reports_ = 0;
  }
  if (++path_mtu_reports_ > kPathMtuReportsPerSecond) {
    counters_.path_mtu_rate_limited++;
    return;
  }
  auto uses = [&](const dataplane::Mapping& mapping) { return uses_rloc(mapping, rloc); };
  const bool in_use =
      std::any_of(entries_.begin(), entries_.end(),
                  [&](auto& e) { return uses(e.second.mapping); }) ||
      std::any_of(static_.begin(), static_.end(), [&](auto& e) { return uses(e.second); });
  if (!in_use) {
    counters_.path_mtu_unknown_rloc++;
    return;
  }
  if (path_mtu_.report(rloc, mtu, now)) republish(rloc);
}

void Resolver::republish(const net::IpAddress& rloc) {
  auto uses = [&](const dataplane::Mapping& mapping) { return uses_rloc(mapping, rloc); };
  for (const auto& [key, entry] : entries_) {
    if (uses(entry.mapping) && !cache_.upsert(effective(entry.mapping)).ok()) {
      counters_.install_failures++;
    }
  }
  for (const auto& [key, mapping] : static_) {
    if (uses(mapping) && !cache_.upsert(effective(mapping)).ok()) counters_.install_failures++;
  }
}

std::vector<Outgoing> Resolver::poll_probes(TimePoint now) {
  if (!prober_.enabled() || local_->identity.rlocs.empty()) return {};
  // The locators to probe: every one in the map-cache, each once.
  RlocProber::InUse in_use;
  auto collect = [&](const dataplane::Mapping& mapping) {
    for (const auto& locator : mapping.locators) {
      in_use.try_emplace(locator.rloc, mapping.instance_id, mapping.prefix);
    }
  };
  for (const auto& [key, entry] : entries_) collect(entry.mapping);
  for (const auto& [key, mapping] : static_) collect(mapping);
  auto result = prober_.poll(in_use, local_->identity.rlocs, now);
  counters_.probe_table_full += result.refused;
  std::vector<Outgoing> out = std::move(result.probes);
  counters_.probes_sent += out.size();
  for (const auto& rloc : result.went_down) {
    counters_.locators_down++;
    republish(rloc);
    // A mapping whose every locator is down is asked for again at once
    // (the peer may have moved without our hearing), not at its refresh.
    for (const auto& [key, entry] : entries_) {
      const auto& locators = entry.mapping.locators;
      const bool all_down =
          uses_rloc(entry.mapping, rloc) &&
          std::all_of(locators.begin(), locators.end(),
                      [&](const dataplane::MappingLocator& l) { return prober_.down(l.rloc); });
      if (!all_down) continue;
      counters_.all_locators_down++;
      auto again = ask_again(key.instance_id, entry.asked_for, rloc, now);
      out.insert(out.end(), std::make_move_iterator(again.begin()),
                 std::make_move_iterator(again.end()));
    }
  }
  return out;
}

bool Resolver::handle_probe_reply(const lisp::MapReply& reply) {
  net::IpAddress rloc;
  const auto came_up = prober_.handle_reply(reply, rloc);
  if (!came_up) {
    counters_.replies_unknown_nonce++;
    return false;
  }
  counters_.probe_replies++;
  if (*came_up) {
    counters_.locators_up++;
    republish(rloc);
  }
  return true;
}

std::vector<Solicitor::Peer> Resolver::smr_peers() const {
  std::vector<Solicitor::Peer> peers;
  auto add = [&](const dataplane::Mapping& mapping) {
    for (const auto& locator : mapping.locators) {
      peers.push_back({mapping.instance_id, mapping.prefix, locator.rloc});
    }
  };
  for (const auto& [key, entry] : entries_) add(entry.mapping);
  for (const auto& [key, mapping] : static_) add(mapping);
  return peers;
}

}  // namespace lispmob::control
