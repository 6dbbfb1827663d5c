#include "control/xtr/kernel_view.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_format.h"
#include "control/messages.h"
#include "dataplane/api/encapsulation.h"
#include "kni/host_ports.h"

namespace lispmob::control {
namespace {

void set_locator(dataplane::RlocAddress& locator, const net::IpAddress& address) {
  locator.ipv6 = address.is_v6();
  std::copy(address.bytes().begin(), address.bytes().end(), locator.address.begin());
}

}  // namespace

KernelView view_of(const kni::KernelState& kernel, const std::vector<RlocLink>& links,
                   const std::vector<uint16_t>& port_mtus, const std::string& lan_twin) {
  KernelView view;
  for (const auto& entry : kernel.addresses()) {
    const auto& bytes = entry.address.bytes();
    if (entry.address.is_v6() && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) continue;
    auto link = kernel.links().find(entry.interface);
    if (link == kernel.links().end()) continue;
    view.addresses.emplace_back(link->second.name, entry.address);
    view.subnets.emplace_back(
        link->second.name,
        net::IpPrefix{entry.address.masked(entry.prefix_length), entry.prefix_length});
  }
  view.twin_indices.assign(links.size(), 0);
  view.link_mtus.assign(links.size(), 0);
  view.links_down.assign(links.size(), false);
  for (size_t i = 0; i < links.size(); ++i) {
    uint32_t mtu = 0;
    auto lower = [&mtu](uint32_t value) {
      if (value != 0 && (mtu == 0 || value < mtu)) mtu = value;
    };
    if (const auto* twin = kernel.link_named(links[i].twin)) {
      view.twin_indices[i] = twin->index;
      lower(twin->mtu);
    }
    if (auto iface = kni::kernel_interface_of_port(links[i].port)) {
      if (const auto* port = kernel.link_named(*iface)) {
        lower(port->mtu);
        view.links_down[i] = !port->up || !port->running;
      }
    } else if (i < port_mtus.size()) {
      lower(port_mtus[i]);
    }
    view.link_mtus[i] = static_cast<uint16_t>(std::min<uint32_t>(mtu, 0xffff));
  }
  if (const auto* twin = lan_twin.empty() ? nullptr : kernel.link_named(lan_twin)) {
    view.lan_twin_index = twin->index;
  }
  view.defaults = kernel.defaults();
  view.neighbours = kernel.neighbours();
  return view;
}

namespace {

bool is_link_local(const net::IpAddress& address) {
  const auto bytes = address.bytes();
  return address.is_v6() && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

// A proxy's RLOCs: every global address of its RLOC ports' twins that no
// database-mapping names already. They belong to no mapping (nothing is
// registered for them).
template <class Usable>
void add_twin_locators(const XtrConfig& config, const KernelView& kernel, const Usable& usable,
                       std::vector<LocalLocator>& locators) {
  for (size_t link = 0; link < config.rloc_links.size(); ++link) {
    const auto& twin = config.rloc_links[link].twin;
    if (!usable(twin)) continue;
    for (const auto& entry : kernel.addresses) {
      const net::IpAddress& address = entry.second;
      const bool known = std::any_of(locators.begin(), locators.end(),
                                     [&](const LocalLocator& l) { return l.address == address; });
      if (entry.first != twin || known || is_link_local(address)) continue;
      locators.push_back({address, 1, 100, static_cast<unsigned>(link), kNoMapping});
    }
  }
}

// A site gateway's LAN: its own addresses there, and its hosts, the LAN
// twin's resolved neighbours (link-local IPv6 addresses are no packet's
// destination here).
void add_lan(const XtrConfig& config, const KernelView& kernel,
             const dataplane::MacAddress& lan_mac, dataplane::LocalState& state) {
  state.lan = true;
  state.lan_port_mac = lan_mac;
  for (const auto& [interface, address] : kernel.addresses) {
    if (interface == config.lan_twin &&
        state.lan_address_count < dataplane::LocalState::kMaxLanAddresses) {
      state.lan_addresses[state.lan_address_count++] = address;
    }
  }
  if (kernel.lan_twin_index == 0) return;
  for (const auto& neighbour : kernel.neighbours) {
    if (neighbour.interface != kernel.lan_twin_index || !neighbour.usable ||
        is_link_local(neighbour.address)) {
      continue;
    }
    if (!state.adjacencies.insert(neighbour.address.bytes().data(), neighbour.address.is_v6(),
                                  neighbour.mac)) {
      state.adjacencies_refused++;
    }
  }
}

}  // namespace

std::vector<LocalLocator> local_locators(const XtrConfig& config, const KernelView& kernel) {
  const auto& links = config.rloc_links;
  auto link_of_twin = [&](const std::string& name) -> unsigned {
    for (size_t i = 0; i < links.size(); ++i) {
      if (links[i].twin == name) return static_cast<unsigned>(i);
    }
    return 0;
  };
  // An address on the twin of a link that is down is not usable.
  auto usable = [&](const std::string& twin) {
    for (size_t i = 0; i < links.size() && i < kernel.links_down.size(); ++i) {
      if (links[i].twin == twin && kernel.links_down[i]) return false;
    }
    return true;
  };
  std::vector<LocalLocator> locators;
  for (size_t m = 0; m < config.database_mappings.size(); ++m) {
    const auto& mapping = config.database_mappings[m];
    for (const auto& rloc : mapping.addresses) {
      unsigned link = 0;
      bool down = false;
      for (const auto& [name, address] : kernel.addresses) {
        if (address == rloc.address) {
          link = link_of_twin(name);
          down = !usable(name);
        }
      }
      if (!down) locators.push_back({rloc.address, rloc.priority, rloc.weight, link, m});
    }
    for (const auto& iface : mapping.interfaces) {
      if (!usable(iface.name)) continue;
      // The interface's first address of the family (during a move the old
      // one goes, and the new one becomes first).
      for (const auto& [name, address] : kernel.addresses) {
        if (name == iface.name && address.family() == iface.family) {
          locators.push_back({address, iface.priority, iface.weight, link_of_twin(iface.name), m});
          break;
        }
      }
    }
  }
  if (config.rlocs_from_twins()) add_twin_locators(config, kernel, usable, locators);
  return locators;
}

std::vector<net::IpAddress> unregistered_rlocs(const std::vector<LocalLocator>& locators) {
  std::vector<net::IpAddress> rlocs;
  for (const auto& locator : locators) {
    if (locator.mapping == kNoMapping) rlocs.push_back(locator.address);
  }
  return rlocs;
}

std::vector<lisp::MappingRecord> records_to_register(const XtrConfig& config,
                                                     const std::vector<LocalLocator>& locators) {
  std::vector<lisp::MappingRecord> records;
  for (size_t m = 0; m < config.database_mappings.size(); ++m) {
    const auto& mapping = config.database_mappings[m];
    lisp::MappingRecord record;
    record.ttl_minutes = mapping.ttl_minutes;
    record.eid_mask_len = mapping.eid_prefix.length;
    record.authoritative = true;
    record.eid = eid_address(mapping.instance_id, mapping.eid_prefix.address);
    for (const auto& local : locators) {
      if (local.mapping != m) continue;
      lisp::Locator locator;
      locator.flags = lisp::Locator::kLocal | lisp::Locator::kReachable;
      locator.address = local.address;
      locator.priority = local.priority;
      locator.weight = local.weight;
      if (std::find(record.locators.begin(), record.locators.end(), locator) ==
          record.locators.end()) {
        record.locators.push_back(locator);
      }
    }
    if (!record.locators.empty()) records.push_back(std::move(record));
  }
  return records;
}

std::vector<net::IpAddress> on_link_next_hops(const XtrConfig& config, const KernelView& kernel,
                                              unsigned link, net::IpFamily family) {
  auto candidates = next_hop_candidates(config, kernel, link, family);
  if (link >= config.rloc_links.size()) return {};
  const int twin = link < kernel.twin_indices.size() ? kernel.twin_indices[link] : 0;
  const std::string& twin_name = config.rloc_links[link].twin;
  std::erase_if(candidates, [&](const net::IpAddress& candidate) {
    const bool gateway = std::any_of(kernel.defaults.begin(), kernel.defaults.end(), [&](auto& r) {
      return r.output_interface == twin && r.gateway == candidate;
    });
    const bool on_link = std::any_of(kernel.subnets.begin(), kernel.subnets.end(), [&](auto& s) {
      return s.first == twin_name && s.second.contains(candidate);
    });
    return !gateway && !on_link;
  });
  return candidates;
}

std::optional<net::IpAddress> control_source(const XtrConfig& config, const KernelView& kernel,
                                             const std::vector<LocalLocator>& locators,
                                             const net::IpAddress& destination) {
  const LocalLocator* best = nullptr;
  for (const auto& locator : locators) {
    if (locator.address.family() != destination.family()) continue;
    if (locator.link >= kernel.twin_indices.size() || locator.link >= config.rloc_links.size()) {
      continue;
    }
    const int twin = kernel.twin_indices[locator.link];
    const std::string& twin_name = config.rloc_links[locator.link].twin;
    const bool routed = std::any_of(kernel.defaults.begin(), kernel.defaults.end(), [&](auto& r) {
      return r.output_interface == twin && r.destination.address.family() == destination.family();
    });
    const bool on_link = std::any_of(kernel.subnets.begin(), kernel.subnets.end(), [&](auto& s) {
      return s.first == twin_name && s.second.contains(destination);
    });
    if ((routed || on_link) && (best == nullptr || locator.priority < best->priority)) {
      best = &locator;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->address;
}

std::vector<net::IpAddress> next_hop_candidates(const XtrConfig& config, const KernelView& kernel,
                                                unsigned link, net::IpFamily family) {
  std::vector<net::IpAddress> candidates;
  const int twin = link < kernel.twin_indices.size() ? kernel.twin_indices[link] : 0;
  for (const auto& route : kernel.defaults) {
    if (route.output_interface == twin && route.gateway) candidates.push_back(*route.gateway);
  }
  for (const auto& entry : config.static_mappings) {
    for (const auto& locator : entry.locators) candidates.push_back(locator.rloc);
  }
  for (const auto* petrs : {&config.proxy_etrs_ipv4, &config.proxy_etrs_ipv6}) {
    candidates.insert(candidates.end(), petrs->begin(), petrs->end());
  }
  for (const auto& server : config.map_servers) candidates.push_back(server.address);
  std::erase_if(candidates, [&](const auto& address) { return address.family() != family; });
  return candidates;
}

std::optional<dataplane::MacAddress> next_hop_mac(const XtrConfig& config, const KernelView& kernel,
                                                  unsigned link, net::IpFamily family) {
  const int twin = link < kernel.twin_indices.size() ? kernel.twin_indices[link] : 0;
  for (const auto& candidate : next_hop_candidates(config, kernel, link, family)) {
    for (const auto& neighbour : kernel.neighbours) {
      if (neighbour.usable && neighbour.interface == twin && neighbour.address == candidate) {
        return neighbour.mac;
      }
    }
  }
  return std::nullopt;
}

dataplane::LocalState build_local_state(const XtrConfig& config,
                                        const std::vector<dataplane::MacAddress>& link_macs,
                                        const dataplane::MacAddress& eid_mac,
                                        const KernelView& kernel,
                                        const std::vector<LocalLocator>& locators) {
  dataplane::LocalState state;
  state.eid_port_host_mac = eid_mac;
  // Decapsulated frames come to the host from a "gateway" that is us.
  state.eid_port_gateway_mac = {{0x02, 'l', 'i', 's', 'p', 0x00}};
  state.decapsulate_any = config.proxy_etr;
  for (const auto& source : config.proxy_etr_sources) {
    if (state.served_source_count == dataplane::LocalState::kMaxServedSources) break;
    state.served_sources[state.served_source_count++] = source;
  }
  if (config.has_lan()) add_lan(config, kernel, eid_mac, state);
  for (const auto& mapping : config.database_mappings) {
    if (state.local_eid_count < dataplane::kMaxLocalEids) {
      state.local_eids[state.local_eid_count++] = mapping.eid_prefix;
    }
    state.instance_id = config.database_mappings.front().instance_id;
  }
  // Every link's RLOCs: LISP data may arrive on any.
  state.link_count =
      static_cast<unsigned>(std::min<size_t>(link_macs.size(), dataplane::kMaxRlocLinks));
  for (const auto& locator : locators) {
    if (locator.link >= state.link_count) continue;
    auto& link = state.links[locator.link];
    if (locator.address.is_v4() && !link.has_rloc4) {
      link.has_rloc4 = true;
      std::copy(locator.address.bytes().begin(), locator.address.bytes().end(), link.rloc4.begin());
    } else if (locator.address.is_v6() && !link.has_rloc6) {
      link.has_rloc6 = true;
      std::copy(locator.address.bytes().begin(), locator.address.bytes().end(), link.rloc6.begin());
    }
  }
  // The egress per outer family: the best-priority locator whose link has a
  // resolved next hop (the best one at all, if none has yet).
  for (auto family : {net::IpFamily::kIpv4, net::IpFamily::kIpv6}) {
    const LocalLocator* egress = nullptr;
    std::optional<dataplane::MacAddress> egress_mac;
    for (const auto& locator : locators) {
      if (locator.address.family() != family || locator.link >= state.link_count) continue;
      const auto mac = next_hop_mac(config, kernel, locator.link, family);
      const bool better =
          egress == nullptr || (mac && !egress_mac) ||
          (mac.has_value() == egress_mac.has_value() && locator.priority < egress->priority);
      if (better) {
        egress = &locator;
        egress_mac = mac;
      }
    }
    if (egress == nullptr) continue;
    const auto link = static_cast<uint8_t>(egress->link);
    const auto bytes = egress->address.bytes();
    const uint16_t mtu = link < kernel.link_mtus.size() ? kernel.link_mtus[link] : 0;
    if (family == net::IpFamily::kIpv4) {
      state.has_rloc4 = true;
      std::copy(bytes.begin(), bytes.end(), state.rloc4.begin());
      state.egress_link4 = link;
      state.egress_mtu4 = mtu;
      state.rloc_port_mac4 = link_macs[link];
      if (egress_mac) state.next_hop_mac4 = *egress_mac;
    } else {
      state.has_rloc6 = true;
      std::copy(bytes.begin(), bytes.end(), state.rloc6.begin());
      state.egress_link6 = link;
      state.egress_mtu6 = mtu;
      state.rloc_port_mac6 = link_macs[link];
      if (egress_mac) state.next_hop_mac6 = *egress_mac;
    }
  }
  if (!config.proxy_etrs_ipv4.empty()) {
    state.has_petr4 = true;
    set_locator(state.petr4, config.proxy_etrs_ipv4.front());
  }
  if (!config.proxy_etrs_ipv6.empty()) {
    state.has_petr6 = true;
    set_locator(state.petr6, config.proxy_etrs_ipv6.front());
  }
  return state;
}

}  // namespace lispmob::control

namespace lispmob::control {

EidPortMtu choose_eid_port_mtu(const XtrConfig& config, const dataplane::LocalState& state) {
  if (config.has_lan()) {
    // The hosts' MTU is theirs to set (or a DHCP server's): what does not
    // fit once encapsulated is answered with ICMP, as by any router.
    return {0, "a LAN port: too big packets are answered with ICMP"};
  }
  if (config.eid_port_mtu != 0) return {config.eid_port_mtu, "tap-mtu in the config"};
  EidPortMtu chosen;
  auto consider = [&](bool has_rloc, unsigned link, uint16_t link_mtu, uint16_t overhead,
                      const char* family) {
    if (!has_rloc || link_mtu <= overhead) return;
    const uint32_t mtu = link_mtu - overhead;
    if (chosen.mtu != 0 && mtu >= chosen.mtu) return;
    chosen.mtu = mtu;
    chosen.reason = absl::StrFormat("RLOC link %d MTU %d less %d for %s encapsulation", link,
                                    link_mtu, overhead, family);
  };
  consider(state.has_rloc4, state.egress_link4, state.egress_mtu4, dataplane::kEncapOverheadV4,
           "IPv4");
  consider(state.has_rloc6, state.egress_link6, state.egress_mtu6, dataplane::kEncapOverheadV6,
           "IPv6");
  const bool ipv6_eid =
      std::any_of(config.database_mappings.begin(), config.database_mappings.end(),
                  [](const auto& m) { return m.eid_prefix.address.is_v6(); });
  // Below 1280 the kernel would take IPv6 off the port; bigger packets are
  // then answered with Packet Too Big by the data plane.
  if (chosen.mtu != 0 && ipv6_eid && chosen.mtu < 1280) {
    chosen.mtu = 1280;
    chosen.reason += ", raised to 1280 (the IPv6 minimum)";
  }
  return chosen;
}

}  // namespace lispmob::control
