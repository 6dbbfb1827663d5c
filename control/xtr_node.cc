#include "control/xtr_node.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/crypto/nonce.h"
#include "common/log/log.h"
#include "control/api_socket.h"
#include "control/netlink_watch.h"
#include "control/registrar.h"
#include "control/stop_signals.h"
#include "control/udp_socket.h"
#include "control/xtr_control.h"
#include "kni/host_setup.h"
#include "kni/interface.h"

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
std::string expiry_text(const dataplane::Mapping& mapping, const XtrControl& control) {
  const auto* entry = control.resolver().entry(mapping.instance_id, mapping.prefix);
  if (entry == nullptr) return "static";
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(
      entry->expires - std::chrono::steady_clock::now());
  return absl::StrFormat("%ds", std::max<int64_t>(0, left.count()));
}

std::string mapping_line(const dataplane::Mapping& mapping, const XtrControl& control) {
  std::string line =
      absl::StrFormat("%-9d %-24s %-17s %-10s", mapping.instance_id, mapping.prefix.to_string(),
                      action_name(mapping.action), expiry_text(mapping, control));
  for (const auto& locator : mapping.locators) {
    absl::StrAppendFormat(&line, " %s (p%d w%d%s%s)", locator.rloc.to_string(), locator.priority,
                          locator.weight, locator.reachable ? "" : " down",
                          locator.path_mtu ? absl::StrFormat(" mtu %d", locator.path_mtu) : "");
  }
  return line + "\n";
}

std::string control_counters_text(const XtrControl& control) {
  std::string out;
  auto line = [&](const char* name, uint64_t value) {
    absl::StrAppendFormat(&out, "%-24s %d\n", name, value);
  };
  const auto& resolver = control.resolver().counters();
  line("requests_sent", resolver.requests_sent);
  line("retransmissions", resolver.retransmissions);
  line("resolver_failovers", resolver.resolver_failovers);
  line("given_up", resolver.given_up);
  line("suppressed", resolver.suppressed);
  line("replies_accepted", resolver.replies_accepted);
  line("replies_unknown_nonce", resolver.replies_unknown_nonce);
  line("replies_not_covering", resolver.replies_not_covering);
  line("positive_installed", resolver.positive_installed);
  line("negative_installed", resolver.negative_installed);
  line("refreshed", resolver.refreshed);
  line("expired", resolver.expired);
  line("static_kept", resolver.static_kept);
  line("install_failures", resolver.install_failures);
  line("smr_sent", resolver.smr_sent);
  line("smr_rate_limited", resolver.smr_rate_limited);
  line("smr_received", resolver.smr_received);
  line("smr_ignored", resolver.smr_ignored);
  line("smr_invoked_rate_limited", resolver.smr_invoked_rate_limited);
  line("pending_table_full", resolver.pending_table_full);
  line("probes_sent", resolver.probes_sent);
  line("probe_replies", resolver.probe_replies);
  line("locators_down", resolver.locators_down);
  line("locators_up", resolver.locators_up);
  const auto& path_mtu = control.resolver().path_mtus().counters();
  line("path_mtu_learned", path_mtu.learned);
  line("path_mtu_ignored", path_mtu.ignored);
  line("path_mtu_table_full", path_mtu.table_full);
  line("path_mtu_expired", path_mtu.expired);
  line("path_mtu_unknown_rloc", resolver.path_mtu_unknown_rloc);
  line("path_mtu_rate_limited", resolver.path_mtu_rate_limited);
  const auto& etr = control.etr().counters();
  line("requests_answered", etr.requests_answered);
  line("probes_answered", etr.probes_answered);
  line("requests_not_ours", etr.not_ours);
  line("replies_rate_limited", etr.rate_limited);
  line("replies_no_destination", etr.no_destination);
  line("malformed", control.counters().malformed);
  line("ignored", control.counters().ignored);
  line("outstanding_requests", control.resolver().outstanding());
  return out;
}

std::string mac_text(const dataplane::MacAddress& mac) {
  return absl::StrFormat("%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
                         mac[5]);
}

}  // namespace

std::string answer_xtr(const std::string& command, const dataplane::Dataplane& dataplane,
                       const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                       const XtrControl& control) {
  std::string out;
  if (command == "show map-servers") {
    const Registrar& registrar = control.registrar();
    if (registrar.servers().empty()) return "no map-server configured\n";
    out = absl::StrFormat("%-6s %-40s %-10s %-9s %s\n", "active", "map-server", "registered",
                          "registers", "notifies");
    for (size_t i = 0; i < registrar.servers().size(); ++i) {
      const auto& state_of = registrar.state(i);
      absl::StrAppendFormat(
          &out, "%-6s %-40s %-10s %-9d %d\n", i == registrar.active_server() ? "*" : "",
          registrar.servers()[i].address.to_string(), state_of.registered ? "yes" : "no",
          state_of.registers_sent, state_of.notifies_accepted);
    }
    return out;
  }
  if (command == "show control") return control_counters_text(control);
  const std::string header = absl::StrFormat("%-9s %-24s %-17s %-10s %s\n", "instance",
                                             "eid-prefix", "action", "expires", "rlocs");
  if (command == "show map-cache") {
    out = header;
    for (const auto& mapping : dataplane.mappings()) out += mapping_line(mapping, control);
  } else if (command.rfind("lookup ", 0) == 0) {
    std::vector<std::string> words = absl::StrSplit(command, ' ', absl::SkipEmpty());
    const auto address = words.size() >= 2 ? net::IpAddress::parse(words[1]) : std::nullopt;
    const uint32_t iid = words.size() >= 3
                             ? static_cast<uint32_t>(std::strtoul(words[2].c_str(), nullptr, 10))
                             : state.instance_id;
    if (!address) return "usage: lookup EID [IID]\n";
    auto mapping = dataplane.lookup(iid, *address);
    out = mapping ? header + mapping_line(*mapping, control)
                  : "no map-cache entry for " + words[1] + "\n";
  } else if (command == "show counters") {
    const auto counters = dataplane.counters();
#define LISPMOB_PRINT_COUNTER(name, help) \
  absl::StrAppendFormat(&out, "%-22s %d\n", #name, counters.name);
    LISPMOB_DATAPLANE_COUNTERS(LISPMOB_PRINT_COUNTER)
#undef LISPMOB_PRINT_COUNTER
    absl::StrAppendFormat(&out, "%-22s %d\n", "map_cache_entries", dataplane.mapping_count());
  } else if (command == "show local") {
    if (state.has_rloc4) {
      absl::StrAppendFormat(
          &out, "rloc       %s\n",
          net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4)).to_string());
    }
    if (state.has_rloc6) {
      absl::StrAppendFormat(
          &out, "rloc       %s\n",
          net::IpAddress::v6(std::span<const uint8_t, 16>(state.rloc6)).to_string());
    }
    for (unsigned i = 0; i < state.local_eid_count; ++i) {
      absl::StrAppendFormat(&out, "eid        [%d]%s\n", state.instance_id,
                            state.local_eids[i].to_string());
    }
    absl::StrAppendFormat(&out, "egress4    link %d port %s next hop %s mtu %d\n",
                          state.egress_link4, mac_text(state.rloc_port_mac4),
                          mac_text(state.next_hop_mac4), state.egress_mtu4);
    absl::StrAppendFormat(&out, "egress6    link %d port %s next hop %s mtu %d\n",
                          state.egress_link6, mac_text(state.rloc_port_mac6),
                          mac_text(state.next_hop_mac6), state.egress_mtu6);
    if (eid_mtu.mtu != 0) {
      absl::StrAppendFormat(&out, "eid-mtu    %d (%s)\n", eid_mtu.mtu, eid_mtu.reason);
    } else {
      out += "eid-mtu    unchanged (no RLOC link MTU known yet)\n";
    }
    for (unsigned i = 0; i < state.link_count; ++i) {
      const auto& link = state.links[i];
      absl::StrAppendFormat(&out, "link %d    ", i);
      if (link.has_rloc4) {
        absl::StrAppend(&out, " ",
                        net::IpAddress::v4(std::span<const uint8_t, 4>(link.rloc4)).to_string());
      }
      if (link.has_rloc6) {
        absl::StrAppend(&out, " ",
                        net::IpAddress::v6(std::span<const uint8_t, 16>(link.rloc6)).to_string());
      }
      out += "\n";
    }
  } else {
    out = "unknown command '" + command +
          "': show map-cache | lookup EID [IID] | show counters | show local | show map-servers "
          "| show control\n";
  }
  return out;
}

namespace {

// The control sockets: UDP 4342 for each family the host has.
class ControlSockets {
 public:
  static absl::StatusOr<ControlSockets> open() {
    auto v4 = UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, lisp::kControlPort);
    if (!v4.ok()) return v4.status();
    ControlSockets sockets;
    sockets.v4.emplace(std::move(*v4));
    auto v6 = UdpSocket::bind(net::IpFamily::kIpv6, std::nullopt, lisp::kControlPort);
    if (v6.ok()) sockets.v6.emplace(std::move(*v6));  // a host without IPv6 runs IPv4 only
    return sockets;
  }
  // Sent from our RLOC: the source routing rule takes it out natively, and
  // the peer sees the address it would answer to anyway.
  void send(const std::vector<Outgoing>& messages, const dataplane::LocalState& state) {
    for (const auto& message : messages) {
      if (message.bytes.empty()) continue;
      const bool v4_destination = message.destination.address.is_v4();
      auto& socket = v4_destination ? v4 : v6;
      std::optional<net::IpAddress> source;
      if (v4_destination && state.has_rloc4) {
        source = net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4));
      } else if (!v4_destination && state.has_rloc6) {
        source = net::IpAddress::v6(std::span<const uint8_t, 16>(state.rloc6));
      }
      log_message("send", message.destination, message.bytes);
      if (socket) socket->send(message.destination, message.bytes, source);
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

  // Each control message at debug 1 and up, at most 50 lines a second (a
  // flood must not fill the log).
  static void log_message(const char* what, const Endpoint& peer, std::span<const uint8_t> bytes) {
    if (!log::enabled(log::Level::kDebug)) return;
    static log::RateLimit limit(50);
    uint64_t dropped = 0;
    if (!limit.allow(std::chrono::steady_clock::now(), dropped)) return;
    auto message = lisp::decode_message(bytes);
    log::debug("xtr", "%s %s:%u %s%s", what, peer.address.to_string(), peer.port,
               message.ok() ? lisp::summarize(*message) : std::string(message.status().message()),
               dropped ? absl::StrFormat(" (%d lines dropped before this one)", dropped) : "");
  }
  std::optional<UdpSocket> v4, v6;
};

net::IpAddress punted_address(const dataplane::PuntRecord& record) {
  return record.ipv6 ? net::IpAddress::v6(std::span<const uint8_t, 16>(record.address, 16))
                     : net::IpAddress::v4(std::span<const uint8_t, 4>(record.address, 4));
}

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
std::unique_ptr<kni::HostSetup> set_up_host(const config::Config& config) {
  if (config.mode != config::OperatingMode::kMobileNode || !config.host_setup) return nullptr;
  kni::HostSetupConfig host;
  host.eid_interface = config.tap_iface;
  for (const auto& link : config.dpdk.rloc_links()) host.rloc_interfaces.push_back(link.twin);
  host.rloc_table = config.rloc_route_table;
  for (const auto& mapping : config.database_mappings) {
    host.eids.push_back(mapping.eid_prefix.address);
  }
  auto setup = kni::HostSetup::apply(host);
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
                          const std::string& api_path) {
  std::optional<ApiSocket> api;
  if (!api_path.empty()) {
    auto socket = ApiSocket::listen(api_path);
    if (!socket.ok()) return socket.status();
    api.emplace(std::move(*socket));
  }
  for (const auto& link : config.dpdk.rloc_links()) keep_kernel_off_rloc_port(link.port);
  DataplaneMapCache cache(dataplane);
  XtrControl control(config, XtrControl::options_from_config(config), random_nonce_or_zero, cache);
  for (const auto& entry : config.static_map_cache) {
    dataplane::Mapping mapping{
        entry.instance_id, entry.eid_prefix, dataplane::MapAction::kEncapsulate, {}};
    for (const auto& rloc : entry.rlocs) {
      mapping.locators.push_back({rloc.address, rloc.priority, rloc.weight, true});
    }
    if (auto status = control.resolver().install_static(mapping); !status.ok()) return status;
  }
  const auto links = config.dpdk.rloc_links();
  std::vector<dataplane::MacAddress> link_macs;
  std::vector<uint16_t> port_mtus;
  for (unsigned link = 0; link < dataplane.link_count(); ++link) {
    link_macs.push_back(dataplane.rloc_port_mac(link));
    port_mtus.push_back(dataplane.rloc_port_mtu(link));
  }
  const dataplane::MacAddress eid_mac = dataplane.eid_port_mac();
  KernelView view = read_kernel_view(links, port_mtus);
  auto locators = local_locators(config, view);
  auto state = build_local_state(config, link_macs, eid_mac, view, locators);
  dataplane.publish(state);
  EidPortMtu eid_mtu;
  keep_eid_port_mtu(config, state, eid_mtu);
  control.set_local(records_to_register(config, locators));
  if (auto status = dataplane.start(); !status.ok()) return status;
  std::unique_ptr<kni::HostSetup> host = set_up_host(config);

  auto sockets = ControlSockets::open();
  if (!sockets.ok()) return sockets.status();
  auto netlink = NetlinkWatch::open();
  if (!netlink.ok()) return netlink.status();
  const int signal_fd = stop_signal_fd();
  if (signal_fd < 0) return absl::InternalError("signalfd failed");
  enum { kSignal, kApi, kNetlink, kControl4, kControl6, kFdCount };
  pollfd fds[kFdCount] = {{signal_fd, POLLIN, 0},
                          {api ? api->fd() : -1, POLLIN, 0},
                          {netlink->fd(), POLLIN, 0},
                          {sockets->v4->fd(), POLLIN, 0},
                          {sockets->v6 ? sockets->v6->fd() : -1, POLLIN, 0}};
  auto last_reread = std::chrono::steady_clock::now();
  while (true) {
    // 10 ms: how long a punted miss may wait for its Map-Request.
    const int ready = poll(fds, kFdCount, 10);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0 && (fds[kSignal].revents & POLLIN)) break;  // SIGINT or SIGTERM
    const auto now = std::chrono::steady_clock::now();
    if (ready > 0 && (fds[kApi].revents & POLLIN)) {
      api->serve_one([&](const std::string& command) {
        return answer_xtr(command, dataplane, state, eid_mtu, control);
      });
    }
    const bool kernel_changed = ready > 0 && (fds[kNetlink].revents & POLLIN) && netlink->drain();
    if (kernel_changed || now - last_reread >= std::chrono::seconds(1)) {
      last_reread = now;
      view = read_kernel_view(links, port_mtus);
      locators = local_locators(config, view);
      auto next = build_local_state(config, link_macs, eid_mac, view, locators);
      if (host) {
        std::vector<std::pair<unsigned, net::IpAddress>> rlocs;
        for (const auto& locator : locators) rlocs.emplace_back(locator.link, locator.address);
        if (auto status = host->update(rlocs); !status.ok()) {
          log::error("host", "host set-up: %s", status.message());
        }
      }
      // The records change with any locator (a multihomed node's second
      // link, say) even when the egress state does not; XtrControl ignores
      // a set_local that changes nothing.
      control.set_local(records_to_register(config, locators));
      if (next != state) {
        state = next;
        dataplane.publish(state);
        log::debug("xtr", "local state changed (RLOC, next hop or MTU)");
      }
      keep_eid_port_mtu(config, state, eid_mtu);
      sockets->solicit_next_hops(config, view, locators, now);
    }
    for (int index : {kControl4, kControl6}) {
      if (ready <= 0 || !(fds[index].revents & POLLIN)) continue;
      UdpSocket& socket = index == kControl4 ? *sockets->v4 : *sockets->v6;
      std::array<uint8_t, 9000> buffer;
      Endpoint from;
      while (auto length = socket.receive(buffer, from)) {
        const std::span<const uint8_t> bytes(buffer.data(), *length);
        ControlSockets::log_message("recv", from, bytes);
        sockets->send(control.handle(bytes, from, now), state);
      }
    }
    std::array<dataplane::PuntRecord, 64> punts;
    while (const size_t count = dataplane.drain_punts(punts)) {
      for (size_t i = 0; i < count; ++i) {
        const auto& record = punts[i];
        if (record.kind == dataplane::PuntKind::kPathMtu) {
          control.resolver().learn_path_mtu(punted_address(record), record.mtu, now);
          continue;
        }
        sockets->send(control.miss(record.instance_id, punted_address(record), now), state);
      }
      if (count < punts.size()) break;
    }
    sockets->send(control.poll(now), state);
    dataplane.maintain();
  }
  close(signal_fd);
  return absl::OkStatus();
}

}  // namespace lispmob::control
