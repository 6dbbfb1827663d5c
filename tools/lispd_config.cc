#include "tools/lispd_config.h"

#include <algorithm>

namespace lispmob::tools {
namespace {

std::vector<control::LocalMapping> local_mappings(const config::Config& config) {
  std::vector<control::LocalMapping> out;
  for (const auto& mapping : config.database_mappings) {
    control::LocalMapping local;
    local.instance_id = mapping.instance_id;
    local.eid_prefix = mapping.eid_prefix;
    local.ttl_minutes = mapping.ttl_minutes;
    for (const auto& rloc : mapping.rloc_addresses) {
      local.addresses.push_back({rloc.address, rloc.priority, rloc.weight});
    }
    for (const auto& iface : mapping.rloc_interfaces) {
      local.interfaces.push_back({iface.interface, iface.family, iface.priority, iface.weight});
    }
    out.push_back(std::move(local));
  }
  return out;
}

std::vector<dataplane::Mapping> static_mappings(const config::Config& config) {
  std::vector<dataplane::Mapping> out;
  for (const auto& entry : config.static_map_cache) {
    dataplane::Mapping mapping{
        entry.instance_id, entry.eid_prefix, dataplane::MapAction::kEncapsulate, {}};
    for (const auto& rloc : entry.rlocs) {
      mapping.locators.push_back({rloc.address, rloc.priority, rloc.weight, true});
    }
    out.push_back(std::move(mapping));
  }
  return out;
}

std::vector<control::XtrConfig::MapServerHost> map_server_hosts(const config::Config& config) {
  std::vector<control::XtrConfig::MapServerHost> servers;
  for (const auto& server : config.map_servers) {
    servers.push_back(
        {server.address, {{}, server.key_id, server.algorithm, server.key, server.proxy_reply}});
  }
  return servers;
}

std::vector<net::IpAddress> addresses_of(const std::vector<config::ProxyEtr>& etrs) {
  std::vector<net::IpAddress> out;
  for (const auto& etr : etrs) out.push_back(etr.address);
  return out;
}

}  // namespace

control::XtrConfig xtr_config_of(const config::Config& config) {
  control::XtrConfig out;
  out.mobile_node = config.mode == config::OperatingMode::kMobileNode;
  out.proxy_etr = config.mode == config::OperatingMode::kProxyEtr;
  out.proxy_itr = config.mode == config::OperatingMode::kProxyItr;
  if (out.proxy_etr) out.proxy_etr_sources = config.proxy_etr_sources;
  out.host_setup = config.host_setup;
  out.rloc_route_table = config.rloc_route_table;
  for (const auto& link : config.dpdk.rloc_links())
    out.rloc_links.push_back({link.port, link.twin});
  out.eid_interface = config.tap_iface;
  out.eid_port_mtu = config.tap_mtu;
  if (config::has_lan_port(config)) {
    out.lan_port = config.dpdk.lan_port;
    out.lan_twin = config.dpdk.lan_twin;
  }
  out.database_mappings = local_mappings(config);
  out.static_mappings = static_mappings(config);
  out.map_server_hosts = map_server_hosts(config);
  out.map_resolver_hosts = config.map_resolvers;
  out.proxy_itr_hosts = config.proxy_itrs;
  out.tunnel_destinations = config.allowed_dst_eids;
  // Host names are resolved by lispd as it runs (control/host_names.h).
  control::apply_host_names(out, {});
  out.proxy_etrs_ipv4 = addresses_of(config.proxy_etrs_ipv4);
  out.proxy_etrs_ipv6 = addresses_of(config.proxy_etrs_ipv6);
  if (config.xtr_id) {
    out.options.registrar.identity = lisp::XtrIdentity{*config.xtr_id, config.site_id.value_or(0)};
  }
  auto& resolver = out.options.resolver;
  resolver.retries = static_cast<int>(config.map_request_retries);
  resolver.max_entries = config.map_cache_max_entries;
  resolver.misses_per_second = config.map_requests_per_second;
  resolver.proxy_itr = config.mode == config::OperatingMode::kProxyItr;
  resolver.probe_interval = std::chrono::seconds(config.rloc_probing.interval_seconds);
  resolver.probe_retries = static_cast<int>(config.rloc_probing.retries);
  resolver.probe_retry_interval =
      std::chrono::seconds(config.rloc_probing.retries_interval_seconds);
  return out;
}

control::MapServerConfig map_server_config_of(const config::Config& config) {
  control::MapServerConfig out;
  for (const auto& entry : config.lisp_sites) {
    auto same = std::find_if(out.sites.begin(), out.sites.end(), [&](const control::Site& site) {
      return site.instance_id == entry.instance_id && site.prefix == entry.eid_prefix;
    });
    if (same == out.sites.end()) {
      out.sites.push_back({entry.instance_id,
                           entry.eid_prefix,
                           {},
                           entry.accept_more_specifics,
                           entry.proxy_reply,
                           entry.merge});
      same = out.sites.end() - 1;
    }
    same->keys.push_back({entry.key_id, entry.algorithm, entry.key});
  }
  for (const auto& entry : config.ms_static_registered_sites) {
    control::StaticRegistration mapping{entry.instance_id, entry.eid_prefix, {}};
    for (const auto& rloc : entry.rlocs) {
      lisp::Locator locator;
      locator.flags = lisp::Locator::kReachable;
      locator.address = rloc.address;
      locator.priority = rloc.priority;
      locator.weight = rloc.weight;
      mapping.locators.push_back(locator);
    }
    out.static_registrations.push_back(std::move(mapping));
  }
  out.options.replies_per_second = config.ms_replies_per_second;  // 0: no limit
  out.options.reply_burst = std::max(1.0, out.options.replies_per_second / 10);
  out.control_interface = config.control_iface;
  return out;
}

}  // namespace lispmob::tools
