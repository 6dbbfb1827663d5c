#include "kni/host_setup.h"

#include <algorithm>

namespace lispmob::kni {
namespace {

constexpr uint32_t kMainTable = 254;

net::IpPrefix default_prefix(net::IpFamily family) {
  return {family == net::IpFamily::kIpv4 ? net::IpAddress::v4(0u)
                                         : net::IpAddress::v6(std::array<uint8_t, 16>{}),
          0};
}

// 0.0.0.0/1 and 128.0.0.0/1, or ::/1 and 8000::/1.
std::vector<net::IpPrefix> halves(net::IpFamily family) {
  if (family == net::IpFamily::kIpv4) {
    return {{net::IpAddress::v4(0u), 1}, {net::IpAddress::v4(0x80000000u), 1}};
  }
  std::array<uint8_t, 16> upper{};
  upper[0] = 0x80;
  return {{net::IpAddress::v6(std::array<uint8_t, 16>{}), 1}, {net::IpAddress::v6(upper), 1}};
}

net::IpPrefix host_prefix(const net::IpAddress& address) {
  return {address, static_cast<uint8_t>(address.max_prefix_len())};
}

std::vector<Route> of_family(const std::vector<Route>& routes, net::IpFamily family) {
  std::vector<Route> out;
  for (const auto& route : routes) {
    if (route.table == kMainTable && route.destination.address.family() == family) {
      out.push_back(route);
    }
  }
  return out;
}

template <class T>
bool contains(const std::vector<T>& items, const T& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HostSetup>> HostSetup::apply(HostSetupConfig config) {
  auto netlink = Rtnetlink::open();
  if (!netlink.ok()) return netlink.status();
  auto eid_index = netlink->interface_index(config.eid_interface);
  if (!eid_index.ok()) return eid_index.status();
  std::vector<int> rloc_indices;
  for (const auto& name : config.rloc_interfaces) {
    auto index = netlink->interface_index(name);
    if (!index.ok()) return index.status();
    rloc_indices.push_back(*index);
  }
  std::unique_ptr<HostSetup> setup(
      new HostSetup(std::move(*netlink), std::move(config), *eid_index, std::move(rloc_indices)));
  if (auto status = setup->netlink_.set_link_up(setup->eid_index_, true); !status.ok()) {
    return status;
  }
  for (const auto& eid : setup->config_.eids) {
    if (auto status = setup->netlink_.add_address(setup->eid_index_, host_prefix(eid));
        !status.ok()) {
      return status;
    }
  }
  for (auto family : {net::IpFamily::kIpv4, net::IpFamily::kIpv6}) {
    for (const auto& route : setup->eid_routes(family)) {
      if (auto status = setup->netlink_.replace_route(route); !status.ok()) return status;
    }
  }
  return setup;
}

std::vector<Route> HostSetup::eid_routes(net::IpFamily family) const {
  std::optional<net::IpAddress> eid;
  for (const auto& address : config_.eids) {
    if (address.family() == family) {
      eid = address;
      break;
    }
  }
  std::vector<net::IpPrefix> destinations;
  if (config_.tunnel_destinations.empty()) {
    if (eid) destinations = halves(family);
  } else {
    for (const auto& destination : config_.tunnel_destinations) {
      if (destination.address.family() == family) destinations.push_back(destination);
    }
  }
  std::vector<Route> routes;
  for (const auto& destination : destinations) {
    routes.push_back({kMainTable, destination, std::nullopt, eid_index_, eid, 0});
  }
  return routes;
}

// A link's RLOC table: the default route through its interface's gateway.
absl::Status HostSetup::sync_table(unsigned link, net::IpFamily family,
                                   const std::vector<Route>& routes) {
  const int interface = rloc_indices_[link];
  const uint32_t table = config_.rloc_table + link;
  std::optional<Route> wanted;
  for (const auto& route : routes) {
    if (route.output_interface == interface) {
      wanted = Route{table, default_prefix(family), route.gateway, interface, std::nullopt, 0};
      break;
    }
  }
  for (auto it = table_routes_.begin(); it != table_routes_.end();) {
    if (it->table == table && it->destination.address.family() == family &&
        (!wanted || *it != *wanted)) {
      (void)netlink_.delete_route(*it);
      it = table_routes_.erase(it);
    } else {
      ++it;
    }
  }
  if (wanted && !contains(table_routes_, *wanted)) {
    if (auto status = netlink_.replace_route(*wanted); !status.ok()) return status;
    table_routes_.push_back(*wanted);
  }
  return absl::OkStatus();
}

absl::Status HostSetup::sync_rules(const std::vector<std::pair<unsigned, net::IpAddress>>& rlocs) {
  std::vector<Rule> wanted;
  for (const auto& [link, rloc] : rlocs) {
    if (link >= rloc_indices_.size()) continue;
    wanted.push_back({host_prefix(rloc), config_.rloc_table + link, config_.rule_priority});
  }
  for (auto it = rules_.begin(); it != rules_.end();) {
    if (!contains(wanted, *it)) {
      (void)netlink_.delete_rule(*it);
      it = rules_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& rule : wanted) {
    if (contains(rules_, rule)) continue;
    if (auto status = netlink_.add_rule(rule); !status.ok()) return status;
    rules_.push_back(rule);
  }
  return absl::OkStatus();
}

absl::Status HostSetup::update(const std::vector<std::pair<unsigned, net::IpAddress>>& rlocs,
                               const std::vector<Route>& defaults) {
  for (auto family : {net::IpFamily::kIpv4, net::IpFamily::kIpv6}) {
    const auto routes = of_family(defaults, family);
    for (unsigned link = 0; link < rloc_indices_.size(); ++link) {
      if (auto status = sync_table(link, family, routes); !status.ok()) return status;
    }
  }
  return sync_rules(rlocs);
}

HostSetup::~HostSetup() {
  for (const auto& rule : rules_) (void)netlink_.delete_rule(rule);
  for (const auto& route : table_routes_) (void)netlink_.delete_route(route);
  for (auto family : {net::IpFamily::kIpv4, net::IpFamily::kIpv6}) {
    for (const auto& route : eid_routes(family)) (void)netlink_.delete_route(route);
  }
  for (const auto& eid : config_.eids) (void)netlink_.delete_address(eid_index_, host_prefix(eid));
}

}  // namespace lispmob::kni
