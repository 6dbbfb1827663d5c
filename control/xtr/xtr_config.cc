#include "control/xtr/xtr_config.h"

#include <algorithm>

namespace lispmob::control {

bool same_eid_prefixes(const std::vector<LocalMapping>& a, const std::vector<LocalMapping>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.instance_id == y.instance_id && x.eid_prefix == y.eid_prefix;
  });
}

namespace {

std::optional<net::IpAddress> address_of(const std::string& host,
                                         const std::map<std::string, net::IpAddress>& resolved) {
  if (auto address = net::IpAddress::parse(host)) return address;
  auto found = resolved.find(host);
  if (found == resolved.end()) return std::nullopt;
  return found->second;
}

}  // namespace

std::vector<std::string> host_names(const XtrConfig& config) {
  std::vector<std::string> names;
  auto add = [&](const std::string& host) {
    if (!net::IpAddress::parse(host) && std::find(names.begin(), names.end(), host) == names.end())
      names.push_back(host);
  };
  for (const auto& server : config.map_server_hosts) add(server.host);
  for (const auto& host : config.map_resolver_hosts) add(host);
  for (const auto& host : config.proxy_itr_hosts) add(host);
  return names;
}

void apply_host_names(XtrConfig& config, const std::map<std::string, net::IpAddress>& resolved) {
  config.map_servers.clear();
  for (const auto& named : config.map_server_hosts) {
    if (auto address = address_of(named.host, resolved)) {
      config.map_servers.push_back(named.server);
      config.map_servers.back().address = *address;
    }
  }
  config.map_resolvers.clear();
  for (const auto& host : config.map_resolver_hosts) {
    if (auto address = address_of(host, resolved)) config.map_resolvers.push_back(*address);
  }
  if (config.map_resolver_hosts.empty()) {
    for (const auto& server : config.map_servers) config.map_resolvers.push_back(server.address);
  }
  config.proxy_itrs.clear();
  for (const auto& host : config.proxy_itr_hosts) {
    if (auto address = address_of(host, resolved)) config.proxy_itrs.push_back(*address);
  }
}

std::vector<std::string> changes_needing_restart(const XtrConfig& running, const XtrConfig& next) {
  std::vector<std::string> changes;
  if (running.mobile_node != next.mobile_node) {
    changes.push_back("operating-mode: the roles are chosen at start");
  }
  if (running.rloc_links != next.rloc_links) {
    changes.push_back("rloc-port/rloc-twin: DPDK opens its ports at start");
  }
  if (running.lan_port != next.lan_port || running.lan_twin != next.lan_twin) {
    changes.push_back("lan-port/lan-twin: DPDK opens its ports at start");
  }
  if (running.eid_interface != next.eid_interface) {
    changes.push_back("tap-iface: the EID port is created at start");
  }
  if (running.host_setup != next.host_setup || running.rloc_route_table != next.rloc_route_table) {
    changes.push_back("host-setup/rloc-route-table: the host is set up at start");
  }
  if (running.mobile_node && running.host_setup &&
      !same_eid_prefixes(running.database_mappings, next.database_mappings)) {
    changes.push_back(
        "database-mapping eid-prefix: a mobile node's EIDs on its EID port are set at start");
  }
  if (running.mobile_node && running.host_setup &&
      running.tunnel_destinations != next.tunnel_destinations) {
    changes.push_back("allowed-dst-eids: the routes into the EID port are set at start");
  }
  return changes;
}

}  // namespace lispmob::control
