#include "common/config/config.h"

#include <fstream>
#include <sstream>

#include <confuse.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace lispmob::config {
namespace {

// libconfuse reports through a C callback; the parse in progress on this
// thread collects its first error here.
thread_local std::string* g_first_error = nullptr;
// The name errors give for the file: cfg_parse_buf would say "[buf]".
thread_local const std::string* g_file_name = nullptr;

void collect_error(cfg_t* cfg, const char* format, va_list args) {
  if (g_first_error == nullptr || !g_first_error->empty()) return;
  char message[512];
  std::vsnprintf(message, sizeof(message), format, args);
  *g_first_error = absl::StrFormat("%s:%d: %s", g_file_name ? *g_file_name : "(config)",
                                   cfg ? cfg->line : 0, message);
}

// ---- value checks, attached to options by name (see attach_checks) ----

struct IntRange {
  const char* key;
  long min;
  long max;
};

constexpr IntRange kIntRanges[] = {
    {"debug", 0, 3},
    {"map-request-retries", 0, 5},
    {"iid", 0, 16777215},
    {"ttl", 1, 0xffffffffL},
    {"priority", 0, 255},
    {"weight", 0, 255},
    {"priority_v4", -1, 255},
    {"priority_v6", -1, 255},
    {"weight_v4", 0, 255},
    {"weight_v6", 0, 255},
    {"key-type", 1, 2},
    {"key-id", 0, 255},
    {"ip_version", 4, 6},
    {"rloc-probe-interval", 0, 86400},
    {"rloc-probe-retries", 0, 5},
    {"rloc-probe-retries-interval", 1, 3600},
    {"rloc-probing-interval", 0, 86400},
    {"control-port", 1, 65535},
    {"map-cache-max-entries", 1, 16777216},
    {"rloc-route-table", 1, 252},
    {"tap-mtu", 0, 65535},
    {"mbufs", 1023, 4194303},
    {"burst-size", 1, 512},
    {"punt-ring-size", 64, 65536},
    {"idle-sleep-us", 0, 100000},
    {"ms-replies-per-second", 0, 100000000},
    {"map-requests-per-second", 0, 1000000},
    {"site-id", 0, 0x7fffffffffffffffL},
    {"level", 0, 255},
    {"source-mask-length", 0, 128},
    {"group-mask-length", 0, 128},
};

struct Choice {
  const char* key;
  const char* values[6];
};

constexpr Choice kChoices[] = {
    {"operating-mode", {"MN", "xTR", "MS", "RTR", "PETR", "PITR"}},
    {"ipv6-scope", {"GLOBAL", "SITE"}},
    {"encapsulation", {"LISP", "VXLAN-GPE"}},
    {"draft-version", {"OLD", "NEW"}},
    {"delegation-type", {"CHILD_DDT_NODE", "MAP_SERVER_DDT_NODE"}},
};

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return true;
}

int check_int_range(cfg_t* cfg, cfg_opt_t* opt) {
  for (const auto& range : kIntRanges) {
    if (std::strcmp(range.key, opt->name) != 0) continue;
    for (unsigned i = 0; i < cfg_opt_size(opt); ++i) {
      const long value = cfg_opt_getnint(opt, i);
      const bool ip_version_ok =
          std::strcmp(opt->name, "ip_version") != 0 || value == 4 || value == 6;
      if (value < range.min || value > range.max || !ip_version_ok) {
        cfg_error(
            cfg, "key '%s': expected %s, got %ld", opt->name,
            ip_version_ok ? absl::StrFormat("%d to %d", range.min, range.max).c_str() : "4 or 6",
            value);
        return -1;
      }
    }
  }
  return 0;
}

int check_choice(cfg_t* cfg, cfg_opt_t* opt) {
  for (const auto& choice : kChoices) {
    if (std::strcmp(choice.key, opt->name) != 0) continue;
    const char* value = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
    std::string allowed;
    for (const char* candidate : choice.values) {
      if (candidate == nullptr) break;
      if (value && absl::EqualsIgnoreCase(value, candidate)) return 0;
      allowed += allowed.empty() ? candidate : std::string(", ") + candidate;
    }
    cfg_error(cfg, "key '%s': expected one of %s, got '%s'", opt->name, allowed.c_str(),
              value ? value : "");
    return -1;
  }
  return 0;
}

// Each value of the option must satisfy `accept`; otherwise the error says
// what was `expected`.
template <class Accept>
int check_each(cfg_t* cfg, cfg_opt_t* opt, Accept accept, const char* expected) {
  for (unsigned i = 0; i < cfg_opt_size(opt); ++i) {
    const char* value = cfg_opt_getnstr(opt, i);
    if (!value || !accept(std::string_view(value))) {
      cfg_error(cfg, "key '%s': expected %s, got '%s'", opt->name, expected, value ? value : "");
      return -1;
    }
  }
  return 0;
}

int check_prefix(cfg_t* cfg, cfg_opt_t* opt) {
  return check_each(
      cfg, opt, [](std::string_view v) { return net::IpPrefix::parse(v).has_value(); },
      "a prefix such as 192.0.2.0/24 or 2001:db8::/64 with no bits set past its length");
}

int check_ip(cfg_t* cfg, cfg_opt_t* opt) {
  return check_each(
      cfg, opt, [](std::string_view v) { return net::IpAddress::parse(v).has_value(); },
      "an IPv4 or IPv6 address");
}

int check_ip_or_host(cfg_t* cfg, cfg_opt_t* opt) {
  return check_each(
      cfg, opt,
      [](std::string_view v) { return net::IpAddress::parse(v).has_value() || is_host_name(v); },
      "an IP address or host name");
}

int check_listen_address(cfg_t* cfg, cfg_opt_t* opt) {
  return check_each(
      cfg, opt, [](std::string_view v) { return parse_listen_address(v).has_value(); },
      "PORT (on 127.0.0.1), ADDRESS:PORT or [IPV6]:PORT");
}

int check_xtr_id(cfg_t* cfg, cfg_opt_t* opt) {
  const char* value = cfg_opt_getnstr(opt, 0);
  const size_t length = value ? std::strlen(value) : 0;
  bool ok = length == 32;
  for (size_t i = 0; ok && i < length; ++i)
    ok = std::isxdigit(static_cast<unsigned char>(value[i]));
  if (!ok) {
    cfg_error(cfg, "key '%s': expected 32 hexadecimal digits (128 bits), got '%s'", opt->name,
              value ? value : "");
    return -1;
  }
  return 0;
}

// ---- section checks: required keys and what depends on several keys ----

cfg_t* last_section(cfg_opt_t* opt) { return cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1); }

bool require(cfg_t* cfg, cfg_t* section, const char* key) {
  if (cfg_size(section, key) > 0) return true;
  cfg_error(cfg, "section '%s': missing key '%s'", cfg_name(section), key);
  return false;
}

int check_database_mapping(cfg_t* cfg, cfg_opt_t* opt) {
  cfg_t* section = last_section(opt);
  if (!require(cfg, section, "eid-prefix")) return -1;
  if (cfg_size(section, "rloc-address") + cfg_size(section, "rloc-iface") +
          cfg_size(section, "interface") ==
      0) {
    cfg_error(cfg,
              "section 'database-mapping': key 'rloc-address' or 'rloc-iface': at least one "
              "locator needed");
    return -1;
  }
  return 0;
}

int check_rloc_link(cfg_t* cfg, cfg_opt_t* opt) {
  cfg_t* section = last_section(opt);
  return require(cfg, section, "port") && require(cfg, section, "twin") ? 0 : -1;
}

int check_needs_address(cfg_t* cfg, cfg_opt_t* opt) {
  return require(cfg, last_section(opt), "address") ? 0 : -1;
}

int check_needs_eid_prefix(cfg_t* cfg, cfg_opt_t* opt) {
  return require(cfg, last_section(opt), "eid-prefix") ? 0 : -1;
}

int check_map_server(cfg_t* cfg, cfg_opt_t* opt) {
  cfg_t* section = last_section(opt);
  return require(cfg, section, "address") && require(cfg, section, "key") ? 0 : -1;
}

int check_lisp_site(cfg_t* cfg, cfg_opt_t* opt) {
  cfg_t* section = last_section(opt);
  return require(cfg, section, "eid-prefix") && require(cfg, section, "key") ? 0 : -1;
}

int check_rloc_iface(cfg_t* cfg, cfg_opt_t* opt) {
  return require(cfg, last_section(opt), "interface") ? 0 : -1;
}

// Attaches the checks above to every option of the tree by its name and type.
void attach_checks(cfg_opt_t* options) {
  for (cfg_opt_t* opt = options; opt->name != nullptr; ++opt) {
    const std::string_view name = opt->name;
    switch (opt->type) {
      case CFGT_INT:
        opt->validcb = check_int_range;
        break;
      case CFGT_STR:
        if (name == "eid-prefix" || name == "allowed-dst-eids" || name == "proxy-etr-sources") {
          opt->validcb = check_prefix;
        } else if (name == "map-resolver" || name == "proxy-itrs" ||
                   (name == "address" && opt->subopts == nullptr)) {
          opt->validcb = check_ip_or_host;
        } else if (name == "rloc" || name == "source" || name == "group") {
          opt->validcb = check_ip;
        } else if (name == "xtr-id") {
          opt->validcb = check_xtr_id;
        } else if (name == "metrics-listen") {
          opt->validcb = check_listen_address;
        } else {
          opt->validcb = check_choice;
        }
        break;
      case CFGT_SEC:
        attach_checks(opt->subopts);
        if (name == "database-mapping") {
          opt->validcb = check_database_mapping;
        } else if (name == "map-server") {
          opt->validcb = check_map_server;
        } else if (name == "lisp-site") {
          opt->validcb = check_lisp_site;
        } else if (name == "static-map-cache" || name == "ms-static-registered-site") {
          opt->validcb = check_needs_eid_prefix;
        } else if (name == "rloc-address" || name.starts_with("proxy-etr")) {
          opt->validcb = check_needs_address;
        } else if (name == "rloc-iface") {
          opt->validcb = check_rloc_iface;
        } else if (name == "rloc-link") {
          opt->validcb = check_rloc_link;
        }
        break;
      default:
        break;
    }
  }
}

// ---- conversion, after every check passed ----

uint8_t u8(cfg_t* section, const char* key) {
  return static_cast<uint8_t>(cfg_getint(section, key));
}
uint32_t u32(cfg_t* section, const char* key) {
  return static_cast<uint32_t>(cfg_getint(section, key));
}
std::string str(cfg_t* section, const char* key) {
  const char* value = cfg_getstr(section, key);
  return value ? value : "";
}
std::vector<std::string> strings(cfg_t* section, const char* key) {
  std::vector<std::string> values;
  for (unsigned i = 0; i < cfg_size(section, key); ++i)
    values.push_back(cfg_getnstr(section, key, i));
  return values;
}
net::IpPrefix prefix(cfg_t* section, const char* key) {
  return *net::IpPrefix::parse(str(section, key));
}

template <class Visit>
void for_each_section(cfg_t* parent, const char* name, Visit visit) {
  for (unsigned i = 0; i < cfg_size(parent, name); ++i) visit(cfg_getnsec(parent, name, i));
}

std::vector<RlocAddress> rloc_addresses(cfg_t* section) {
  std::vector<RlocAddress> rlocs;
  for_each_section(section, "rloc-address", [&](cfg_t* rloc) {
    const std::string address = str(rloc, "address");
    // An ELP name instead of an address is accepted by the parser for OOR
    // compatibility and reported as unsupported by the caller.
    if (auto ip = net::IpAddress::parse(address)) {
      rlocs.push_back(
          {*ip, u8(rloc, "priority"), u8(rloc, "weight"), cfg_getbool(rloc, "local") != 0});
    }
  });
  return rlocs;
}

OperatingMode parse_mode(const std::string& text) {
  if (absl::EqualsIgnoreCase(text, "xTR")) return OperatingMode::kXtr;
  if (absl::EqualsIgnoreCase(text, "MS")) return OperatingMode::kMapServer;
  if (absl::EqualsIgnoreCase(text, "RTR")) return OperatingMode::kRtr;
  if (absl::EqualsIgnoreCase(text, "PETR")) return OperatingMode::kProxyEtr;
  if (absl::EqualsIgnoreCase(text, "PITR")) return OperatingMode::kProxyItr;
  return OperatingMode::kMobileNode;
}

std::vector<ProxyEtr> proxy_etrs(cfg_t* root, const char* name, int family_filter) {
  std::vector<ProxyEtr> etrs;
  for_each_section(root, name, [&](cfg_t* section) {
    auto ip = net::IpAddress::parse(str(section, "address"));
    if (!ip) return;
    if (family_filter == 4 && !ip->is_v4()) return;
    if (family_filter == 6 && !ip->is_v6()) return;
    etrs.push_back({*ip, u8(section, "priority"), u8(section, "weight")});
  });
  return etrs;
}

// A LISPmob or OOR MN/xTR file names its RLOC interfaces (rloc-iface,
// LISPmob 0.4's interface) and has no dpdk section. Each interface becomes
// an RLOC port, net_af_packet on it, with a kernel twin rloc<N> that takes
// its place for the host: the twin carries the RLOC address (and runs the
// DHCP client), and the mappings name the twins, as in lispmob's own files.
void derive_rloc_links(Config& config) {
  if (!runs_data_plane(config.mode) || !config.dpdk.rloc_port.empty()) return;
  std::vector<std::string> interfaces;  // in the order the file names them
  for (const auto& mapping : config.database_mappings) {
    for (const auto& rloc : mapping.rloc_interfaces) {
      if (std::find(interfaces.begin(), interfaces.end(), rloc.interface) == interfaces.end()) {
        interfaces.push_back(rloc.interface);
      }
    }
  }
  // A file naming twins (rloc0, ...) is lispmob's own form, missing its
  // dpdk section: nothing to derive (start_problem says what is missing).
  const bool names_twins = std::any_of(interfaces.begin(), interfaces.end(), [](const auto& name) {
    return name.size() > 4 && name.starts_with("rloc") &&
           std::all_of(name.begin() + 4, name.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  });
  if (interfaces.empty() || names_twins) return;
  if (interfaces.size() > kMaxRlocLinks) {
    config.unsupported.push_back(absl::StrFormat("RLOC interfaces beyond the first %d (%s and on)",
                                                 kMaxRlocLinks, interfaces[kMaxRlocLinks]));
    interfaces.resize(kMaxRlocLinks);
  }
  std::map<std::string, std::string> twin_of;
  std::vector<std::string> chosen;
  for (size_t i = 0; i < interfaces.size(); ++i) {
    const std::string twin = absl::StrFormat("rloc%d", i);
    const std::string port = absl::StrFormat("net_af_packet%d,iface=%s", i, interfaces[i]);
    if (i == 0) {
      config.dpdk.rloc_port = port;
      config.dpdk.rloc_twin = twin;
    } else {
      config.dpdk.more_rloc_links.push_back({port, twin});
    }
    twin_of[interfaces[i]] = twin;
    chosen.push_back(
        absl::StrFormat("%s as RLOC port %s with kernel twin %s", interfaces[i], port, twin));
  }
  for (auto& mapping : config.database_mappings) {
    std::erase_if(mapping.rloc_interfaces,
                  [&](const RlocInterface& rloc) { return !twin_of.contains(rloc.interface); });
    for (auto& rloc : mapping.rloc_interfaces) rloc.interface = twin_of[rloc.interface];
  }
  config.derived_rloc_links = absl::StrFormat(
      "no dpdk rloc-port: %s; the twin takes the interface's place for the host (its address "
      "and DHCP client go there)",
      absl::StrJoin(chosen, ", "));
}

Config convert(cfg_t* root, const std::string& name) {
  Config config;
  config.source = name;
  config.debug = static_cast<int>(cfg_getint(root, "debug"));
  config.log_file = str(root, "log-file");
  if (cfg_size(root, "metrics-listen") > 0) {
    config.metrics_listen = parse_listen_address(str(root, "metrics-listen"));
  }
  if (cfg_size(root, "operating-mode") > 0 && cfg_getstr(root, "operating-mode")) {
    config.mode = parse_mode(str(root, "operating-mode"));
  } else if (cfg_size(root, "router-mode") > 0) {
    config.mode =
        cfg_getbool(root, "router-mode") ? OperatingMode::kXtr : OperatingMode::kMobileNode;
  }
  config.map_request_retries = u32(root, "map-request-retries");
  config.map_resolvers = strings(root, "map-resolver");
  config.proxy_itrs = strings(root, "proxy-itrs");
  for (const auto& text : strings(root, "proxy-etr-sources")) {
    config.proxy_etr_sources.push_back(*net::IpPrefix::parse(text));
  }
  for (const auto& text : strings(root, "allowed-dst-eids")) {
    config.allowed_dst_eids.push_back(*net::IpPrefix::parse(text));
  }
  config.ipv6_site_scope = absl::EqualsIgnoreCase(str(root, "ipv6-scope"), "SITE");
  config.vxlan_gpe = absl::EqualsIgnoreCase(str(root, "encapsulation"), "VXLAN-GPE");
  config.control_iface = str(root, "control-iface");
  config.nat_traversal = cfg_getbool(root, "nat_traversal_support");
  config.tap_iface = str(root, "tap-iface");
  config.tap_mtu = u32(root, "tap-mtu");
  config.host_setup = cfg_getbool(root, "host-setup") != 0;
  config.rloc_route_table = u32(root, "rloc-route-table");
  config.map_cache_max_entries = u32(root, "map-cache-max-entries");
  config.ms_replies_per_second = u32(root, "ms-replies-per-second");
  config.map_requests_per_second = u32(root, "map-requests-per-second");
  if (cfg_size(root, "xtr-id") > 0) {
    const std::string hex = str(root, "xtr-id");
    std::array<uint8_t, 16> id{};
    for (size_t i = 0; i < 16; ++i)
      id[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    config.xtr_id = id;
  }
  if (cfg_size(root, "site-id") > 0)
    config.site_id = static_cast<uint64_t>(cfg_getint(root, "site-id"));

  cfg_t* probing = cfg_getsec(root, "rloc-probing");
  if (probing) {
    config.rloc_probing = {u32(probing, "rloc-probe-interval"), u32(probing, "rloc-probe-retries"),
                           u32(probing, "rloc-probe-retries-interval")};
  }
  for_each_section(root, "map-server", [&](cfg_t* s) {
    config.map_servers.push_back({str(s, "address"), u8(s, "key-id"), u8(s, "key-type"),
                                  str(s, "key"), cfg_getbool(s, "proxy-reply") != 0});
  });
  // LISPmob's single proxy-etr section serves both families; OOR splits them.
  config.proxy_etrs_ipv4 = proxy_etrs(root, "proxy-etr-ipv4", 0);
  config.proxy_etrs_ipv6 = proxy_etrs(root, "proxy-etr-ipv6", 0);
  for (const auto& etr : proxy_etrs(root, "proxy-etr", 0)) {
    (etr.address.is_v4() ? config.proxy_etrs_ipv4 : config.proxy_etrs_ipv6).push_back(etr);
  }
  for_each_section(root, "database-mapping", [&](cfg_t* s) {
    DatabaseMapping mapping{
        prefix(s, "eid-prefix"), u32(s, "iid"), u32(s, "ttl"), rloc_addresses(s), {}};
    for_each_section(s, "rloc-iface", [&](cfg_t* iface) {
      mapping.rloc_interfaces.push_back(
          {str(iface, "interface"),
           cfg_getint(iface, "ip_version") == 6 ? net::IpFamily::kIpv6 : net::IpFamily::kIpv4,
           u8(iface, "priority"), u8(iface, "weight")});
    });
    // LISPmob 0.4: interface + priority_v4/weight_v4/priority_v6/weight_v6; -1 skips a family.
    if (cfg_size(s, "interface") > 0) {
      const std::string interface = str(s, "interface");
      if (cfg_getint(s, "priority_v4") >= 0) {
        mapping.rloc_interfaces.push_back(
            {interface, net::IpFamily::kIpv4, u8(s, "priority_v4"), u8(s, "weight_v4")});
      }
      if (cfg_getint(s, "priority_v6") >= 0) {
        mapping.rloc_interfaces.push_back(
            {interface, net::IpFamily::kIpv6, u8(s, "priority_v6"), u8(s, "weight_v6")});
      }
    }
    if (mapping.rloc_addresses.size() < cfg_size(s, "rloc-address")) {
      config.unsupported.push_back("database-mapping " + mapping.eid_prefix.to_string() +
                                   ": rloc-address naming an explicit-locator-path");
    }
    config.database_mappings.push_back(std::move(mapping));
  });
  auto static_mappings = [&](const char* name, std::vector<StaticMapping>& out) {
    for_each_section(root, name, [&](cfg_t* s) {
      StaticMapping mapping{prefix(s, "eid-prefix"), u32(s, "iid"), rloc_addresses(s)};
      if (cfg_size(s, "rloc") > 0) {  // LISPmob 0.4 flat form
        mapping.rlocs.push_back(
            {*net::IpAddress::parse(str(s, "rloc")), u8(s, "priority"), u8(s, "weight"), true});
      }
      out.push_back(std::move(mapping));
    });
  };
  static_mappings("static-map-cache", config.static_map_cache);
  static_mappings("ms-static-registered-site", config.ms_static_registered_sites);
  for_each_section(root, "lisp-site", [&](cfg_t* s) {
    config.lisp_sites.push_back({prefix(s, "eid-prefix"), u32(s, "iid"), u8(s, "key-id"),
                                 u8(s, "key-type"), str(s, "key"),
                                 cfg_getbool(s, "accept-more-specifics") != 0,
                                 cfg_getbool(s, "proxy-reply") != 0, cfg_getbool(s, "merge") != 0});
  });
  if (cfg_t* dpdk = cfg_getsec(root, "dpdk")) {
    config.dpdk = {str(dpdk, "eal-args"),       str(dpdk, "worker-lcores"), str(dpdk, "rloc-port"),
                   str(dpdk, "rloc-twin"),      u32(dpdk, "mbufs"),         u32(dpdk, "burst-size"),
                   u32(dpdk, "punt-ring-size"), u32(dpdk, "idle-sleep-us"), {},
                   str(dpdk, "lan-port"),       str(dpdk, "lan-twin")};
    for_each_section(dpdk, "rloc-link", [&](cfg_t* link) {
      config.dpdk.more_rloc_links.push_back({str(link, "port"), str(link, "twin")});
    });
  }
  for (const char* section : {"explicit-locator-path", "replication-list", "multicast-info",
                              "rtr-ms-node", "ms-rtr-node", "ms-rtrs-set", "ddt-auth-site",
                              "ddt-deleg-site", "ddt-root-node", "rtr-database-mapping"}) {
    if (cfg_size(root, section) > 0)
      config.unsupported.push_back(std::string("section '") + section + "'");
  }
  // Single sections always exist (with defaults): look at what they hold.
  if (cfg_size(cfg_getsec(root, "rtr-ifaces"), "rtr-iface") > 0) {
    config.unsupported.push_back("section 'rtr-ifaces'");
  }
  cfg_t* nat = cfg_getsec(root, "nat-traversal");
  if (cfg_getbool(nat, "nat_aware") || cfg_size(nat, "site_ID") > 0 ||
      cfg_size(nat, "xTR_ID") > 0) {
    config.unsupported.push_back("section 'nat-traversal'");
  }
  if (config.nat_traversal) config.unsupported.push_back("nat_traversal_support");
  if (config.vxlan_gpe) config.unsupported.push_back("encapsulation = VXLAN-GPE");
  if (config.mode == OperatingMode::kRtr) config.unsupported.push_back("operating-mode = RTR");
  derive_rloc_links(config);
  return config;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wpedantic"

absl::StatusOr<Config> parse(const std::function<int(cfg_t*)>& run, const std::string& name) {
  static cfg_opt_t rloc_address_opts[] = {
      CFG_STR("address", nullptr, CFGF_NODEFAULT), CFG_INT("priority", 1, CFGF_NONE),
      CFG_INT("weight", 100, CFGF_NONE), CFG_BOOL("local", cfg_true, CFGF_NONE), CFG_END()};
  static cfg_opt_t rloc_iface_opts[] = {
      CFG_STR("interface", nullptr, CFGF_NODEFAULT), CFG_INT("ip_version", 4, CFGF_NONE),
      CFG_INT("priority", 1, CFGF_NONE), CFG_INT("weight", 100, CFGF_NONE), CFG_END()};
  static cfg_opt_t database_mapping_opts[] = {
      CFG_STR("eid-prefix", nullptr, CFGF_NODEFAULT),
      CFG_INT("iid", 0, CFGF_NONE),
      CFG_INT("ttl", 10, CFGF_NONE),
      CFG_SEC("rloc-address", rloc_address_opts, CFGF_MULTI),
      CFG_SEC("rloc-iface", rloc_iface_opts, CFGF_MULTI),
      CFG_STR("interface", nullptr, CFGF_NODEFAULT),
      CFG_INT("priority_v4", 1, CFGF_NONE),
      CFG_INT("weight_v4", 100, CFGF_NONE),
      CFG_INT("priority_v6", -1, CFGF_NONE),
      CFG_INT("weight_v6", 100, CFGF_NONE),
      CFG_END()};
  static cfg_opt_t static_map_cache_opts[] = {
      CFG_STR("eid-prefix", nullptr, CFGF_NODEFAULT),
      CFG_INT("iid", 0, CFGF_NONE),
      CFG_SEC("rloc-address", rloc_address_opts, CFGF_MULTI),
      CFG_STR("rloc", nullptr, CFGF_NODEFAULT),
      CFG_INT("priority", 1, CFGF_NONE),
      CFG_INT("weight", 100, CFGF_NONE),
      CFG_END()};
  static cfg_opt_t map_server_opts[] = {CFG_STR("address", nullptr, CFGF_NODEFAULT),
                                        CFG_INT("key-type", 1, CFGF_NONE),
                                        CFG_INT("key-id", 0, CFGF_NONE),
                                        CFG_STR("key", nullptr, CFGF_NODEFAULT),
                                        CFG_BOOL("proxy-reply", cfg_false, CFGF_NONE),
                                        CFG_END()};
  static cfg_opt_t proxy_etr_opts[] = {CFG_STR("address", nullptr, CFGF_NODEFAULT),
                                       CFG_INT("priority", 1, CFGF_NONE),
                                       CFG_INT("weight", 100, CFGF_NONE), CFG_END()};
  static cfg_opt_t rloc_probing_opts[] = {
      CFG_INT("rloc-probe-interval", 0, CFGF_NONE), CFG_INT("rloc-probe-retries", 2, CFGF_NONE),
      CFG_INT("rloc-probe-retries-interval", 5, CFGF_NONE), CFG_END()};
  static cfg_opt_t lisp_site_opts[] = {CFG_STR("eid-prefix", nullptr, CFGF_NODEFAULT),
                                       CFG_INT("iid", 0, CFGF_NONE),
                                       CFG_INT("key-type", 1, CFGF_NONE),
                                       CFG_INT("key-id", 0, CFGF_NONE),
                                       CFG_STR("key", nullptr, CFGF_NODEFAULT),
                                       CFG_BOOL("accept-more-specifics", cfg_false, CFGF_NONE),
                                       CFG_BOOL("proxy-reply", cfg_false, CFGF_NONE),
                                       CFG_BOOL("merge", cfg_false, CFGF_NONE),
                                       CFG_BOOL("ddt-ms-peers-complete", cfg_true, CFGF_NONE),
                                       CFG_STR_LIST("ddt-ms-peers", nullptr, CFGF_NONE),
                                       CFG_END()};
  static cfg_opt_t rloc_link_opts[] = {CFG_STR("port", nullptr, CFGF_NODEFAULT),
                                       CFG_STR("twin", nullptr, CFGF_NODEFAULT), CFG_END()};
  static cfg_opt_t dpdk_opts[] = {
      CFG_STR("eal-args", "--no-huge --no-pci --no-shconf --no-telemetry -m 512", CFGF_NONE),
      CFG_STR("worker-lcores", "1", CFGF_NONE),
      CFG_STR("rloc-port", "", CFGF_NONE),
      CFG_STR("rloc-twin", "rloc0", CFGF_NONE),
      CFG_INT("mbufs", 16383, CFGF_NONE),
      CFG_INT("burst-size", 32, CFGF_NONE),
      CFG_INT("punt-ring-size", 1024, CFGF_NONE),
      CFG_INT("idle-sleep-us", 0, CFGF_NONE),
      CFG_SEC("rloc-link", rloc_link_opts, CFGF_MULTI),
      CFG_STR("lan-port", "", CFGF_NONE),
      CFG_STR("lan-twin", "lan0", CFGF_NONE),
      CFG_END()};
  // Accepted for LISPmob/OOR compatibility; reported in Config::unsupported.
  static cfg_opt_t elp_node_opts[] = {
      CFG_STR("address", nullptr, CFGF_NODEFAULT), CFG_BOOL("strict", cfg_false, CFGF_NONE),
      CFG_BOOL("probe", cfg_false, CFGF_NONE), CFG_BOOL("lookup", cfg_false, CFGF_NONE), CFG_END()};
  static cfg_opt_t elp_opts[] = {CFG_STR("elp-name", nullptr, CFGF_NODEFAULT),
                                 CFG_SEC("elp-node", elp_node_opts, CFGF_MULTI), CFG_END()};
  static cfg_opt_t rle_node_opts[] = {CFG_STR("address", nullptr, CFGF_NODEFAULT),
                                      CFG_INT("level", 0, CFGF_NONE), CFG_END()};
  static cfg_opt_t rle_opts[] = {CFG_STR("rle-name", nullptr, CFGF_NODEFAULT),
                                 CFG_SEC("rle-node", rle_node_opts, CFGF_MULTI), CFG_END()};
  static cfg_opt_t multicast_opts[] = {CFG_STR("mc-info-name", nullptr, CFGF_NODEFAULT),
                                       CFG_STR("source", nullptr, CFGF_NODEFAULT),
                                       CFG_INT("source-mask-length", 0, CFGF_NONE),
                                       CFG_STR("group", nullptr, CFGF_NODEFAULT),
                                       CFG_INT("group-mask-length", 0, CFGF_NONE),
                                       CFG_INT("iid", 0, CFGF_NONE),
                                       CFG_END()};
  static cfg_opt_t rtr_iface_opts[] = {
      CFG_STR("iface", nullptr, CFGF_NODEFAULT), CFG_INT("ip_version", 4, CFGF_NONE),
      CFG_INT("priority", 1, CFGF_NONE), CFG_INT("weight", 100, CFGF_NONE), CFG_END()};
  static cfg_opt_t rtr_ifaces_opts[] = {CFG_SEC("rtr-iface", rtr_iface_opts, CFGF_MULTI),
                                        CFG_END()};
  static cfg_opt_t rtr_ms_node_opts[] = {CFG_STR("address", nullptr, CFGF_NODEFAULT),
                                         CFG_STR("key", nullptr, CFGF_NODEFAULT),
                                         CFG_STR("draft-version", "OLD", CFGF_NONE), CFG_END()};
  static cfg_opt_t ms_rtr_node_opts[] = {CFG_STR("name", nullptr, CFGF_NODEFAULT),
                                         CFG_STR("address", nullptr, CFGF_NODEFAULT),
                                         CFG_STR("key", nullptr, CFGF_NODEFAULT), CFG_END()};
  static cfg_opt_t ms_rtrs_set_opts[] = {CFG_STR("name", nullptr, CFGF_NODEFAULT),
                                         CFG_INT("ttl", 1440, CFGF_NONE),
                                         CFG_STR_LIST("rtrs", nullptr, CFGF_NONE), CFG_END()};
  static cfg_opt_t ddt_auth_opts[] = {CFG_STR("eid-prefix", nullptr, CFGF_NODEFAULT),
                                      CFG_INT("iid", 0, CFGF_NONE), CFG_END()};
  static cfg_opt_t ddt_deleg_opts[] = {CFG_STR("eid-prefix", nullptr, CFGF_NODEFAULT),
                                       CFG_INT("iid", 0, CFGF_NONE),
                                       CFG_STR("delegation-type", "CHILD_DDT_NODE", CFGF_NONE),
                                       CFG_STR_LIST("deleg-nodes", nullptr, CFGF_NONE), CFG_END()};
  static cfg_opt_t ddt_root_opts[] = {CFG_STR("address", nullptr, CFGF_NODEFAULT),
                                      CFG_INT("priority", 1, CFGF_NONE),
                                      CFG_INT("weight", 100, CFGF_NONE), CFG_END()};
  static cfg_opt_t nat_opts[] = {CFG_BOOL("nat_aware", cfg_false, CFGF_NONE),
                                 CFG_STR("site_ID", nullptr, CFGF_NODEFAULT),
                                 CFG_STR("xTR_ID", nullptr, CFGF_NODEFAULT), CFG_END()};
  static cfg_opt_t root_opts[] = {
      CFG_INT("debug", 0, CFGF_NONE),
      CFG_STR("log-file", nullptr, CFGF_NODEFAULT),
      CFG_STR("metrics-listen", nullptr, CFGF_NODEFAULT),
      CFG_STR("operating-mode", nullptr, CFGF_NODEFAULT),
      CFG_BOOL("router-mode", cfg_false, CFGF_NODEFAULT),
      CFG_INT("map-request-retries", 2, CFGF_NONE),
      CFG_STR_LIST("map-resolver", nullptr, CFGF_NONE),
      CFG_STR_LIST("proxy-itrs", nullptr, CFGF_NONE),
      CFG_STR_LIST("allowed-dst-eids", nullptr, CFGF_NONE),
      CFG_STR_LIST("proxy-etr-sources", nullptr, CFGF_NONE),
      CFG_STR("ipv6-scope", "GLOBAL", CFGF_NONE),
      CFG_STR("encapsulation", "LISP", CFGF_NONE),
      CFG_STR("control-iface", nullptr, CFGF_NODEFAULT),
      CFG_BOOL("nat_traversal_support", cfg_false, CFGF_NONE),
      CFG_STR_LIST("ddt-root-addresses", nullptr, CFGF_NONE),
      CFG_STR("ms-advertised-rtrs-set", nullptr, CFGF_NODEFAULT),
      CFG_BOOL("ddt-client", cfg_false, CFGF_NONE),
      CFG_INT("control-port", 4342, CFGF_NONE),
      CFG_INT("rloc-probing-interval", 0, CFGF_NONE),
      CFG_STR("rtr-data-iface", nullptr, CFGF_NODEFAULT),
      CFG_BOOL("override-dns", cfg_false, CFGF_NONE),
      CFG_STR("override-dns-primary", nullptr, CFGF_NODEFAULT),
      CFG_STR("override-dns-secondary", nullptr, CFGF_NODEFAULT),
      CFG_STR("tap-iface", "lmn0", CFGF_NONE),
      CFG_INT("tap-mtu", 0, CFGF_NONE),
      CFG_BOOL("host-setup", cfg_true, CFGF_NONE),
      CFG_INT("rloc-route-table", 5, CFGF_NONE),
      CFG_INT("map-cache-max-entries", 65536, CFGF_NONE),
      CFG_INT("ms-replies-per-second", 1000, CFGF_NONE),
      CFG_INT("map-requests-per-second", 100, CFGF_NONE),
      CFG_STR("xtr-id", nullptr, CFGF_NODEFAULT),
      CFG_INT("site-id", 0, CFGF_NODEFAULT),
      CFG_SEC("rloc-probing", rloc_probing_opts, CFGF_NONE),
      CFG_SEC("map-server", map_server_opts, CFGF_MULTI),
      CFG_SEC("proxy-etr", proxy_etr_opts, CFGF_MULTI),
      CFG_SEC("proxy-etr-ipv4", proxy_etr_opts, CFGF_MULTI),
      CFG_SEC("proxy-etr-ipv6", proxy_etr_opts, CFGF_MULTI),
      CFG_SEC("database-mapping", database_mapping_opts, CFGF_MULTI),
      CFG_SEC("static-map-cache", static_map_cache_opts, CFGF_MULTI),
      CFG_SEC("lisp-site", lisp_site_opts, CFGF_MULTI),
      CFG_SEC("ms-static-registered-site", static_map_cache_opts, CFGF_MULTI),
      CFG_SEC("dpdk", dpdk_opts, CFGF_NONE),
      CFG_SEC("explicit-locator-path", elp_opts, CFGF_MULTI),
      CFG_SEC("replication-list", rle_opts, CFGF_MULTI),
      CFG_SEC("multicast-info", multicast_opts, CFGF_MULTI),
      CFG_SEC("rtr-ifaces", rtr_ifaces_opts, CFGF_NONE),
      CFG_SEC("rtr-ms-node", rtr_ms_node_opts, CFGF_MULTI),
      CFG_SEC("ms-rtr-node", ms_rtr_node_opts, CFGF_MULTI),
      CFG_SEC("ms-rtrs-set", ms_rtrs_set_opts, CFGF_MULTI),
      CFG_SEC("ddt-auth-site", ddt_auth_opts, CFGF_MULTI),
      CFG_SEC("ddt-deleg-site", ddt_deleg_opts, CFGF_MULTI),
      CFG_SEC("ddt-root-node", ddt_root_opts, CFGF_MULTI),
      CFG_SEC("nat-traversal", nat_opts, CFGF_NONE),
      CFG_SEC("rtr-database-mapping", database_mapping_opts, CFGF_MULTI),
      CFG_END()};
  static const bool checks_attached = (attach_checks(root_opts), true);
  (void)checks_attached;

  std::unique_ptr<cfg_t, decltype(&cfg_free)> cfg(cfg_init(root_opts, CFGF_NONE), cfg_free);
  if (!cfg) return absl::InternalError("cfg_init failed");
  cfg_set_error_function(cfg.get(), collect_error);
  std::string first_error;
  g_first_error = &first_error;
  g_file_name = &name;
  const int result = run(cfg.get());
  g_first_error = nullptr;
  g_file_name = nullptr;
  if (result == CFG_FILE_ERROR) return absl::NotFoundError(name + ": cannot read the file");
  if (result != CFG_SUCCESS) {
    return absl::InvalidArgumentError(first_error.empty() ? name + ": parse error" : first_error);
  }
  return convert(cfg.get(), name);
}

#pragma GCC diagnostic pop

}  // namespace

// `text` with every '#' comment blanked out up to its line's end, outside
// quoted strings. libconfuse's own lexer counts each '#' comment line three
// times (errors named the wrong line) and refuses one inside a list
// ("192.0.2.1,  # pxtr-1", as LISPmob 0.4's file has); blanked, neither
// happens, and every line keeps its number.
std::string without_hash_comments(std::string_view text) {
  std::string out(text);
  char quote = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (quote) {
      if (c == '\\' && i + 1 < out.size()) {
        ++i;
      } else if (c == quote || c == '\n') {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      for (; i < out.size() && out[i] != '\n'; ++i) out[i] = ' ';
    }
  }
  return out;
}

// The config's tokens as libconfuse's grammar sees them, for the checks
// it does not make: names, '{', '}', '=', "+=", other punctuation, and a
// string as one '"' token; C comments skipped ('#' ones are already blank).
struct ConfigToken {
  std::string text;
  int line;
};

std::vector<ConfigToken> config_tokens(std::string_view text) {
  constexpr std::string_view kNameChars = "_-.:/";
  auto name_char = [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kNameChars.find(c) != std::string_view::npos;
  };
  std::vector<ConfigToken> tokens;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      line++;
      i++;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      i++;
    } else if (c == '"' || c == '\'') {
      tokens.push_back({"\"", line});
      for (i++; i < text.size() && text[i] != c && text[i] != '\n';) i += text[i] == '\\' ? 2 : 1;
      i++;
    } else if (c == '/' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '*')) {
      const bool block = text[i + 1] == '*';
      for (i += 2; i < text.size(); ++i) {
        if (block && text[i] == '*' && i + 1 < text.size() && text[i + 1] == '/') {
          i += 2;
          break;
        }
        if (text[i] == '\n') {
          if (!block) break;
          line++;
        }
      }
    } else if (name_char(c)) {
      const size_t start = i;
      while (i < text.size() && name_char(text[i])) i++;
      tokens.push_back({std::string(text.substr(start, i - start)), line});
    } else if (c == '+' && i + 1 < text.size() && text[i + 1] == '=') {
      tokens.push_back({"+=", line});
      i += 2;
    } else {
      tokens.push_back({std::string(1, c), line});
      i++;
    }
  }
  return tokens;
}

// The line of the first '{' no '}' closes: libconfuse accepts a file that
// ends inside a section.
std::optional<int> unclosed_brace_line(const std::vector<ConfigToken>& tokens) {
  std::vector<int> open;
  for (const auto& token : tokens) {
    if (token.text == "{") open.push_back(token.line);
    if (token.text == "}" && !open.empty()) open.pop_back();
  }
  if (open.empty()) return std::nullopt;
  return open.front();
}

// A key set twice in one section (or at the top level): libconfuse keeps
// the last and says nothing, so an operator's edit can silently lose.
// Returns the line and key of the second, if any. Sections may repeat
// (map-server, database-mapping, ...); their keys count per instance.
std::optional<std::pair<int, std::string>> repeated_key(const std::vector<ConfigToken>& tokens) {
  std::vector<std::set<std::string>> frames(1);
  auto is_name = [](const std::string& text) {
    return std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_';
  };
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& token = tokens[i];
    if (token.text == "}") {
      if (frames.size() > 1) frames.pop_back();
      continue;
    }
    if (!is_name(token.text)) continue;
    if (tokens[i + 1].text == "=") {
      if (!frames.back().insert(token.text).second) return std::make_pair(token.line, token.text);
      // Skip the value; a list's braces are not a section.
      size_t j = i + 2;
      if (j < tokens.size() && tokens[j].text == "{") {
        while (j < tokens.size() && tokens[j].text != "}") j++;
      }
      i = j;
    } else if (tokens[i + 1].text == "{" || (i + 2 < tokens.size() && tokens[i + 2].text == "{")) {
      frames.emplace_back();
      i += tokens[i + 1].text == "{" ? 1 : 2;  // a titled section: name "title" {
    }
  }
  return std::nullopt;
}

absl::StatusOr<Config> load_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(path + ": is a directory, not a config file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::PermissionDeniedError(absl::StrCat(path, ": ", std::strerror(errno)));
  std::ostringstream text;
  text << file.rdbuf();
  return parse_text(text.str(), path);
}

absl::StatusOr<Config> parse_text(std::string_view text, const std::string& name) {
  const std::string buffer = without_hash_comments(text);
  const auto tokens = config_tokens(buffer);
  if (auto line = unclosed_brace_line(tokens)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s:%d: '{' is never closed", name, *line));
  }
  if (auto repeated = repeated_key(tokens)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s:%d: key '%s': set twice in the same section (the first would be lost)",
                        name, repeated->first, repeated->second));
  }
  return parse([&buffer](cfg_t* cfg) { return cfg_parse_buf(cfg, buffer.c_str()); }, name);
}

std::vector<RlocLink> Dpdk::rloc_links() const {
  std::vector<RlocLink> links = {{rloc_port, rloc_twin}};
  links.insert(links.end(), more_rloc_links.begin(), more_rloc_links.end());
  return links;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  std::string_view host = "127.0.0.1";
  std::string_view port_text = text;
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs []
  }
  const auto address = net::IpAddress::parse(host);
  uint32_t port = 0;
  if (!address || !absl::SimpleAtoi(std::string(port_text), &port) || port == 0 || port > 65535 ||
      port_text.empty() || !std::isdigit(static_cast<unsigned char>(port_text[0]))) {
    return std::nullopt;
  }
  if (text.starts_with('[') && !address->is_v6()) return std::nullopt;
  return ListenAddress{*address, static_cast<uint16_t>(port)};
}

bool runs_data_plane(OperatingMode mode) {
  return mode == OperatingMode::kMobileNode || mode == OperatingMode::kXtr ||
         mode == OperatingMode::kProxyEtr || mode == OperatingMode::kProxyItr;
}

bool has_lan_port(const Config& config) {
  return config.mode == OperatingMode::kXtr && !config.dpdk.lan_port.empty();
}

std::string start_problem(const Config& config) {
  const bool xtr = runs_data_plane(config.mode);
  if (xtr && config.dpdk.rloc_port.empty()) {
    return config.source + ": operating-mode " + to_string(config.mode) +
           " needs an RLOC port: the dpdk section's rloc-port, or a database-mapping "
           "rloc-iface to derive it from";
  }
  return "";
}

const char* to_string(OperatingMode mode) {
  switch (mode) {
    case OperatingMode::kMobileNode:
      return "MN";
    case OperatingMode::kXtr:
      return "xTR";
    case OperatingMode::kMapServer:
      return "MS";
    case OperatingMode::kRtr:
      return "RTR";
    case OperatingMode::kProxyEtr:
      return "PETR";
    case OperatingMode::kProxyItr:
      return "PITR";
  }
  return "?";
}

std::vector<std::string> unused_keys(const Config& config) {
  std::vector<std::string> out;
  auto unused = [&](bool set, const char* key, const char* why) {
    if (set) out.push_back(config.source + ": " + key + ": " + why);
  };
  const bool ms = config.mode == OperatingMode::kMapServer;
  const bool xtr = runs_data_plane(config.mode);
  const char* not_ms = "not used by a Map-Server";
  const char* not_xtr = "only a Map-Server uses it";
  unused(ms && !config.database_mappings.empty(), "database-mapping", not_ms);
  unused(ms && !config.static_map_cache.empty(), "static-map-cache", not_ms);
  unused(ms && !config.map_servers.empty(), "map-server", not_ms);
  unused(ms && !config.map_resolvers.empty(), "map-resolver", not_ms);
  unused(ms && !(config.proxy_etrs_ipv4.empty() && config.proxy_etrs_ipv6.empty()), "proxy-etr",
         not_ms);
  unused(xtr && !config.lisp_sites.empty(), "lisp-site", not_xtr);
  unused(xtr && !config.ms_static_registered_sites.empty(), "ms-static-registered-site", not_xtr);
  unused(xtr && !config.control_iface.empty(), "control-iface", not_xtr);
  unused(ms && !config.proxy_itrs.empty(), "proxy-itrs", not_ms);
  unused(ms && !config.allowed_dst_eids.empty(), "allowed-dst-eids", not_ms);
  unused(config.mode != OperatingMode::kMobileNode && config.mode != OperatingMode::kProxyItr &&
             !ms && !config.allowed_dst_eids.empty(),
         "allowed-dst-eids", "only a mobile node or a PITR routes traffic into lmn0");
  unused(ms && config.xtr_id.has_value(), "xtr-id", not_ms);
  unused(config.mode != OperatingMode::kProxyEtr && !config.proxy_etr_sources.empty(),
         "proxy-etr-sources", "only a Proxy-ETR filters what it decapsulates by source");
  // The data plane holds 16 (LocalState::kMaxServedSources).
  unused(config.proxy_etr_sources.size() > 16, "proxy-etr-sources",
         "the prefixes beyond the first 16 are not used");
  unused(config.mode != OperatingMode::kXtr && !config.dpdk.lan_port.empty(), "lan-port",
         "only an xTR has a LAN port (its EID side)");
  unused(config.site_id.has_value() && !config.xtr_id.has_value(), "site-id",
         "sent only with an xtr-id (the I bit carries both)");
  return out;
}

}  // namespace lispmob::config
