#include "control/ms/map_server.h"

#include <algorithm>
#include <map>

#include "common/crypto/auth.h"

namespace lispmob::control {
namespace {

// The first locator an ETR can be reached at, for forwarding Map-Requests.
std::optional<net::IpAddress> etr_locator(const Registration& registration) {
  for (const auto& locator : registration.record.locators) {
    if (locator.priority == 255 || !locator.reachable()) continue;
    if (const auto* ip = locator.address.ip()) return *ip;
  }
  return std::nullopt;
}

}  // namespace

bool MapServer::Key::operator<(const Key& other) const {
  if (instance_id != other.instance_id) return instance_id < other.instance_id;
  if (prefix.address != other.prefix.address) return prefix.address < other.prefix.address;
  return prefix.length < other.prefix.length;
}

MapServer::MapServer(std::vector<Site> sites, Options options)
    : sites_(std::move(sites)),
      options_(options),
      reply_limiter_(options.replies_per_second, options.reply_burst) {}

void MapServer::set_options(Options options) {
  if (options.replies_per_second != options_.replies_per_second ||
      options.reply_burst != options_.reply_burst) {
    reply_limiter_ = RateLimiter(options.replies_per_second, options.reply_burst);
  }
  options_ = options;
}

size_t MapServer::set_sites(std::vector<Site> sites) {
  sites_ = std::move(sites);
  const size_t dropped = std::erase_if(registrations_, [this](const auto& item) {
    return !item.second.configured &&
           site_for(item.first.instance_id, item.first.prefix) == nullptr;
  });
  count_per_site();
  return dropped;
}

void MapServer::count_per_site() {
  per_site_.clear();
  for (const auto& [key, registration] : registrations_) {
    if (!registration.configured) per_site_[site_for(key.instance_id, key.prefix)]++;
  }
}

void MapServer::set_static(const std::vector<StaticRegistration>& mappings) {
  std::erase_if(registrations_, [](const auto& item) { return item.second.configured; });
  for (const auto& mapping : mappings) {
    Registration& registration = registrations_[Key{mapping.instance_id, mapping.prefix}];
    registration = Registration{};
    registration.instance_id = mapping.instance_id;
    registration.prefix = mapping.prefix;
    registration.record.ttl_minutes = options_.static_ttl_minutes;
    registration.record.eid_mask_len = mapping.prefix.length;
    // Not authoritative: only an ETR sets A (RFC 9301 §5.4).
    registration.record.eid = eid_address(mapping.instance_id, mapping.prefix.address);
    registration.record.locators = mapping.locators;
    registration.configured = true;
  }
  count_per_site();
}

const Site* MapServer::site_for(uint32_t instance_id, const net::IpPrefix& prefix) const {
  const Site* best = nullptr;
  for (const auto& site : sites_) {
    if (site.instance_id != instance_id || !site.prefix.contains(prefix)) continue;
    if (best == nullptr || site.prefix.length > best->prefix.length) best = &site;
  }
  return best;
}

const Registration* MapServer::lookup(uint32_t instance_id, const net::IpPrefix& eid) const {
  for (int length = eid.length; length >= 0; --length) {
    const net::IpPrefix candidate{eid.address.masked(static_cast<unsigned>(length)),
                                  static_cast<uint8_t>(length)};
    auto found = registrations_.find(Key{instance_id, candidate});
    if (found != registrations_.end()) return &found->second;
  }
  return nullptr;
}

net::IpPrefix MapServer::negative_prefix(uint32_t instance_id, const net::IpAddress& eid,
                                         bool* in_site) const {
  const net::IpPrefix host{eid, static_cast<uint8_t>(eid.max_prefix_len())};
  const Site* site = site_for(instance_id, host);
  if (in_site) *in_site = site != nullptr;
  // Inside a site: the largest prefix around the EID holding no registration.
  // Outside: the largest holding no site (RFC 9301 §8.4: least-specific).
  auto holds_something = [&](const net::IpPrefix& candidate) {
    if (site != nullptr) {
      auto it = registrations_.lower_bound(Key{instance_id, {candidate.address, 0}});
      return it != registrations_.end() && it->first.instance_id == instance_id &&
             candidate.contains(it->first.prefix);
    }
    return std::any_of(sites_.begin(), sites_.end(), [&](const Site& s) {
      return s.instance_id == instance_id && candidate.contains(s.prefix);
    });
  };
  const unsigned start = site ? site->prefix.length : 0;
  for (unsigned length = start; length < eid.max_prefix_len(); ++length) {
    const net::IpPrefix candidate{eid.masked(length), static_cast<uint8_t>(length)};
    if (!holds_something(candidate)) return candidate;
  }
  return host;
}

Outgoing MapServer::notify(const lisp::MapRegister& message, const SiteKey& key,
                           const Endpoint& to) {
  lisp::MapNotify notify;
  notify.nonce = message.nonce;
  notify.auth.key_id = key.key_id;
  notify.auth.algorithm_id = key.algorithm;
  notify.records = message.records;
  notify.identity = message.identity;
  auto bytes = crypto::encode_authenticated(notify, key.key);
  counters_.notifies_sent++;
  return {to, bytes.ok() ? std::move(*bytes) : std::vector<uint8_t>{}};
}

std::vector<Outgoing> MapServer::handle(std::span<const uint8_t> bytes, const Endpoint& source,
                                        TimePoint now) {
  // A Map-Register is authenticated before it is decoded (RFC 9301 §8.2):
  // a flood of forged ones costs one HMAC each and allocates nothing.
  const SiteKey* register_key = nullptr;
  if (!bytes.empty() &&
      static_cast<lisp::MessageType>(bytes[0] >> 4) == lisp::MessageType::kMapRegister) {
    register_key = authenticate_register(bytes);
    if (register_key == nullptr) return {};
  }
  auto message = lisp::decode_message(bytes);
  if (!message.ok()) {
    counters_.malformed++;
    return {};
  }
  if (const auto* reg = std::get_if<lisp::MapRegister>(&message->value)) {
    return handle_register(*reg, *register_key, source, now);
  }
  if (const auto* request = std::get_if<lisp::MapRequest>(&message->value)) {
    // An SMR is meant for an ITR (one that also runs this role, or a
    // misdirected one): answering it as a query would send a reply to a
    // nonce nobody asked with.
    if (request->smr) return {};
    return handle_request(bytes, *request, source, false, source, now);
  }
  if (const auto* ecm = std::get_if<lisp::EncapsulatedControlMessage>(&message->value)) {
    if (const auto* request = std::get_if<lisp::MapRequest>(&ecm->inner->value)) {
      return handle_request(bytes, *request, {source.address, ecm->inner_udp.source_port}, true,
                            source, now);
    }
  }
  return {};  // nothing else is for a Map-Server
}

namespace {

bool holds_key(const Site& site, const SiteKey& key) {
  return std::any_of(site.keys.begin(), site.keys.end(), [&](const SiteKey& held) {
    return held.key_id == key.key_id && held.algorithm == key.algorithm && held.key == key.key;
  });
}

}  // namespace

const SiteKey* MapServer::authenticate_register(std::span<const uint8_t> bytes) {
  const auto keying = lisp::peek_map_register_keying(bytes);
  if (!keying) {
    counters_.malformed++;
    return nullptr;
  }
  const auto eid =
      eid_prefix_of(keying->instance_id, keying->first_eid, keying->first_eid_mask_len);
  const Site* site = eid ? site_for(eid->first, eid->second) : nullptr;
  if (site == nullptr) {
    counters_.outside_site++;
    return nullptr;
  }
  for (const auto& candidate : site->keys) {
    if (candidate.key_id == keying->key_id && candidate.algorithm == keying->algorithm_id &&
        crypto::verify_authentication(bytes, candidate.key)) {
      return &candidate;
    }
  }
  counters_.auth_failures++;
  return nullptr;
}

std::vector<Outgoing> MapServer::handle_register(const lisp::MapRegister& message,
                                                 const SiteKey& key, const Endpoint& source,
                                                 TimePoint now) {
  // Every record must name a prefix of a site that holds the key that
  // signed the message (the first record's site's, found before decoding):
  // an xTR registers its IPv4 and IPv6 EID-prefixes together, each in its
  // own lisp-site with the same key, as with OOR's Map-Server.
  std::vector<std::pair<uint32_t, net::IpPrefix>> prefixes;
  std::vector<const Site*> sites;
  for (const auto& record : message.records) {
    auto eid = eid_prefix_of(record.eid, record.eid_mask_len);
    const Site* record_site = eid ? site_for(eid->first, eid->second) : nullptr;
    if (record_site == nullptr || !holds_key(*record_site, key) ||
        (!record_site->accept_more_specifics && record_site->prefix != eid->second)) {
      counters_.outside_site++;
      return {};
    }
    sites.push_back(record_site);
    prefixes.push_back(*eid);
  }

  // Bounded: new prefixes only while the table and each site have room, a
  // new xTR in a merged prefix only while it has room.
  size_t added = 0;
  std::map<const Site*, size_t> added_per_site;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    const auto& [instance_id, prefix] = prefixes[i];
    auto held = registrations_.find(Key{instance_id, prefix});
    if (held == registrations_.end()) {
      added++;
      added_per_site[sites[i]]++;
    } else if (held->second.configured) {
      counters_.static_overlaps++;
      return {};
    } else if (sites[i]->merge &&
               contributor_of(held->second, message.identity, source) == nullptr &&
               held->second.contributors.size() >= options_.max_contributors) {
      counters_.contributors_refused++;
      return {};
    }
  }
  const bool a_site_is_full =
      std::any_of(added_per_site.begin(), added_per_site.end(), [&](const auto& entry) {
        return per_site_[entry.first] + entry.second > options_.max_registrations_per_site;
      });
  if (registrations_.size() + added > options_.max_registrations || a_site_is_full) {
    counters_.registrations_refused++;
    return {};
  }
  for (const auto& [site, count] : added_per_site) per_site_[site] += count;

  std::vector<Outgoing> out;
  for (size_t i = 0; i < message.records.size(); ++i) {
    const auto& [instance_id, prefix] = prefixes[i];
    Registration& registration = registrations_[Key{instance_id, prefix}];
    registration.instance_id = instance_id;
    registration.prefix = prefix;
    // Without merge the site has one registrant: whoever registers replaces
    // it (a mobile node that moved).
    Contributor* contributor =
        sites[i]->merge
            ? contributor_of(registration, message.identity, source)
            : (registration.contributors.empty() ? nullptr : &registration.contributors.front());
    if (contributor == nullptr) contributor = &registration.contributors.emplace_back();
    const auto& now_registered = message.records[i].locators;
    if (!contributor->locators.empty() && contributor->locators != now_registered) {
      // Tell the previous attachment that the mapping changed (a mobile
      // node moved): the locators the new registration no longer has.
      for (const auto& locator : contributor->locators) {
        const bool kept = std::any_of(now_registered.begin(), now_registered.end(),
                                      [&](const auto& l) { return l.address == locator.address; });
        if (const auto* ip = locator.address.ip(); ip && !kept) {
          out.push_back(notify(message, key, {*ip}));
        }
      }
    }
    *contributor = Contributor{message.identity, source, now_registered, now, message.proxy_reply};
    registration.record = message.records[i];
    merge_contributors(registration);
  }
  counters_.registers_accepted++;
  // Answered at the port the register came from: 4342 for an ETR sending
  // from it, and the right port for one behind a NAT or using another port.
  if (message.want_map_notify) out.push_back(notify(message, key, source));
  return out;
}

std::vector<Outgoing> MapServer::handle_request(std::span<const uint8_t> bytes,
                                                const lisp::MapRequest& request,
                                                const Endpoint& reply_to, bool encapsulated,
                                                const Endpoint& source, TimePoint now) {
  counters_.requests++;
  auto eid = eid_prefix_of(request.records.front().eid, request.records.front().eid_mask_len);
  if (!eid) {
    counters_.malformed++;
    return {};
  }
  if (!reply_limiter_.allow(source.address, now)) {
    counters_.rate_limited++;
    return {};
  }
  const auto [instance_id, prefix] = *eid;
  const Registration* registration = lookup(instance_id, prefix);
  if (registration != nullptr) {
    const Site* site = site_for(instance_id, registration->prefix);
    const auto etr = etr_locator(*registration);
    // Merged locators from several xTRs: no one ETR holds them all, so the
    // Map-Server answers for them.
    const bool proxy = registration->configured || (site && site->proxy_reply) ||
                       registration->proxy_reply() || registration->contributors.size() > 1;
    if (!proxy && encapsulated && etr) {
      // RFC 9301 §8.2: hand the ECM to the ETR, which answers the ITR itself.
      counters_.requests_forwarded++;
      return {{{*etr}, std::vector<uint8_t>(bytes.begin(), bytes.end())}};
    }
    auto destination = reply_destination(request, reply_to.port);
    if (!destination) return {};
    lisp::MapReply reply;
    reply.nonce = request.nonce;
    reply.records = {registration->record};
    counters_.proxy_replies++;
    return {{*destination, encode_or_empty(reply)}};
  }
  auto destination = reply_destination(request, reply_to.port);
  if (!destination) return {};
  bool in_site = false;
  const net::IpPrefix negative = negative_prefix(instance_id, prefix.address, &in_site);
  lisp::MappingRecord record;
  // A configured site's unregistered space is not reachable natively: drop,
  // and ask again soon. Outside every site it is not LISP: go natively.
  record.ttl_minutes =
      in_site ? options_.negative_ttl_unregistered_minutes : options_.negative_ttl_non_eid_minutes;
  record.action = static_cast<uint8_t>(in_site ? lisp::MapReplyAction::kDrop
                                               : lisp::MapReplyAction::kNativelyForward);
  record.authoritative = true;
  record.eid_mask_len = negative.length;
  record.eid = eid_address(instance_id, negative.address);
  lisp::MapReply reply;
  reply.nonce = request.nonce;
  reply.records = {record};
  counters_.negative_replies++;
  return {{*destination, encode_or_empty(reply)}};
}

Contributor* MapServer::contributor_of(Registration& registration,
                                       const std::optional<lisp::XtrIdentity>& identity,
                                       const Endpoint& source) {
  for (auto& contributor : registration.contributors) {
    const bool same =
        identity ? contributor.identity && contributor.identity->xtr_id == identity->xtr_id
                 : !contributor.identity && contributor.registered_by.address == source.address;
    if (same) return &contributor;
  }
  return nullptr;
}

void MapServer::merge_contributors(Registration& registration) {
  std::vector<lisp::Locator> locators;
  for (const auto& contributor : registration.contributors) {
    for (const auto& locator : contributor.locators) {
      const bool known = std::any_of(locators.begin(), locators.end(),
                                     [&](const auto& l) { return l.address == locator.address; });
      if (!known) locators.push_back(locator);
    }
  }
  registration.record.locators = std::move(locators);
}

TimePoint Registration::last_seen() const {
  TimePoint latest{};
  for (const auto& contributor : contributors) latest = std::max(latest, contributor.last_seen);
  return latest;
}

bool Registration::proxy_reply() const {
  return std::any_of(contributors.begin(), contributors.end(),
                     [](const Contributor& c) { return c.proxy_reply; });
}

std::vector<const Registration*> MapServer::registrations() const {
  std::vector<const Registration*> all;
  all.reserve(registrations_.size());
  for (const auto& [key, registration] : registrations_) all.push_back(&registration);
  return all;
}

void MapServer::expire(TimePoint now) {
  for (auto it = registrations_.begin(); it != registrations_.end();) {
    auto& registration = it->second;
    // Each xTR keeps its own share alive: a merged prefix loses only the
    // locators of the xTR that stopped registering.
    const size_t lapsed =
        registration.configured ? 0 : std::erase_if(registration.contributors, [&](const auto& c) {
          return now - c.last_seen > options_.registration_timeout;
        });
    if (lapsed > 0 && registration.contributors.empty()) {
      if (const Site* site = site_for(it->first.instance_id, it->first.prefix)) per_site_[site]--;
      it = registrations_.erase(it);
      counters_.expired++;
      continue;
    }
    if (lapsed > 0) merge_contributors(registration);
    ++it;
  }
}

}  // namespace lispmob::control
