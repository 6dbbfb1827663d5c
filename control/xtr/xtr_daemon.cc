#include "control/xtr/xtr_daemon.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_join.h"
#include "common/crypto/nonce.h"
#include "common/log/log.h"
#include "control/host_names.h"
#include "control/operator_endpoints.h"
#include "control/runtime/event_loop.h"
#include "control/udp_socket.h"
#include "control/xtr/xtr_commands.h"
#include "control/xtr/xtr_node.h"
#include "kni/host_ports.h"
#include "kni/host_setup.h"
#include "kni/interface.h"
#include "kni/local_node.h"

namespace lispmob::control {

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
  // most once a second per link and family. An entry the kernel holds as
  // failed or incomplete (its requests went out while the port was down)
  // is removed first: the datagram then makes a new one, whose request
  // leaves at once instead of at the old entry's next retransmission.
  void solicit_next_hops(const XtrConfig& config, const KernelView& view,
                         const std::vector<LocalLocator>& locators, TimePoint now) {
    for (const auto& locator : locators) {
      const auto family = locator.address.family();
      auto& socket = locator.address.is_v4() ? v4 : v6;
      if (!socket || next_hop_mac(config, view, locator.link, family)) continue;
      TimePoint& last = last_solicit_[{locator.link, family}];
      if (now - last < std::chrono::seconds(1)) continue;
      const auto candidates = on_link_next_hops(config, view, locator.link, family);
      if (candidates.empty()) continue;  // no route yet: nothing to solicit
      last = now;
      if (locator.link < view.twin_indices.size())
        forget_neighbour(view.twin_indices[locator.link], candidates.front());
      socket->send({candidates.front(), kDiscardPort}, {}, locator.address);
    }
  }
  static void forget_neighbour(int twin, const net::IpAddress& address) {
    auto netlink = kni::Rtnetlink::open();
    if (netlink.ok()) (void)netlink->delete_neighbour(twin, address);
  }
  static constexpr uint16_t kDiscardPort = 9;  // RFC 863
  std::map<std::pair<unsigned, net::IpFamily>, TimePoint> last_solicit_;
  std::optional<UdpSocket> v4, v6;
};

// Keeps the EID port's MTU at what the egress links carry once
// encapsulated (choose_eid_port_mtu), so the host never sends a packet
// the tunnel must refuse; says so when it changes.
void keep_eid_port_mtu(const XtrConfig& config, const dataplane::LocalState& state,
                       EidPortMtu& applied) {
  EidPortMtu chosen = choose_eid_port_mtu(config, state);
  if (chosen == applied) return;
  if (chosen.mtu == 0) {
    if (!chosen.reason.empty()) applied = std::move(chosen);  // nothing to set, and why
    return;
  }
  if (auto status = kni::set_interface_mtu(config.eid_interface, chosen.mtu); !status.ok()) {
    log::error("host", "%s", status.message());
    chosen.reason += " (not set: " + std::string(status.message()) + ")";
  } else {
    log::info("host", "%s MTU %u (%s)", config.eid_interface, chosen.mtu, chosen.reason);
  }
  applied = std::move(chosen);
}

// A mobile node sets its host up itself (kni/host_setup.h). Without the
// rights to, it says so and runs on: the data plane works with a host set
// up by hand.
std::unique_ptr<kni::HostSetup> set_up_host(const XtrConfig& config) {
  if (!(config.mobile_node || config.proxy_itr) || !config.host_setup) return nullptr;
  kni::HostSetupConfig host;
  host.eid_interface = config.eid_interface;
  for (const auto& link : config.rloc_links) host.rloc_interfaces.push_back(link.twin);
  host.rloc_table = config.rloc_route_table;
  host.tunnel_destinations = config.tunnel_destinations;
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

// A Proxy-ETR hands what it decapsulates to its host, which forwards it, a
// Proxy-ITR's host forwards native traffic into lmn0, and a site gateway's
// host forwards to the LAN what has no adjacency yet: with forwarding off
// the kernel drops it all, silently. lispd says so rather than change the
// host's sysctls itself.
void warn_unless_forwarding() {
  for (const char* key : {"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"}) {
    std::string path = std::string("/proc/sys/") + key;
    std::replace(path.begin(), path.end(), '.', '/');
    std::ifstream file(path);
    char value = '1';
    if (file >> value && value == '0') {
      log::warning("xtr", "%s is 0: this host drops what it should forward", key);
    }
  }
}

uint64_t random_nonce_or_zero() {
  auto nonce = crypto::random_nonce();
  return nonce.ok() ? *nonce : 0;
}

}  // namespace

absl::Status run_xtr_node(const XtrConfig& config, dataplane::Dataplane& dataplane,
                          OperatorOptions operators,
                          const std::function<absl::StatusOr<XtrConfig>()>& reload) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  if (!loop.ok()) return loop.status();
  auto endpoints = OperatorEndpoints::open(std::move(operators));
  if (!endpoints.ok()) return endpoints.status();
  for (const auto& link : config.rloc_links) {
    if (auto status = kni::keep_kernel_off_port(link.port); !status.ok()) {
      log::warning("host", "%s: control messages may arrive twice", status.message());
    }
  }
  if (config.has_lan()) {
    if (auto status = kni::keep_kernel_off_port(config.lan_port); !status.ok()) {
      log::warning("host", "%s: the hosts' ARP may be answered twice", status.message());
    }
  }
  auto transport = UdpTransport::open();
  if (!transport.ok()) return transport.status();
  auto local = kni::LocalNode::open();
  if (!local.ok()) return local.status();

  const auto& links = config.rloc_links;
  std::vector<uint16_t> port_mtus;
  for (unsigned link = 0; link < dataplane.link_count(); ++link) {
    port_mtus.push_back(dataplane.rloc_port_mtu(link));
  }
  XtrNode node(config, dataplane, **transport, (*loop)->timers(), clock, random_nonce_or_zero);
  if (auto status = node.start(view_of(local->state(), links, port_mtus, config.lan_twin));
      !status.ok()) {
    return status;
  }
  EidPortMtu eid_mtu;
  keep_eid_port_mtu(node.config(), node.state(), eid_mtu);
  node.set_eid_port_mtu(eid_mtu);
  std::unique_ptr<kni::HostSetup> host = set_up_host(node.config());
  if (node.config().rlocs_from_twins() || node.config().has_lan()) warn_unless_forwarding();
  if (node.config().proxy_itr && node.config().tunnel_destinations.empty()) {
    log::warning("xtr", "PITR: allowed-dst-eids names no EID-prefix: nothing is routed into %s",
                 node.config().eid_interface);
  }

  // The host side follows the kernel's tables as LocalNode keeps them from
  // each notification: no re-dump per event or per second.
  // What follows from the node's RLOCs and egress, after the kernel or the
  // config changed them: the host's rules, the EID port's MTU, the next hops.
  auto follow_local_change = [&] {
    if (host) {
      std::vector<std::pair<unsigned, net::IpAddress>> rlocs;
      for (const auto& locator : node.locators()) rlocs.emplace_back(locator.link, locator.address);
      if (auto status = host->update(rlocs, local->state().defaults()); !status.ok()) {
        log::error("host", "host set-up: %s", status.message());
      }
    }
    keep_eid_port_mtu(node.config(), node.state(), eid_mtu);
    node.set_eid_port_mtu(eid_mtu);
    (*transport)->solicit_next_hops(node.config(), node.view(), node.locators(), clock.now());
  };
  auto kernel_changed = [&] {
    node.kernel_changed(view_of(local->state(), links, port_mtus, config.lan_twin));
    follow_local_change();
  };
  // Host names among the Map-Servers, Map-Resolvers and Proxy-ITRs are
  // looked up off the loop; each changed answer is applied like a reload.
  auto host_names_or = HostNames::start({});
  if (!host_names_or.ok()) return host_names_or.status();
  HostNames& names = **host_names_or;
  auto follow_names = [&](const std::vector<std::string>& wanted) {
    names.set_names(wanted);
    if (!wanted.empty()) log::info("xtr", "resolving %s", absl::StrJoin(wanted, ", "));
  };
  follow_names(host_names(config));
  std::map<std::string, net::IpAddress> answered;  // as last applied
  auto names_answered = [&] {
    const auto answers = names.take();
    if (answers == answered) return;
    for (const auto& [name, address] : answers) {
      auto before = answered.find(name);
      if (before == answered.end() || before->second != address) {
        log::info("xtr", "%s is %s", name, address.to_string());
      }
    }
    answered = answers;
    XtrConfig next = node.config();
    apply_host_names(next, answered);
    node.reconfigure(std::move(next));
    follow_local_change();
  };
  // SIGHUP: a config that does not load changes nothing; one that does is
  // applied to the running node, and what needs a restart is said.
  OperatorEndpoints::Reload on_reload;
  if (reload)
    on_reload = [&]() -> absl::StatusOr<std::vector<std::string>> {
      auto next = reload();
      if (!next.ok()) return next.status();
      follow_names(host_names(*next));
      apply_host_names(*next, answered);
      const std::vector<std::string> restart_only = node.reconfigure(std::move(*next));
      follow_local_change();  // reconfigure() derived the local state again itself
      log::info("xtr",
                "reload applied: %zu Map-Server(s), %zu Map-Resolver(s), %zu static mapping(s)",
                node.config().map_servers.size(), node.config().map_resolvers.size(),
                node.config().static_mappings.size());
      return restart_only;
    };
  EventLoop& events = **loop;
  auto watch = [&events](int fd, EventLoop::Callback callback) {
    return fd < 0 ? absl::OkStatus() : events.watch(fd, std::move(callback));
  };
  CommandRegistry commands;
  CounterRegistry counters;
  node.add_counters(counters);
  node.add_commands(commands);
  node.add_change_commands(commands);
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
  if (watched.ok()) watched = watch(names.fd(), names_answered);
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
    (*transport)->solicit_next_hops(node.config(), node.view(), node.locators(), clock.now());
  });
  if (auto status = (*endpoints)->serve(events, commands, counters, on_reload); !status.ok()) {
    return status;
  }
  return events.run();
}

}  // namespace lispmob::control
