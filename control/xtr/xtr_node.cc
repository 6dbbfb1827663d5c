#include "control/xtr/xtr_node.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/crypto/nonce.h"
#include "common/log/log.h"
#include "control/api_socket.h"
#include "control/runtime/event_loop.h"
#include "control/udp_socket.h"
#include "control/xtr/registrar.h"
#include "kni/host_setup.h"
#include "kni/interface.h"
#include "kni/local_node.h"

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

// When the resolver's entry for this prefix lapses; "static" for one from
// the config.
Cell expiry(const dataplane::Mapping& mapping, const XtrControl& control) {
  const auto* entry = control.resolver().entry(mapping.instance_id, mapping.prefix);
  if (entry == nullptr) return "static";
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(
      entry->expires - std::chrono::steady_clock::now());
  const int64_t seconds = std::max<int64_t>(0, left.count());
  return Cell::raw(absl::StrFormat("%ds", seconds), std::to_string(seconds));
}

Cell locators_cell(const dataplane::Mapping& mapping) {
  std::vector<std::string> text, json;
  for (const auto& locator : mapping.locators) {
    text.push_back(
        absl::StrFormat("%s (p%d w%d%s%s)", locator.rloc.to_string(), locator.priority,
                        locator.weight, locator.reachable ? "" : " down",
                        locator.path_mtu ? absl::StrFormat(" mtu %d", locator.path_mtu) : ""));
    json.push_back(absl::StrFormat(
        "{\"rloc\":%s,\"priority\":%d,\"weight\":%d,\"reachable\":%s,\"path_mtu\":%d}",
        json_quote(locator.rloc.to_string()), locator.priority, locator.weight,
        locator.reachable ? "true" : "false", locator.path_mtu));
  }
  return Cell::raw(absl::StrJoin(text, " "), "[" + absl::StrJoin(json, ",") + "]");
}

Table mapping_table() {
  return Table(
      {{"instance", 9}, {"eid-prefix", 24}, {"action", 17}, {"expires", 10}, {"rlocs", 0}});
}

void add_mapping_row(Table& table, const dataplane::Mapping& mapping, const XtrControl& control) {
  table.add_row({mapping.instance_id, mapping.prefix.to_string(), action_name(mapping.action),
                 expiry(mapping, control), locators_cell(mapping)});
}

std::string mac_text(const dataplane::MacAddress& mac) {
  return absl::StrFormat("%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
                         mac[5]);
}

Reply show_map_servers(const Registrar& registrar) {
  if (registrar.servers().empty()) return Reply::message("no map-server configured");
  Table table(
      {{"active", 6}, {"map-server", 40}, {"registered", 10}, {"registers", 9}, {"notifies", 0}});
  for (size_t i = 0; i < registrar.servers().size(); ++i) {
    const auto& state = registrar.state(i);
    table.add_row({i == registrar.active_server() ? "*" : "",
                   registrar.servers()[i].address.to_string(), state.registered,
                   state.registers_sent, state.notifies_accepted});
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
                                         : std::string("unchanged (no RLOC link MTU known yet)"));
  for (unsigned i = 0; i < state.link_count; ++i) {
    const auto& link = state.links[i];
    std::vector<std::string> rlocs;
    if (link.has_rloc4) rlocs.push_back(v4(link.rloc4));
    if (link.has_rloc6) rlocs.push_back(v6(link.rloc6));
    fields.add(absl::StrFormat("link %d", i), absl::StrJoin(rlocs, " "));
  }
  return fields;
}

}  // namespace

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
  struct Row {
    const char* name;
    const char* help;
    uint64_t ResolverCounters::*field;
  };
  static constexpr Row kResolverRows[] = {
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
      {"refreshed", "mappings refreshed before their TTL lapsed", &ResolverCounters::refreshed},
      {"expired", "mappings removed at the end of their TTL", &ResolverCounters::expired},
      {"static_kept", "replies for static-map-cache prefixes, not installed",
       &ResolverCounters::static_kept},
      {"install_failures", "mappings the data plane refused", &ResolverCounters::install_failures},
      {"smr_sent", "SMRs sent to peers after our RLOCs changed", &ResolverCounters::smr_sent},
      {"smr_rate_limited", "SMRs not sent: over the per-peer limit",
       &ResolverCounters::smr_rate_limited},
      {"smr_received", "SMRs received", &ResolverCounters::smr_received},
      {"smr_ignored", "SMRs for EIDs not in the map-cache", &ResolverCounters::smr_ignored},
      {"smr_invoked_rate_limited", "SMRs not acted on: over the per-source or total limit",
       &ResolverCounters::smr_invoked_rate_limited},
      {"pending_table_full", "Map-Requests not made: the outstanding table was full",
       &ResolverCounters::pending_table_full},
      {"probes_sent", "RLOC probes sent", &ResolverCounters::probes_sent},
      {"probe_replies", "RLOC probe replies received", &ResolverCounters::probe_replies},
      {"locators_down", "locators probing marked down", &ResolverCounters::locators_down},
      {"locators_up", "locators probing marked up again", &ResolverCounters::locators_up},
      {"probe_table_full", "locators not probed: the probe table was full",
       &ResolverCounters::probe_table_full},
  };
  for (const auto& row : kResolverRows) {
    counters.add("xtr", row.name, row.help,
                 [&resolver, field = row.field] { return resolver.counters().*field; });
  }
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

namespace {

// The commands every role's registry has over its counters.
void add_counter_commands(CommandRegistry& commands, const CounterRegistry& counters) {
  commands.add("show counters", "", "the data plane's counters, summed over the workers",
               [&](auto&) { return Reply(counters.fields("dataplane", 22)); });
  commands.add("show control", "", "the control plane's counters",
               [&](auto&) { return Reply(counters.fields("xtr", 24)); });
  commands.add("show metrics", "", "every counter, in the Prometheus text format", [&](auto&) {
    Fields all(24);
    for (const auto& counter : counters.counters()) {
      all.add(counter.group + "_" + counter.name, counter.read());
    }
    return Reply(counters.prometheus(), all.json());
  });
}

}  // namespace

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

namespace {

std::optional<net::IpAddress> our_rloc_for(const net::IpAddress& destination,
                                           const dataplane::LocalState& state) {
  if (destination.is_v4() && state.has_rloc4) {
    return net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4));
  }
  if (!destination.is_v4() && state.has_rloc6) {
    return net::IpAddress::v6(std::span<const uint8_t, 16>(state.rloc6));
  }
  return std::nullopt;
}

net::IpAddress punted_address(const dataplane::PuntRecord& record) {
  return record.ipv6 ? net::IpAddress::v6(std::span<const uint8_t, 16>(record.address, 16))
                     : net::IpAddress::v4(std::span<const uint8_t, 4>(record.address, 4));
}

// Each control message at debug 1 and up, at most 50 lines a second (a
// flood must not fill the log).
void log_message(const char* what, const Endpoint& peer, std::span<const uint8_t> bytes) {
  if (!log::enabled(log::Level::kDebug)) return;
  static log::RateLimit limit(50);
  uint64_t dropped = 0;
  if (!limit.allow(std::chrono::steady_clock::now(), dropped)) return;
  auto message = lisp::decode_message(bytes);
  log::debug("xtr", "%s %s:%u %s%s", what, peer.address.to_string(), peer.port,
             message.ok() ? lisp::summarize(*message) : std::string(message.status().message()),
             dropped ? absl::StrFormat(" (%d lines dropped before this one)", dropped) : "");
}

// How often the data plane's deferred frees (RCU) are reclaimed.
constexpr auto kMaintenanceInterval = std::chrono::milliseconds(100);

}  // namespace

XtrNode::XtrNode(const config::Config& config, dataplane::Dataplane& dataplane,
                 ControlTransport& transport, TimerQueue& timers, const Clock& clock,
                 XtrControl::Random random)
    : config_(config),
      dataplane_(dataplane),
      transport_(transport),
      clock_(clock),
      cache_(dataplane),
      control_(config, XtrControl::options_from_config(config), std::move(random), cache_),
      roles_timer_(timers, [this] { run_roles(); }),
      maintenance_timer_(timers, [this] {
        dataplane_.maintain();
        // Without a punt signal the ring is polled at this interval instead.
        if (dataplane_.punt_fd() < 0) drain_punts();
        maintenance_timer_.arm(clock_.now() + kMaintenanceInterval);
      }) {}

absl::Status XtrNode::start(const KernelView& view) {
  for (const auto& entry : config_.static_map_cache) {
    dataplane::Mapping mapping{
        entry.instance_id, entry.eid_prefix, dataplane::MapAction::kEncapsulate, {}};
    for (const auto& rloc : entry.rlocs) {
      mapping.locators.push_back({rloc.address, rloc.priority, rloc.weight, true});
    }
    if (auto status = control_.resolver().install_static(mapping); !status.ok()) return status;
  }
  for (unsigned link = 0; link < dataplane_.link_count(); ++link) {
    link_macs_.push_back(dataplane_.rloc_port_mac(link));
  }
  eid_mac_ = dataplane_.eid_port_mac();
  view_ = view;
  locators_ = local_locators(config_, view_);
  state_ = build_local_state(config_, link_macs_, eid_mac_, view_, locators_);
  dataplane_.publish(state_);
  control_.set_local(records_to_register(config_, locators_));
  if (auto status = dataplane_.start(); !status.ok()) return status;
  maintenance_timer_.arm(clock_.now() + kMaintenanceInterval);
  reschedule();
  return absl::OkStatus();
}

bool XtrNode::kernel_changed(const KernelView& view) {
  view_ = view;
  locators_ = local_locators(config_, view_);
  // The records change with any locator (a multihomed node's second link,
  // say) even when the egress state does not; XtrControl ignores a
  // set_local that changes nothing.
  control_.set_local(records_to_register(config_, locators_));
  auto next = build_local_state(config_, link_macs_, eid_mac_, view_, locators_);
  const bool changed = next != state_;
  if (changed) {
    state_ = next;
    dataplane_.publish(state_);
    log::debug("xtr", "local state changed (RLOC, next hop or MTU)");
  }
  reschedule();
  return changed;
}

void XtrNode::send(const std::vector<Outgoing>& messages) {
  for (const auto& message : messages) {
    if (message.bytes.empty()) continue;
    log_message("send", message.destination, message.bytes);
    transport_.send(message, our_rloc_for(message.destination.address, state_));
  }
}

void XtrNode::receive(std::span<const uint8_t> bytes, const Endpoint& from) {
  log_message("recv", from, bytes);
  send(control_.handle(bytes, from, clock_.now()));
  reschedule();
}

void XtrNode::drain_punts() {
  std::array<dataplane::PuntRecord, 64> punts;
  // Bounded per wake-up: the rest waits for the next turn of the loop.
  for (int batch = 0; batch < 16; ++batch) {
    const size_t count = dataplane_.drain_punts(punts);
    const auto now = clock_.now();
    for (size_t i = 0; i < count; ++i) {
      const auto& record = punts[i];
      if (record.kind == dataplane::PuntKind::kPathMtu) {
        control_.resolver().learn_path_mtu(punted_address(record), record.mtu, now);
        continue;
      }
      send(control_.miss(record.instance_id, punted_address(record), now));
    }
    if (count < punts.size()) break;
  }
  reschedule();
}

void XtrNode::run_roles() {
  send(control_.poll(clock_.now()));
  reschedule();
}

void XtrNode::reschedule() {
  const auto due = control_.next_due();
  if (!due) {
    roles_timer_.disarm();
    return;
  }
  const TimePoint at = std::max(*due, clock_.now());
  if (roles_timer_.due() != at) roles_timer_.arm(at);
}

void XtrNode::add_commands(CommandRegistry& commands) const {
  add_xtr_commands(commands, dataplane_, state_, eid_mtu_, control_);
}

void XtrNode::add_counters(CounterRegistry& counters) const {
  add_xtr_counters(counters, dataplane_, control_);
}

namespace {

// The control sockets: UDP 4342 for each family the host has. Sent from
// our RLOC: the source routing rule takes it out natively, and the peer
// sees the address it would answer to anyway.
class UdpTransport : public ControlTransport {
 public:
  static absl::StatusOr<std::unique_ptr<UdpTransport>> open() {
    auto v4 = UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, lisp::kControlPort);
    if (!v4.ok()) return v4.status();
    auto transport = std::make_unique<UdpTransport>();
    transport->v4.emplace(std::move(*v4));
    auto v6 = UdpSocket::bind(net::IpFamily::kIpv6, std::nullopt, lisp::kControlPort);
    if (v6.ok()) transport->v6.emplace(std::move(*v6));  // a host without IPv6 runs IPv4 only
    return transport;
  }
  void send(const Outgoing& message, const std::optional<net::IpAddress>& source) override {
    auto& socket = message.destination.address.is_v4() ? v4 : v6;
    if (socket) socket->send(message.destination, message.bytes, source);
  }
  // Reads a bounded batch, so one busy socket cannot starve the rest of the loop.
  void drain(UdpSocket& socket, XtrNode& node) {
    std::array<uint8_t, 9000> buffer;
    Endpoint from;
    for (int i = 0; i < 256; ++i) {
      auto length = socket.receive(buffer, from);
      if (!length) return;
      node.receive({buffer.data(), *length}, from);
    }
  }
  // A link with an RLOC of a family but no resolved next hop for it: one
  // empty datagram from that RLOC to the first candidate's discard port
  // makes the twin's kernel resolve it (ARP or neighbour solicitation). At
  // most once a second per link and family.
  void solicit_next_hops(const config::Config& config, const KernelView& view,
                         const std::vector<LocalLocator>& locators, TimePoint now) {
    for (const auto& locator : locators) {
      const auto family = locator.address.family();
      auto& socket = locator.address.is_v4() ? v4 : v6;
      if (!socket || next_hop_mac(config, view, locator.link, family)) continue;
      TimePoint& last = last_solicit_[{locator.link, family}];
      if (now - last < std::chrono::seconds(1)) continue;
      const auto candidates = next_hop_candidates(config, view, locator.link, family);
      if (candidates.empty()) continue;
      last = now;
      socket->send({candidates.front(), kDiscardPort}, {}, locator.address);
    }
  }
  static constexpr uint16_t kDiscardPort = 9;  // RFC 863
  std::map<std::pair<unsigned, net::IpFamily>, TimePoint> last_solicit_;
  std::optional<UdpSocket> v4, v6;
};

// With net_af_packet the RLOC port is also a kernel interface, and the
// kernel would accept packets for the RLOC there as well as through the
// twin (weak host model): every control message would arrive twice. A
// strict reverse-path check on that interface, through which nothing is
// routed, makes the kernel drop them; af_packet still sees them.
void keep_kernel_off_rloc_port(const std::string& rloc_port) {
  if (auto iface = kernel_interface_of_port(rloc_port)) {
    std::ofstream("/proc/sys/net/ipv4/conf/" + *iface + "/rp_filter") << "1\n";
  }
}

// Keeps the EID port's MTU at what the egress links carry once
// encapsulated (choose_eid_port_mtu), so the host never sends a packet
// the tunnel must refuse; says so when it changes.
void keep_eid_port_mtu(const config::Config& config, const dataplane::LocalState& state,
                       EidPortMtu& applied) {
  EidPortMtu chosen = choose_eid_port_mtu(config, state);
  if (chosen.mtu == 0 || chosen == applied) return;
  if (auto status = kni::set_interface_mtu(config.tap_iface, chosen.mtu); !status.ok()) {
    log::error("host", "%s", status.message());
    chosen.reason += " (not set: " + std::string(status.message()) + ")";
  } else {
    log::info("host", "%s MTU %u (%s)", config.tap_iface, chosen.mtu, chosen.reason);
  }
  applied = std::move(chosen);
}

// A mobile node sets its host up itself (kni/host_setup.h). Without the
// rights to, it says so and runs on: the data plane works with a host set
// up by hand.
std::unique_ptr<kni::HostSetup> set_up_host(const config::Config& config,
                                            const kni::KernelState& kernel) {
  if (config.mode != config::OperatingMode::kMobileNode || !config.host_setup) return nullptr;
  kni::HostSetupConfig host;
  host.eid_interface = config.tap_iface;
  for (const auto& link : config.dpdk.rloc_links()) host.rloc_interfaces.push_back(link.twin);
  host.rloc_table = config.rloc_route_table;
  for (const auto& mapping : config.database_mappings) {
    host.eids.push_back(mapping.eid_prefix.address);
  }
  auto setup = kni::HostSetup::apply(host, kernel.defaults());
  if (!setup.ok()) {
    log::error("host", "host set-up failed (%s); set lmn0 up by hand", setup.status().message());
    return nullptr;
  }
  return std::move(*setup);
}

uint64_t random_nonce_or_zero() {
  auto nonce = crypto::random_nonce();
  return nonce.ok() ? *nonce : 0;
}

}  // namespace

absl::Status run_xtr_node(const config::Config& config, dataplane::Dataplane& dataplane,
                          const std::string& api_path,
                          const std::function<absl::StatusOr<config::Config>()>& reload) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  if (!loop.ok()) return loop.status();
  auto on_signal = [&](int signo) {
    if (signo != SIGHUP) {
      (*loop)->stop();
      return;
    }
    if (!reload) return;
    auto next = reload();
    if (!next.ok()) {
      log::error("xtr", "reload refused, the running config stays: %s", next.status().message());
    } else {
      log::warning("xtr", "reload: %s is valid; an MN/xTR applies it at restart", next->source);
    }
  };
  if (auto status = (*loop)->handle_signals({SIGINT, SIGTERM, SIGHUP}, on_signal); !status.ok()) {
    return status;
  }
  std::optional<ApiSocket> api;
  if (!api_path.empty()) {
    auto socket = ApiSocket::listen(api_path);
    if (!socket.ok()) return socket.status();
    api.emplace(std::move(*socket));
  }
  for (const auto& link : config.dpdk.rloc_links()) keep_kernel_off_rloc_port(link.port);
  auto transport = UdpTransport::open();
  if (!transport.ok()) return transport.status();
  auto local = kni::LocalNode::open();
  if (!local.ok()) return local.status();

  const auto links = config.dpdk.rloc_links();
  std::vector<uint16_t> port_mtus;
  for (unsigned link = 0; link < dataplane.link_count(); ++link) {
    port_mtus.push_back(dataplane.rloc_port_mtu(link));
  }
  XtrNode node(config, dataplane, **transport, (*loop)->timers(), clock, random_nonce_or_zero);
  if (auto status = node.start(view_of(local->state(), links, port_mtus)); !status.ok()) {
    return status;
  }
  EidPortMtu eid_mtu;
  keep_eid_port_mtu(config, node.state(), eid_mtu);
  node.set_eid_port_mtu(eid_mtu);
  std::unique_ptr<kni::HostSetup> host = set_up_host(config, local->state());

  // The host side follows the kernel's tables as LocalNode keeps them from
  // each notification: no re-dump per event or per second.
  auto kernel_changed = [&] {
    node.kernel_changed(view_of(local->state(), links, port_mtus));
    if (host) {
      std::vector<std::pair<unsigned, net::IpAddress>> rlocs;
      for (const auto& locator : node.locators()) rlocs.emplace_back(locator.link, locator.address);
      if (auto status = host->update(rlocs, local->state().defaults()); !status.ok()) {
        log::error("host", "host set-up: %s", status.message());
      }
    }
    keep_eid_port_mtu(config, node.state(), eid_mtu);
    node.set_eid_port_mtu(eid_mtu);
    (*transport)->solicit_next_hops(config, node.view(), node.locators(), clock.now());
  };
  EventLoop& events = **loop;
  auto watch = [&events](int fd, EventLoop::Callback callback) {
    return fd < 0 ? absl::OkStatus() : events.watch(fd, std::move(callback));
  };
  CommandRegistry commands;
  CounterRegistry counters;
  node.add_counters(counters);
  node.add_commands(commands);
  add_counter_commands(commands, counters);
  const kni::LocalNode& host_side = *local;
  counters.add("host", "netlink_notifications", "rtnetlink notifications read",
               [&host_side] { return host_side.counters().notifications; });
  counters.add("host", "netlink_changes", "notifications that changed the kernel's tables",
               [&host_side] { return host_side.counters().changes; });
  counters.add("host", "netlink_overruns", "notifications lost (ENOBUFS): the tables dumped again",
               [&host_side] { return host_side.counters().overruns; });
  counters.add("host", "netlink_dumps",
               "full dumps of the kernel's tables: one, and one per overrun",
               [&host_side] { return host_side.counters().dumps; });
  counters.add("host", "netlink_dump_requests", "rtnetlink dump requests sent by this process",
               [] { return kni::dump_requests_sent(); });
  counters.add("host", "netlink_malformed", "rtnetlink messages whose lengths did not add up",
               [&host_side] { return host_side.state().counters().malformed; });
  counters.add("host", "netlink_table_full", "kernel entries not followed: a table at its bound",
               [&host_side] { return host_side.state().counters().table_full; });
  commands.add("show host", "", "what lispd follows of the kernel's tables and what it cost",
               [&counters](auto&) { return Reply(counters.fields("host", 24)); });
  absl::Status watched = watch(local->fd(), [&] {
    if (local->on_readable()) kernel_changed();
  });
  if (api) api->serve(events, [&](const std::string& line) { return commands.answer(line); });
  if (watched.ok()) {
    watched = watch((*transport)->v4->fd(), [&] { (*transport)->drain(*(*transport)->v4, node); });
  }
  if (watched.ok() && (*transport)->v6) {
    watched = watch((*transport)->v6->fd(), [&] { (*transport)->drain(*(*transport)->v6, node); });
  }
  if (watched.ok()) watched = watch(dataplane.punt_fd(), [&] { node.drain_punts(); });
  if (!watched.ok()) return watched;
  // A next hop that is still unresolved is solicited again once a second.
  events.every(std::chrono::seconds(1), [&] {
    (*transport)->solicit_next_hops(config, node.view(), node.locators(), clock.now());
  });
  return events.run();
}

}  // namespace lispmob::control
