#include "control/static_xtr.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/crypto/nonce.h"
#include "control/api_socket.h"
#include "control/registrar.h"
#include "control/stop_signals.h"
#include "control/udp_socket.h"
#include "dataplane/ports.h"

namespace lispmob::control {
namespace {

std::vector<std::pair<std::string, net::IpAddress>> interface_addresses() {
  std::vector<std::pair<std::string, net::IpAddress>> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    if (entry->ifa_addr->sa_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
      out.emplace_back(entry->ifa_name, net::IpAddress::v4(ntohl(v4->sin_addr.s_addr)));
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), &v6->sin6_addr, 16);
      if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) continue;  // link-local
      out.emplace_back(entry->ifa_name, net::IpAddress::v6(bytes));
    }
  }
  freeifaddrs(list);
  return out;
}

std::string read_arp_table() {
  std::ifstream in("/proc/net/arp");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The MAC /proc/net/arp holds for `address` on `device`, if resolved.
std::optional<rte_ether_addr> arp_lookup(const std::string& table, const std::string& device,
                                         const net::IpAddress& address) {
  std::istringstream lines(table);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string ip, hw_type, flags, mac, mask, name;
    if (!(fields >> ip >> hw_type >> flags >> mac >> mask >> name)) continue;
    if (name != device || ip != address.to_string() || flags == "0x0") continue;
    rte_ether_addr result;
    if (rte_ether_unformat_addr(mac.c_str(), &result) == 0) return result;
  }
  return std::nullopt;
}

void set_locator(dataplane::MapEntry::Locator& locator, const net::IpAddress& address) {
  locator.ipv6 = address.is_v6();
  std::copy(address.bytes().begin(), address.bytes().end(), locator.address.begin());
}

}  // namespace

std::vector<lisp::MappingRecord> records_to_register(const config::Config& config,
                                                     const dataplane::LocalState& state) {
  std::vector<lisp::MappingRecord> records;
  for (const auto& mapping : config.database_mappings) {
    lisp::MappingRecord record;
    record.ttl_minutes = mapping.ttl_minutes;
    record.eid_mask_len = mapping.eid_prefix.length;
    record.authoritative = true;
    if (mapping.instance_id == 0) {
      record.eid = mapping.eid_prefix.address;
    } else {
      lisp::Lcaf lcaf;
      lcaf.body =
          lisp::InstanceIdLcaf{mapping.instance_id, 0, lisp::Address(mapping.eid_prefix.address)};
      record.eid = lcaf;
    }
    // Priority and weight of the first locator configured for each family.
    auto add = [&](const net::IpAddress& address) {
      lisp::Locator locator;
      locator.flags = lisp::Locator::kLocal | lisp::Locator::kReachable;
      locator.address = address;
      for (const auto& iface : mapping.rloc_interfaces) {
        if (iface.family == address.family()) {
          locator.priority = iface.priority;
          locator.weight = iface.weight;
          break;
        }
      }
      for (const auto& rloc : mapping.rloc_addresses) {
        if (rloc.address == address) {
          locator.priority = rloc.priority;
          locator.weight = rloc.weight;
        }
      }
      record.locators.push_back(locator);
    };
    if (state.has_rloc4) add(net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4)));
    if (state.has_rloc6) add(net::IpAddress::v6(std::span<const uint8_t, 16>(state.rloc6)));
    if (!record.locators.empty()) records.push_back(std::move(record));
  }
  return records;
}

dataplane::LocalState build_local_state(
    const config::Config& config, const rte_ether_addr& rloc_mac, const rte_ether_addr& eid_mac,
    const std::string& arp_table,
    const std::vector<std::pair<std::string, net::IpAddress>>& addresses) {
  dataplane::LocalState state;
  state.rloc_port_mac = rloc_mac;
  state.eid_port_host_mac = eid_mac;
  // Decapsulated frames come to the host from a "gateway" that is us.
  state.eid_port_gateway_mac = {{0x02, 'l', 'i', 's', 'p', 0x00}};
  auto use_rloc = [&](const net::IpAddress& address) {
    if (address.is_v4() && !state.has_rloc4) {
      state.has_rloc4 = true;
      std::copy(address.bytes().begin(), address.bytes().end(), state.rloc4.begin());
    } else if (address.is_v6() && !state.has_rloc6) {
      state.has_rloc6 = true;
      std::copy(address.bytes().begin(), address.bytes().end(), state.rloc6.begin());
    }
  };
  for (const auto& mapping : config.database_mappings) {
    if (state.local_eid_count < dataplane::kMaxLocalEids) {
      state.local_eids[state.local_eid_count++] = mapping.eid_prefix;
    }
    state.instance_id = config.database_mappings.front().instance_id;
    for (const auto& rloc : mapping.rloc_addresses) use_rloc(rloc.address);
    for (const auto& iface : mapping.rloc_interfaces) {
      for (const auto& [name, address] : addresses) {
        if (name == iface.interface && address.family() == iface.family) use_rloc(address);
      }
    }
  }
  if (!config.proxy_etrs_ipv4.empty()) {
    state.has_petr4 = true;
    set_locator(state.petr4, config.proxy_etrs_ipv4.front().address);
  }
  if (!config.proxy_etrs_ipv6.empty()) {
    state.has_petr6 = true;
    set_locator(state.petr6, config.proxy_etrs_ipv6.front().address);
  }
  // The IPv4 next hop: the first static locator or PETR the kernel twin has
  // resolved (on-link peers). Routed next hops come with the netlink work.
  std::vector<net::IpAddress> candidates;
  for (const auto& entry : config.static_map_cache) {
    for (const auto& rloc : entry.rlocs) candidates.push_back(rloc.address);
  }
  for (const auto& petr : config.proxy_etrs_ipv4) candidates.push_back(petr.address);
  for (const auto& candidate : candidates) {
    if (!candidate.is_v4()) continue;
    if (auto mac = arp_lookup(arp_table, config.dpdk.rloc_twin, candidate)) {
      state.next_hop_mac4 = *mac;
      break;
    }
  }
  return state;
}

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

std::string mapping_line(const dataplane::Mapping& mapping) {
  std::string line = absl::StrFormat("%-9d %-24s %-17s", mapping.instance_id,
                                     mapping.prefix.to_string(), action_name(mapping.action));
  for (const auto& locator : mapping.locators) {
    absl::StrAppendFormat(&line, " %s (p%d w%d%s)", locator.rloc.to_string(), locator.priority,
                          locator.weight, locator.reachable ? "" : " down");
  }
  return line + "\n";
}

std::string mac_text(const rte_ether_addr& mac) {
  char text[RTE_ETHER_ADDR_FMT_SIZE];
  rte_ether_format_addr(text, sizeof(text), &mac);
  return text;
}

}  // namespace

std::string answer_xtr(const std::string& command, dataplane::DataplaneService& service,
                       const dataplane::LocalState& state, const Registrar* registrar) {
  std::string out;
  if (command == "show map-servers") {
    if (registrar == nullptr) return "no map-server configured\n";
    out = absl::StrFormat("%-6s %-40s %-10s %-9s %s\n", "active", "map-server", "registered",
                          "registers", "notifies");
    for (size_t i = 0; i < registrar->servers().size(); ++i) {
      const auto& state_of = registrar->state(i);
      absl::StrAppendFormat(
          &out, "%-6s %-40s %-10s %-9d %d\n", i == registrar->active_server() ? "*" : "",
          registrar->servers()[i].address.to_string(), state_of.registered ? "yes" : "no",
          state_of.registers_sent, state_of.notifies_accepted);
    }
    return out;
  }
  const std::string header =
      absl::StrFormat("%-9s %-24s %-17s %s\n", "instance", "eid-prefix", "action", "rlocs");
  if (command == "show map-cache") {
    out = header;
    for (const auto& mapping : service.cache().dump()) out += mapping_line(mapping);
  } else if (command.rfind("lookup ", 0) == 0) {
    std::vector<std::string> words = absl::StrSplit(command, ' ', absl::SkipEmpty());
    const auto address = words.size() >= 2 ? net::IpAddress::parse(words[1]) : std::nullopt;
    const uint32_t iid = words.size() >= 3
                             ? static_cast<uint32_t>(std::strtoul(words[2].c_str(), nullptr, 10))
                             : state.instance_id;
    if (!address) return "usage: lookup EID [IID]\n";
    auto mapping = service.cache().lookup(iid, *address);
    out = mapping ? header + mapping_line(*mapping) : "no map-cache entry for " + words[1] + "\n";
  } else if (command == "show counters") {
    const auto counters = service.counters();
#define LISPMOB_PRINT_COUNTER(name, help) \
  absl::StrAppendFormat(&out, "%-22s %d\n", #name, counters.name);
    LISPMOB_DATAPLANE_COUNTERS(LISPMOB_PRINT_COUNTER)
#undef LISPMOB_PRINT_COUNTER
    absl::StrAppendFormat(&out, "%-22s %d\n", "map_cache_entries", service.cache().size());
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
    absl::StrAppendFormat(&out, "rloc-port  %s\nnext-hop4  %s\n", mac_text(state.rloc_port_mac),
                          mac_text(state.next_hop_mac4));
  } else {
    out = "unknown command '" + command +
          "': show map-cache | lookup EID [IID] | show counters | show local | show map-servers\n";
  }
  return out;
}

absl::Status run_static_xtr(const config::Config& config, dataplane::DataplaneService& service,
                            const std::string& api_path) {
  std::optional<ApiSocket> api;
  if (!api_path.empty()) {
    auto socket = ApiSocket::listen(api_path);
    if (!socket.ok()) return socket.status();
    api.emplace(std::move(*socket));
  }
  for (const auto& entry : config.static_map_cache) {
    dataplane::Mapping mapping{
        entry.instance_id, entry.eid_prefix, dataplane::MapAction::kEncapsulate, {}};
    for (const auto& rloc : entry.rlocs) {
      mapping.locators.push_back({rloc.address, rloc.priority, rloc.weight, true});
    }
    if (auto status = service.cache().upsert(mapping); !status.ok()) return status;
  }
  const rte_ether_addr rloc_mac = dataplane::port_mac(service.rloc_port());
  const rte_ether_addr eid_mac = dataplane::port_mac(service.eid_port());
  auto state =
      build_local_state(config, rloc_mac, eid_mac, read_arp_table(), interface_addresses());
  service.local().publish(state);
  if (auto status = service.launch(); !status.ok()) return status;

  const int signal_fd = stop_signal_fd();
  if (signal_fd < 0) return absl::InternalError("signalfd failed");
  // Registration: LISP control goes through the kernel twin on UDP 4342.
  std::optional<Registrar> registrar;
  std::optional<UdpSocket> control;
  if (!config.map_servers.empty()) {
    auto socket = UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, lisp::kControlPort);
    if (!socket.ok()) return socket.status();
    control.emplace(std::move(*socket));
    registrar.emplace(Registrar::servers_from_config(config), Registrar::Options{}, [] {
      auto nonce = crypto::random_nonce();
      return nonce.ok() ? *nonce : 0;
    });
  }
  pollfd fds[3] = {{signal_fd, POLLIN, 0},
                   {api ? api->fd() : -1, POLLIN, 0},
                   {control ? control->fd() : -1, POLLIN, 0}};
  while (true) {
    const int ready = poll(fds, 3, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0 && (fds[0].revents & POLLIN)) break;  // SIGINT or SIGTERM
    if (api && ready > 0 && (fds[1].revents & POLLIN)) {
      api->serve_one([&](const std::string& command) {
        return answer_xtr(command, service, state, registrar ? &*registrar : nullptr);
      });
    }
    const auto now = std::chrono::steady_clock::now();
    if (control && ready > 0 && (fds[2].revents & POLLIN)) {
      std::array<uint8_t, 9000> buffer;
      Endpoint from;
      while (auto length = control->receive(buffer, from)) {
        registrar->handle({buffer.data(), *length}, now);
      }
    }
    auto next =
        build_local_state(config, rloc_mac, eid_mac, read_arp_table(), interface_addresses());
    if (std::memcmp(&next, &state, sizeof(state)) != 0) {
      state = next;
      service.local().publish(state);
      if (config.debug > 0) std::fprintf(stderr, "lispd: local state changed (RLOC or next hop)\n");
    }
    if (registrar) {
      registrar->set_records(records_to_register(config, state));
      for (const auto& message : registrar->poll(now))
        control->send(message.destination, message.bytes);
    }
    dataplane::PuntRecord record;
    while (rte_ring_sc_dequeue_elem(service.punt_ring(), &record, sizeof(record)) == 0) {
      const auto address =
          record.ipv6 ? net::IpAddress::v6(std::span<const uint8_t, 16>(record.address, 16))
                      : net::IpAddress::v4(std::span<const uint8_t, 4>(record.address, 4));
      if (config.debug > 0) {
        std::fprintf(stderr, "lispd: map-cache miss for [%u]%s (no resolver in this build)\n",
                     record.instance_id, address.to_string().c_str());
      }
    }
    service.cache().maintain();
    service.local().maintain();
  }
  close(signal_fd);
  return absl::OkStatus();
}

}  // namespace lispmob::control
