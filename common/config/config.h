// lispmob's configuration: the keys of LISPmob's lispd.conf and OOR's
// oor.conf (a superset of both) plus our own DPDK keys. Parsed with
// libconfuse; every error names the file, the line and the key.
// lispmob.conf.example documents each key.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net/ip_address.h"

namespace lispmob::config {

// kProxyEtr: RFC 9300 §4.1's Proxy-ETR, an xTR that decapsulates LISP
// data for any inner destination and hands it to its host to forward natively.
// kProxyItr: RFC 6832's Proxy-ITR, an ITR for native traffic its host
// routes into lmn0 (allowed-dst-eids: the EID-prefixes it serves).
enum class OperatingMode { kMobileNode, kXtr, kMapServer, kRtr, kProxyEtr, kProxyItr };

struct RlocAddress {
  net::IpAddress address;
  uint8_t priority = 1;
  uint8_t weight = 100;
  bool local = true;  // OOR: false for a locator of another xTR of the same site
};

// A locator taken from an interface's current address (and followed as it changes).
struct RlocInterface {
  std::string interface;
  net::IpFamily family = net::IpFamily::kIpv4;
  uint8_t priority = 1;
  uint8_t weight = 100;
};

struct DatabaseMapping {
  net::IpPrefix eid_prefix;
  uint32_t instance_id = 0;
  uint32_t ttl_minutes = 10;
  std::vector<RlocAddress> rloc_addresses;
  std::vector<RlocInterface> rloc_interfaces;
};

struct StaticMapping {
  net::IpPrefix eid_prefix;
  uint32_t instance_id = 0;
  std::vector<RlocAddress> rlocs;
};

struct MapServer {
  std::string address;  // IP address or host name
  uint8_t key_id = 0;
  uint8_t algorithm = 1;  // key-type: 1 HMAC-SHA-1-96, 2 HMAC-SHA-256-128
  std::string key;
  bool proxy_reply = false;
};

struct ProxyEtr {
  net::IpAddress address;
  uint8_t priority = 1;
  uint8_t weight = 100;
};

struct RlocProbing {
  uint32_t interval_seconds = 0;  // 0: off
  uint32_t retries = 2;
  uint32_t retries_interval_seconds = 5;
};

// Map-Server role: a site allowed to register.
struct LispSite {
  net::IpPrefix eid_prefix;
  uint32_t instance_id = 0;
  uint8_t key_id = 0;
  uint8_t algorithm = 1;
  std::string key;
  bool accept_more_specifics = false;
  bool proxy_reply = false;
  bool merge = false;
};

// A further RLOC port of a multihomed node, with its own kernel twin.
struct RlocLink {
  std::string port;
  std::string twin;
  friend bool operator==(const RlocLink&, const RlocLink&) = default;
};

struct Dpdk {
  // 256 MB of ordinary memory: the pools and map-cache fit, on a small board too.
  std::string eal_args = "--no-huge --no-pci --no-shconf --no-telemetry -m 512";
  std::string worker_lcores = "1";
  std::string rloc_port;  // PCI address, or vdev arguments such as net_af_packet0,iface=veth0
  std::string rloc_twin = "rloc0";  // kernel tap twin of the RLOC port
  uint32_t mbufs = 16383;
  uint32_t burst_size = 32;
  uint32_t punt_ring_size = 1024;
  // A worker that found no packet in 1000 polls in a row sleeps this long
  // between polls until traffic returns (0: always busy-poll). For a mobile
  // node on a laptop or a shared lab machine, not for a gateway.
  uint32_t idle_sleep_us = 0;
  // Multihoming: RLOC ports beyond the first (rloc-port / rloc-twin).
  std::vector<RlocLink> more_rloc_links;
  // A site gateway's LAN: the port facing the site's hosts (an xTR's EID
  // side instead of lmn0) and its kernel twin, which holds the gateway's
  // LAN addresses. Empty: the EID port is lmn0.
  std::string lan_port;
  std::string lan_twin = "lan0";
  // Every RLOC link, the first one first.
  std::vector<RlocLink> rloc_links() const;
};

// Where a TCP service listens (metrics-listen).
struct ListenAddress {
  net::IpAddress address;
  uint16_t port = 0;
};
// "PORT" (on the loopback, 127.0.0.1), "ADDRESS:PORT" or "[IPV6]:PORT";
// nullopt for anything else or a port outside 1..65535.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

struct Config {
  std::string source;  // the file it came from
  int debug = 0;
  std::string log_file;
  // lispd serves its counters at http://ADDRESS:PORT/metrics (Prometheus).
  std::optional<ListenAddress> metrics_listen;
  OperatingMode mode = OperatingMode::kMobileNode;
  uint32_t map_request_retries = 2;
  std::vector<std::string> map_resolvers;
  std::vector<std::string> proxy_itrs;
  std::vector<net::IpPrefix> allowed_dst_eids;
  // A Proxy-ETR decapsulates only LISP data whose inner source is in these
  // EID-prefixes (the sites it serves); empty: from any ITR.
  std::vector<net::IpPrefix> proxy_etr_sources;
  bool ipv6_site_scope = false;  // ipv6-scope = SITE: ULAs may be RLOCs
  bool vxlan_gpe = false;        // encapsulation = VXLAN-GPE
  std::string control_iface;
  bool nat_traversal = false;
  std::string tap_iface = "lmn0";
  // The EID port's MTU; 0: the egress RLOC link's MTU less the LISP
  // encapsulation (36 bytes over IPv4, 56 over IPv6), kept in step with it.
  uint32_t tap_mtu = 0;
  // MN: lispd puts the EIDs on lmn0, the default route through it, the
  // RLOC twin's defaults at metric 100 and "from <RLOC> lookup
  // <rloc-route-table>" in place, and undoes it all on exit.
  bool host_setup = true;
  uint32_t rloc_route_table = 5;
  uint32_t map_cache_max_entries = 65536;
  std::optional<std::array<uint8_t, 16>> xtr_id;
  std::optional<uint64_t> site_id;
  RlocProbing rloc_probing;
  std::vector<MapServer> map_servers;
  std::vector<ProxyEtr> proxy_etrs_ipv4;
  std::vector<ProxyEtr> proxy_etrs_ipv6;
  std::vector<DatabaseMapping> database_mappings;
  std::vector<StaticMapping> static_map_cache;
  std::vector<LispSite> lisp_sites;
  uint32_t ms_replies_per_second = 1000;   // per requester; 0: no limit
  uint32_t map_requests_per_second = 100;  // MN/xTR: for misses, in total; 0: no limit
  std::vector<StaticMapping> ms_static_registered_sites;
  Dpdk dpdk;
  // Keys accepted for compatibility with LISPmob/OOR files whose feature
  // lispmob does not implement yet; the daemon warns about each.
  std::vector<std::string> unsupported;
  // A LISPmob/OOR MN or xTR file without a dpdk rloc-port: what lispd
  // chose from its interfaces instead (said once at start), else empty.
  std::string derived_rloc_links;
};

// How many RLOC links the data plane drives (dataplane::kMaxRlocLinks).
inline constexpr size_t kMaxRlocLinks = 4;

// True for the modes lispd runs on the DPDK data plane (MN, xTR, PETR, PITR).
bool runs_data_plane(OperatingMode mode);
// True for a site gateway: an xTR whose EID side is the dpdk section's
// lan-port (anywhere else lan-port is warned about and unused).
bool has_lan_port(const Config& config);
// Why a parsed file cannot run as it says, or "" if it can: a mode on the
// data plane needs an RLOC port, given or derived.
std::string start_problem(const Config& config);

// Parses the file at `path`. An error's message reads "FILE:LINE: key 'KEY': ...".
absl::StatusOr<Config> load_file(const std::string& path);
// Parses `text` as if it were the file `name`.
absl::StatusOr<Config> parse_text(std::string_view text, const std::string& name);

const char* to_string(OperatingMode mode);

// What the file sets that no part of lispd uses in its operating mode (a
// Map-Server's database-mapping, an xTR's lisp-site, keys whose feature is
// not implemented, Map-Server names that are not addresses), each as
// "FILE: KEY: why", for the start-up warning.
std::vector<std::string> unused_keys(const Config& config);

}  // namespace lispmob::config
