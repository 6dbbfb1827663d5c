// What the MN/xTR roles are configured with, in their own terms. lispd
// projects the config file into this once at start and again at each
// reload (tools/lispd_config.h); nothing in control/ reads the file's
// shape. XtrNode::reconfigure() applies a new one to a running node.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/net/ip_address.h"
#include "control/xtr/xtr_control.h"
#include "dataplane/api/mapping.h"

namespace lispmob::control {

// An RLOC port (PCI address or vdev arguments) and its kernel twin.
struct RlocLink {
  std::string port;
  std::string twin;
  friend bool operator==(const RlocLink&, const RlocLink&) = default;
};

// A database-mapping: one of our EID-prefixes and where its locators come
// from, fixed addresses or an interface's current address.
struct LocalMapping {
  struct Address {
    net::IpAddress address;
    uint8_t priority = 1;
    uint8_t weight = 100;
    friend bool operator==(const Address&, const Address&) = default;
  };
  struct Interface {
    std::string name;
    net::IpFamily family = net::IpFamily::kIpv4;
    uint8_t priority = 1;
    uint8_t weight = 100;
    friend bool operator==(const Interface&, const Interface&) = default;
  };
  uint32_t instance_id = 0;
  net::IpPrefix eid_prefix;
  uint32_t ttl_minutes = 10;
  std::vector<Address> addresses;
  std::vector<Interface> interfaces;
  friend bool operator==(const LocalMapping&, const LocalMapping&) = default;
};

struct XtrConfig {
  // A mobile node sets its host up (kni/host_setup.h); an xTR leaves it.
  bool mobile_node = true;
  // Proxy-ETR (RFC 9300 §4.1): LISP data to our RLOCs is decapsulated
  // whatever its inner destination and handed to the host, which forwards
  // it natively.
  bool proxy_etr = false;
  // A Proxy-ETR serving only these EID-prefixes' sites decapsulates only
  // LISP data with an inner source in them (proxy-etr-sources); empty: any.
  std::vector<net::IpPrefix> proxy_etr_sources;
  // Proxy-ITR (RFC 6832): the host routes native traffic for the EID-prefixes
  // it serves (tunnel_destinations) into lmn0, and it is encapsulated like
  // an ITR's, the Map-Requests carrying no source EID.
  bool proxy_itr = false;
  // A proxy's RLOCs are the addresses of its RLOC ports' twins (beside any
  // database-mapping's); they are registered nowhere.
  bool rlocs_from_twins() const { return proxy_etr || proxy_itr; }
  bool host_setup = true;
  uint32_t rloc_route_table = 5;
  // Every RLOC link, the first one first.
  std::vector<RlocLink> rloc_links;
  std::string eid_interface = "lmn0";
  // A site gateway (xTR): its EID side is a LAN port facing the site's
  // hosts, with a kernel twin holding the gateway's LAN addresses, instead
  // of lmn0. Empty port: the EID port is lmn0.
  std::string lan_port;
  std::string lan_twin;
  bool has_lan() const { return !lan_port.empty(); }
  // 0: follow the egress link's MTU less the encapsulation.
  uint32_t eid_port_mtu = 0;
  std::vector<LocalMapping> database_mappings;
  std::vector<dataplane::Mapping> static_mappings;
  std::vector<Registrar::Server> map_servers;
  // Where Map-Requests go: the Map-Resolvers, or the Map-Servers if none is
  // configured (a lispmob Map-Server also resolves).
  std::vector<net::IpAddress> map_resolvers;
  // The Proxy-ETRs for traffic to non-LISP IPv4 and IPv6 destinations (by
  // the inner packet's family, OOR's proxy-etr-ipv4/-ipv6), in order.
  std::vector<net::IpAddress> proxy_etrs_ipv4;
  std::vector<net::IpAddress> proxy_etrs_ipv6;
  // The Proxy-ITRs told of each move by SMR (proxy-itrs).
  std::vector<net::IpAddress> proxy_itrs;
  // allowed-dst-eids: a mobile node routes only these destinations into its
  // EID port instead of a default route; the rest of its traffic stays
  // native (empty: everything goes through LISP).
  std::vector<net::IpPrefix> tunnel_destinations;
  XtrControl::Options options;

  // Map-Servers, Map-Resolvers and Proxy-ITRs as the file gives them, in
  // its order: an address or a host name each. apply_host_names() derives
  // map_servers, map_resolvers and proxy_itrs from these.
  struct MapServerHost {
    std::string host;
    Registrar::Server server;  // its address comes from `host`
    friend bool operator==(const MapServerHost&, const MapServerHost&) = default;
  };
  std::vector<MapServerHost> map_server_hosts;
  std::vector<std::string> map_resolver_hosts;
  std::vector<std::string> proxy_itr_hosts;
};

// The host names (not addresses) among the config's Map-Servers,
// Map-Resolvers and Proxy-ITRs, each once.
std::vector<std::string> host_names(const XtrConfig& config);
// Sets map_servers, map_resolvers and proxy_itrs from the hosts lists:
// addresses as they are, names at the address `resolved` has for them (a
// name without one yet is left out until it has). With no Map-Resolver
// configured, the Map-Servers resolve (a lispmob Map-Server also does).
void apply_host_names(XtrConfig& config, const std::map<std::string, net::IpAddress>& resolved);

// True if both hold the same EID-prefixes in the same order.
bool same_eid_prefixes(const std::vector<LocalMapping>& a, const std::vector<LocalMapping>& b);

// What a reload cannot change in a running node: each difference between
// `running` and `next` that needs a restart, as "key: why".
std::vector<std::string> changes_needing_restart(const XtrConfig& running, const XtrConfig& next);

}  // namespace lispmob::control
