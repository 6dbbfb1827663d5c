#include "control/xtr/xtr_commands.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "control/operator_endpoints.h"
#include "control/xtr/registrar.h"
#include "control/xtr/xtr_node.h"

namespace lispmob::control {

namespace {

const char* action_name(dataplane::MapAction action) {
  switch (action) {
    case dataplane::MapAction::kEncapsulate:
      return "encapsulate";
    case dataplane::MapAction::kDrop:
      return "drop";
    case dataplane::MapAction::kNativelyForward:
      return "natively-forward";
    case dataplane::MapAction::kSendMapRequest:
      return "send-map-request";
  }
  return "?";
}

// Where the entry came from: "static" (the config or lispctl), "reply" (a
// Map-Reply with locators) or "negative" (one with an action only).
const char* source_of(const dataplane::Mapping& mapping, const XtrControl& control) {
  if (control.resolver().entry(mapping.instance_id, mapping.prefix) == nullptr) return "static";
  return mapping.action == dataplane::MapAction::kEncapsulate ? "reply" : "negative";
}

// When the resolver's entry for this prefix lapses; "never" (JSON null)
// for a static one.
Cell expiry(const dataplane::Mapping& mapping, const XtrControl& control) {
  const auto* entry = control.resolver().entry(mapping.instance_id, mapping.prefix);
  if (entry == nullptr) return Cell("never", Json(nullptr));
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(
      entry->expires - std::chrono::steady_clock::now());
  const int64_t seconds = std::max<int64_t>(0, left.count());
  return Cell(absl::StrFormat("%ds", seconds), Json(seconds));
}

Cell locators_cell(const dataplane::Mapping& mapping) {
  std::vector<std::string> text;
  Json json = Json::array();
  for (const auto& locator : mapping.locators) {
    text.push_back(
        absl::StrFormat("%s (p%d w%d%s%s)", locator.rloc.to_string(), locator.priority,
                        locator.weight, locator.reachable ? "" : " down",
                        locator.path_mtu ? absl::StrFormat(" mtu %d", locator.path_mtu) : ""));
    json.push_back({{"rloc", locator.rloc.to_string()},
                    {"priority", locator.priority},
                    {"weight", locator.weight},
                    {"reachable", locator.reachable},
                    {"path_mtu", locator.path_mtu}});
  }
  return Cell(absl::StrJoin(text, " "), std::move(json));
}

Table mapping_table() {
  return Table({{"instance", 9},
                {"eid-prefix", 24},
                {"action", 17},
                {"source", 9},
                {"expires", 8},
                {"rlocs", 0}});
}

void add_mapping_row(Table& table, const dataplane::Mapping& mapping, const XtrControl& control) {
  table.add_row({mapping.instance_id, mapping.prefix.to_string(), action_name(mapping.action),
                 source_of(mapping, control), expiry(mapping, control), locators_cell(mapping)});
}

std::string mac_text(const dataplane::MacAddress& mac) {
  return absl::StrFormat("%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
                         mac[5]);
}

// "12s ago", or "never"; JSON: the seconds, or null.
Cell age(const std::optional<TimePoint>& when) {
  if (!when) return Cell("never", Json(nullptr));
  const int64_t seconds = std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - *when)
             .count());
  return Cell(absl::StrFormat("%ds ago", seconds), Json(seconds));
}

Reply show_map_servers(const Registrar& registrar) {
  if (registrar.servers().empty()) return Reply::message("no map-server configured");
  Table table({{"active", 6},
               {"map-server", 40},
               {"registered", 10},
               {"registers", 9},
               {"notifies", 8},
               {"last-notify", 0}});
  for (size_t i = 0; i < registrar.servers().size(); ++i) {
    const auto& state = registrar.state(i);
    table.add_row({i == registrar.active_server() ? "*" : "",
                   registrar.servers()[i].address.to_string(), state.registered,
                   state.registers_sent, state.notifies_accepted, age(state.last_notify)});
  }
  return table;
}

Reply show_map_resolvers(const Resolver& resolver) {
  if (resolver.map_resolvers().empty()) return Reply::message("no map-resolver configured");
  Table table({{"active", 6},
               {"map-resolver", 40},
               {"state", 8},
               {"requests", 8},
               {"answered", 8},
               {"unanswered", 10},
               {"last-answer", 0}});
  for (size_t i = 0; i < resolver.map_resolvers().size(); ++i) {
    const auto& state = resolver.resolver_state(i);
    const char* reachability = !state.reachable ? "unknown" : *state.reachable ? "up" : "down";
    table.add_row({i == resolver.active_resolver() ? "*" : "",
                   resolver.map_resolvers()[i].to_string(), reachability, state.requests_sent,
                   state.answered, state.unanswered, age(state.last_answer)});
  }
  return table;
}

// Our EID-prefixes, their current locators and, per Map-Server, whether
// they are registered there (every record goes in each Map-Register).
Reply show_database_mappings(const XtrNode& node) {
  const auto& registrar = node.control().registrar();
  Table table(
      {{"instance", 9}, {"eid-prefix", 24}, {"ttl", 5}, {"rlocs", 40}, {"registration", 0}});
  for (size_t m = 0; m < node.config().database_mappings.size(); ++m) {
    const auto& mapping = node.config().database_mappings[m];
    std::vector<std::string> text;
    Json rlocs = Json::array();
    for (const auto& locator : node.locators()) {
      if (locator.mapping != m) continue;
      text.push_back(absl::StrFormat("%s (p%d w%d link %d)", locator.address.to_string(),
                                     locator.priority, locator.weight, locator.link));
      rlocs.push_back({{"rloc", locator.address.to_string()},
                       {"priority", locator.priority},
                       {"weight", locator.weight},
                       {"link", locator.link}});
    }
    std::vector<std::string> registered;
    Json servers = Json::array();
    for (size_t i = 0; i < registrar.servers().size(); ++i) {
      const auto& state = registrar.state(i);
      const Cell last = age(state.last_notify);
      registered.push_back(absl::StrFormat("%s %s", registrar.servers()[i].address.to_string(),
                                           state.registered ? "yes, " + last.text : "no"));
      servers.push_back({{"map-server", registrar.servers()[i].address.to_string()},
                         {"registered", state.registered},
                         {"last-notify", last.json}});
    }
    table.add_row({mapping.instance_id, mapping.eid_prefix.to_string(),
                   Cell(absl::StrFormat("%dm", mapping.ttl_minutes), Json(mapping.ttl_minutes)),
                   Cell(text.empty() ? "(none yet)" : absl::StrJoin(text, " "), std::move(rlocs)),
                   Cell(registered.empty() ? "no map-server" : absl::StrJoin(registered, "; "),
                        std::move(servers))});
  }
  return table;
}

Reply show_local(const dataplane::LocalState& state, const EidPortMtu& eid_mtu) {
  Fields fields(10);
  auto v4 = [](const std::array<uint8_t, 4>& bytes) {
    return net::IpAddress::v4(std::span<const uint8_t, 4>(bytes)).to_string();
  };
  auto v6 = [](const std::array<uint8_t, 16>& bytes) {
    return net::IpAddress::v6(std::span<const uint8_t, 16>(bytes)).to_string();
  };
  if (state.has_rloc4) fields.add("rloc", v4(state.rloc4));
  if (state.has_rloc6) fields.add("rloc", v6(state.rloc6));
  for (unsigned i = 0; i < state.local_eid_count; ++i) {
    fields.add("eid",
               absl::StrFormat("[%d]%s", state.instance_id, state.local_eids[i].to_string()));
  }
  fields.add("egress4", absl::StrFormat("link %d port %s next hop %s mtu %d", state.egress_link4,
                                        mac_text(state.rloc_port_mac4),
                                        mac_text(state.next_hop_mac4), state.egress_mtu4));
  fields.add("egress6", absl::StrFormat("link %d port %s next hop %s mtu %d", state.egress_link6,
                                        mac_text(state.rloc_port_mac6),
                                        mac_text(state.next_hop_mac6), state.egress_mtu6));
  fields.add("eid-mtu", eid_mtu.mtu != 0 ? absl::StrFormat("%d (%s)", eid_mtu.mtu, eid_mtu.reason)
                        : !eid_mtu.reason.empty()
                            ? "unchanged (" + eid_mtu.reason + ")"
                            : std::string("unchanged (no RLOC link MTU known yet)"));
  if (state.lan) {
    fields.add("lan", absl::StrFormat("port %s, %d adjacencies, %d hosts refused (table full)",
                                      mac_text(state.lan_port_mac), state.adjacencies.size(),
                                      state.adjacencies_refused));
  }
  for (unsigned i = 0; i < state.link_count; ++i) {
    const auto& link = state.links[i];
    std::vector<std::string> rlocs;
    if (link.has_rloc4) rlocs.push_back(v4(link.rloc4));
    if (link.has_rloc6) rlocs.push_back(v6(link.rloc6));
    fields.add(absl::StrFormat("link %d", i), absl::StrJoin(rlocs, " "));
  }
  return fields;
}

// Words such as "iid 7 203.0.113.0/24 rloc 192.0.3.4 priority 1 weight 50":
// the instance, the EID-prefix and the locators of a lispctl change.
struct MappingWords {
  std::optional<uint32_t> instance_id;
  std::optional<net::IpPrefix> prefix;
  std::vector<dataplane::MappingLocator> locators;
};

std::optional<uint32_t> number_word(const std::string& word, uint32_t max) {
  uint32_t value = 0;
  if (word.empty() || !std::isdigit(static_cast<unsigned char>(word[0])) ||
      !absl::SimpleAtoi(word, &value) || value > max) {
    return std::nullopt;
  }
  return value;
}

// nullopt with `error` set for words that do not say a mapping.
std::optional<MappingWords> parse_mapping_words(const std::vector<std::string>& words,
                                                bool locators_allowed, std::string& error) {
  MappingWords out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool has_value = i + 1 < words.size();
    if (word == "iid" && has_value) {
      out.instance_id = number_word(words[++i], 16777215);
      if (!out.instance_id) error = "iid: a number from 0 to 16777215";
    } else if (word == "rloc" && has_value && locators_allowed) {
      const auto address = net::IpAddress::parse(words[++i]);
      if (!address) error = "rloc " + words[i] + ": not an IP address";
      if (out.locators.size() >= dataplane::kMaxLocators) error = "at most 8 locators";
      if (address) out.locators.push_back({*address, 1, 100, true, 0});
    } else if ((word == "priority" || word == "weight") && has_value && !out.locators.empty()) {
      const auto value = number_word(words[++i], 255);
      if (!value) error = word + ": a number from 0 to 255";
      if (value) {
        auto& locator = out.locators.back();
        (word == "priority" ? locator.priority : locator.weight) = static_cast<uint8_t>(*value);
      }
    } else if (!out.prefix) {
      out.prefix = net::IpPrefix::parse(word);
      if (!out.prefix) error = word + ": not an EID-prefix (such as 203.0.113.0/24)";
    } else {
      error = "unexpected '" + word + "'";
    }
    if (!error.empty()) return std::nullopt;
  }
  return out;
}

constexpr const char* kAddUsage =
    "[iid N] EID-PREFIX rloc ADDRESS [priority P] [weight W] [rloc ...]";

}  // namespace

void add_xtr_node_shows(CommandRegistry& commands, const XtrNode& node) {
  commands.add("show map-resolvers", "", "each Map-Resolver: reachability, requests, last answer",
               [&node](auto&) { return show_map_resolvers(node.control().resolver()); });
  commands.add("show database-mappings", "",
               "our EID-prefixes, their locators and registration per Map-Server",
               [&node](auto&) { return show_database_mappings(node); });
}

void add_xtr_change_commands(CommandRegistry& commands, XtrNode& node) {
  auto instance = [&node](const MappingWords& words) {
    return words.instance_id.value_or(node.state().instance_id);
  };
  commands.add("add static-mapping", kAddUsage, "a static map-cache entry, until the next reload",
               [&node, instance](const std::vector<std::string>& arguments) {
                 std::string error;
                 const auto words = parse_mapping_words(arguments, true, error);
                 if (!words || !words->prefix || words->locators.empty()) {
                   return Reply::error(error.empty()
                                           ? std::string("usage: add static-mapping ") + kAddUsage
                                           : error);
                 }
                 dataplane::Mapping mapping{instance(*words), *words->prefix,
                                            dataplane::MapAction::kEncapsulate, words->locators};
                 if (auto status = node.add_static_mapping(mapping); !status.ok()) {
                   return Reply::error(std::string(status.message()));
                 }
                 return Reply::message("static mapping " + mapping.prefix.to_string() + " added");
               });
  commands.add("remove static-mapping", "[iid N] EID-PREFIX", "takes a static mapping out",
               [&node, instance](const std::vector<std::string>& arguments) {
                 std::string error;
                 const auto words = parse_mapping_words(arguments, false, error);
                 if (!words || !words->prefix) {
                   return Reply::error(
                       error.empty() ? "usage: remove static-mapping [iid N] EID-PREFIX" : error);
                 }
                 if (auto status = node.remove_static_mapping(instance(*words), *words->prefix);
                     !status.ok()) {
                   return Reply::error(std::string(status.message()));
                 }
                 return Reply::message("static mapping " + words->prefix->to_string() + " removed");
               });
  commands.add(
      "clear map-cache", "[[iid N] EID-PREFIX]",
      "what Map-Replies installed (static entries stay); resolved again at the next miss",
      [&node, instance](const std::vector<std::string>& arguments) {
        std::string error;
        const auto words = parse_mapping_words(arguments, false, error);
        if (!words) return Reply::error(error);
        std::optional<std::pair<uint32_t, net::IpPrefix>> only;
        if (words->prefix) only.emplace(instance(*words), *words->prefix);
        const size_t cleared = node.clear_map_cache(only);
        if (only && cleared == 0) {
          return Reply::error("no resolved map-cache entry for " + only->second.to_string());
        }
        Fields fields(8);
        fields.add("cleared", cleared);
        return Reply(fields);
      });
  commands.add("re-register", "", "sends every Map-Server a Map-Register now", [&node](auto&) {
    node.register_now();
    return Reply::message("registering with " + std::to_string(node.config().map_servers.size()) +
                          " Map-Server(s)");
  });
}

void add_xtr_commands(CommandRegistry& commands, const dataplane::Dataplane& dataplane,
                      const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                      const XtrControl& control) {
  commands.add("show map-cache", "", "the map-cache, static and resolved entries", [&](auto&) {
    Table table = mapping_table();
    for (const auto& mapping : control.resolver().installed()) {
      add_mapping_row(table, mapping, control);
    }
    return Reply(table);
  });
  commands.add(
      "lookup", "EID [IID]", "the map-cache entry the data plane uses for EID",
      [&](const std::vector<std::string>& words) {
        const auto address = words.empty() ? std::nullopt : net::IpAddress::parse(words[0]);
        if (!address) return Reply::error("usage: lookup EID [IID]");
        const uint32_t iid =
            words.size() >= 2 ? static_cast<uint32_t>(std::strtoul(words[1].c_str(), nullptr, 10))
                              : state.instance_id;
        // The prefix the data plane's own longest match picks, shown from
        // the control thread's table.
        const auto prefix = dataplane.longest_match(iid, *address);
        const auto mapping = prefix ? control.resolver().installed(iid, *prefix) : std::nullopt;
        if (!mapping) return Reply::message("no map-cache entry for " + words[0]);
        Table table = mapping_table();
        add_mapping_row(table, *mapping, control);
        return Reply(table);
      });
  commands.add("show workers", "", "each worker's packets (its queue on every port)", [&](auto&) {
    Table table({{"worker", 8},
                 {"rx", 12},
                 {"tx", 12},
                 {"encapsulated", 14},
                 {"decapsulated", 14},
                 {"to_kernel", 0}});
    const auto workers = dataplane.worker_counters();
    for (size_t i = 0; i < workers.size(); ++i) {
      const auto& c = workers[i];
      table.add_row({Cell(static_cast<uint64_t>(i)), Cell(c.rx_packets), Cell(c.tx_packets),
                     Cell(c.encapsulated), Cell(c.decapsulated), Cell(c.to_kernel)});
    }
    return Reply(table);
  });
  commands.add("show map-servers", "", "registration state per Map-Server",
               [&](auto&) { return show_map_servers(control.registrar()); });
  commands.add("show local", "", "our RLOCs, EIDs, egress and EID port MTU",
               [&](auto&) { return show_local(state, eid_mtu); });
}

void add_xtr_counters(CounterRegistry& counters, const dataplane::Dataplane& dataplane,
                      const XtrControl& control) {
#define LISPMOB_REGISTER_COUNTER(name, help) \
  counters.add("dataplane", #name, help, [&dataplane] { return dataplane.counters().name; });
  LISPMOB_DATAPLANE_COUNTERS(LISPMOB_REGISTER_COUNTER)
#undef LISPMOB_REGISTER_COUNTER
  counters.add(
      "dataplane", "map_cache_entries", "mappings in the data plane's map-cache",
      [&dataplane] { return dataplane.mapping_count(); }, CounterRegistry::Kind::kGauge);

  const auto& resolver = control.resolver();
  static constexpr CounterRegistry::Field<ResolverCounters> kResolverRows[] = {
      {"requests_sent", "Map-Requests sent: first attempts, refreshes, SMR-invoked",
       &ResolverCounters::requests_sent},
      {"retransmissions", "Map-Requests sent again, unanswered",
       &ResolverCounters::retransmissions},
      {"resolver_failovers", "switches to the next Map-Resolver",
       &ResolverCounters::resolver_failovers},
      {"given_up", "Map-Requests unanswered after every retry", &ResolverCounters::given_up},
      {"suppressed", "misses within the per-EID interval or already outstanding",
       &ResolverCounters::suppressed},
      {"replies_accepted", "Map-Replies that answered an outstanding request",
       &ResolverCounters::replies_accepted},
      {"replies_unknown_nonce", "Map-Replies whose nonce matched nothing outstanding",
       &ResolverCounters::replies_unknown_nonce},
      {"replies_not_covering", "Map-Replies with no record covering the EID asked for",
       &ResolverCounters::replies_not_covering},
      {"positive_installed", "mappings with locators installed",
       &ResolverCounters::positive_installed},
      {"negative_installed", "negative mappings installed", &ResolverCounters::negative_installed},
      {"ttl_zero", "replies with a TTL of 0, not cached", &ResolverCounters::ttl_zero},
      {"ttl_clamped", "replies with a TTL over 24 hours, cut to 24 hours",
       &ResolverCounters::ttl_clamped},
      {"refreshed", "mappings refreshed before their TTL lapsed", &ResolverCounters::refreshed},
      {"expired", "mappings removed at the end of their TTL", &ResolverCounters::expired},
      {"lapsed_unused", "mappings that lapsed unrefreshed: no traffic used them in their TTL",
       &ResolverCounters::lapsed_unused},
      {"evicted", "mappings removed, least recently used first, to make room in a full map-cache",
       &ResolverCounters::evicted},
      {"cache_full", "mappings not installed: the map-cache was full of static entries",
       &ResolverCounters::cache_full},
      {"static_kept", "replies for static-map-cache prefixes, not installed",
       &ResolverCounters::static_kept},
      {"install_failures", "mappings the data plane refused", &ResolverCounters::install_failures},
      {"miss_rate_limited", "misses not asked about: over map-requests-per-second",
       &ResolverCounters::miss_rate_limited},
      {"smr_received", "SMRs received", &ResolverCounters::smr_received},
      {"smr_ignored", "SMRs for EIDs not in the map-cache", &ResolverCounters::smr_ignored},
      {"smr_invoked_rate_limited",
       "SMRs and requests from a peer's new RLOC not acted on: over the per-source or total limit",
       &ResolverCounters::smr_invoked_rate_limited},
      {"peer_moved", "mappings asked for again: a peer asked us from an RLOC they lack",
       &ResolverCounters::peer_moved},
      {"all_locators_down", "mappings asked for again: probing found every locator down",
       &ResolverCounters::all_locators_down},
      {"pending_table_full", "Map-Requests not made: the outstanding table was full",
       &ResolverCounters::pending_table_full},
      {"probes_sent", "RLOC probes sent", &ResolverCounters::probes_sent},
      {"probe_replies", "RLOC probe replies received", &ResolverCounters::probe_replies},
      {"locators_down", "locators probing marked down", &ResolverCounters::locators_down},
      {"locators_up", "locators probing marked up again", &ResolverCounters::locators_up},
      {"probe_table_full", "locators not probed: the probe table was full",
       &ResolverCounters::probe_table_full},
  };
  counters.add_fields<Resolver, ResolverCounters>("xtr", resolver, kResolverRows);
  const auto& solicitor = control.solicitor();
  static constexpr CounterRegistry::Field<SolicitorCounters> kSolicitorRows[] = {
      {"smr_sent", "SMRs sent to peers after our RLOCs changed", &SolicitorCounters::smr_sent},
      {"smr_retransmitted", "of those, again to a peer that had not asked yet",
       &SolicitorCounters::smr_retransmitted},
      {"smr_acknowledged", "peers whose SMR-invoked Map-Request reached us",
       &SolicitorCounters::smr_acknowledged},
      {"smr_given_up", "peers that never asked within the SMRs of a round",
       &SolicitorCounters::smr_given_up},
      {"smr_rate_limited", "SMRs not sent: over the per-peer limit",
       &SolicitorCounters::smr_rate_limited},
      {"smr_table_full", "peers not told: the SMR table was full",
       &SolicitorCounters::smr_table_full},
  };
  counters.add_fields<Solicitor, SolicitorCounters>("xtr", solicitor, kSolicitorRows);
  counters.add(
      "xtr", "smr_pending", "peers told of our move that have not asked yet",
      [&solicitor] { return solicitor.pending(); }, CounterRegistry::Kind::kGauge);
  const auto& path_mtu = resolver.path_mtus();
  counters.add("xtr", "path_mtu_learned", "path MTUs learned from ICMP too-big reports",
               [&path_mtu] { return path_mtu.counters().learned; });
  counters.add("xtr", "path_mtu_ignored",
               "too-big reports above the known path MTU or below the floor",
               [&path_mtu] { return path_mtu.counters().ignored; });
  counters.add("xtr", "path_mtu_table_full", "path MTUs not kept: the table was full",
               [&path_mtu] { return path_mtu.counters().table_full; });
  counters.add("xtr", "path_mtu_expired", "path MTUs forgotten after their lifetime",
               [&path_mtu] { return path_mtu.counters().expired; });
  counters.add("xtr", "path_mtu_unknown_rloc", "too-big reports for RLOCs not in the map-cache",
               [&resolver] { return resolver.counters().path_mtu_unknown_rloc; });
  counters.add("xtr", "path_mtu_rate_limited", "too-big reports over the per-second limit",
               [&resolver] { return resolver.counters().path_mtu_rate_limited; });
  const auto& etr = control.etr();
  counters.add("xtr", "requests_answered", "Map-Requests the ETR answered",
               [&etr] { return etr.counters().requests_answered; });
  counters.add("xtr", "probes_answered", "RLOC probes the ETR answered",
               [&etr] { return etr.counters().probes_answered; });
  counters.add("xtr", "requests_not_ours", "Map-Requests for EIDs not ours",
               [&etr] { return etr.counters().not_ours; });
  counters.add("xtr", "replies_rate_limited", "Map-Replies not sent: over the per-requester limit",
               [&etr] { return etr.counters().rate_limited; });
  counters.add("xtr", "replies_no_destination", "Map-Requests with no usable ITR-RLOC",
               [&etr] { return etr.counters().no_destination; });
  counters.add("xtr", "malformed", "control messages that did not decode",
               [&control] { return control.counters().malformed; });
  counters.add("xtr", "ignored", "well-formed control messages no role takes",
               [&control] { return control.counters().ignored; });
  counters.add(
      "xtr", "outstanding_requests", "Map-Requests waiting for their reply",
      [&resolver] { return resolver.outstanding(); }, CounterRegistry::Kind::kGauge);
}

// The MN/xTR commands over their counters.
void add_counter_commands(CommandRegistry& commands, const CounterRegistry& counters) {
  commands.add("show counters", "", "the data plane's counters, summed over the workers",
               [&](auto&) { return Reply(counters.fields("dataplane", 22)); });
  commands.add("show control", "", "the control plane's counters",
               [&](auto&) { return Reply(counters.fields("xtr", 24)); });
  add_metrics_commands(commands, counters);
}

std::string answer_xtr(const std::string& command, const dataplane::Dataplane& dataplane,
                       const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                       const XtrControl& control) {
  CommandRegistry commands;
  CounterRegistry counters;
  add_xtr_counters(counters, dataplane, control);
  add_xtr_commands(commands, dataplane, state, eid_mtu, control);
  add_counter_commands(commands, counters);
  return commands.answer(command);
}

}  // namespace lispmob::control
