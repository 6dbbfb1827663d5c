#include "tools/lispd_dataplane.h"

#include <net/if.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "control/stop_signals.h"
#include "control/xtr/xtr_daemon.h"
#include "dataplane/service.h"
#include "tools/lispd_config.h"

namespace lispmob::tools {
namespace {

// The EAL arguments the config asks for: quiet logs below debug 3, its
// eal-args, the main lcore 0 and the worker lcores.
std::vector<std::string> eal_arguments(const config::Config& config, const std::string& program) {
  std::vector<std::string> args = {program};
  // EAL's start-up lines and net_tap's "could not add multiq qdisc" (a
  // kernel without sch_multiq; the tap works without it) are noise below
  // -d 3. Given first, so eal-args' own --log-level still wins.
  if (config.debug < 3) {
    args.push_back("--log-level=lib.eal:error");
    args.push_back("--log-level=pmd.net.tap:crit");
  }
  for (auto part : absl::StrSplit(config.dpdk.eal_args, ' ', absl::SkipEmpty())) {
    args.emplace_back(part);
  }
  // --lcores rather than -l: "1,2@1" (two workers on CPU 1) works as well
  // as a plain list.
  args.push_back("--lcores");
  args.push_back("0," + config.dpdk.worker_lcores);
  return args;
}

// The data plane's part of the config, projected once.
dataplane::DataplaneConfig dataplane_config(const config::Config& config) {
  dataplane::DataplaneConfig out;
  for (const auto& link : config.dpdk.rloc_links())
    out.rloc_links.push_back({link.port, link.twin});
  out.eid_interface = config.tap_iface;
  if (config::has_lan_port(config)) {
    out.lan_port = config.dpdk.lan_port;
    out.lan_twin = config.dpdk.lan_twin;
  }
  out.map_cache_max_entries = config.map_cache_max_entries;
  out.mbufs = config.dpdk.mbufs;
  out.punt_ring_size = config.dpdk.punt_ring_size;
  out.burst_size = config.dpdk.burst_size;
  out.idle_sleep_us = config.dpdk.idle_sleep_us;
  out.workers = rte_lcore_count() > 1 ? rte_lcore_count() - 1 : 1;  // every EAL worker lcore
  return out;
}

// /proc/self/status's CapEff: the capabilities this process holds.
uint64_t effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) return std::strtoull(line.c_str() + 7, nullptr, 16);
  }
  return 0;
}

// The devargs' "iface=NAME", if any.
std::string iface_of(const std::string& devargs) {
  for (auto part : absl::StrSplit(devargs, ',')) {
    if (absl::StartsWith(part, "iface=")) return std::string(part.substr(6));
  }
  return "";
}

bool looks_like_pci(const std::string& name) {
  return std::count(name.begin(), name.end(), ':') >= 1 && name.find('.') != std::string::npos &&
         name.rfind("net_", 0) != 0;
}

// What would make EAL or a port fail with a message that does not say why
// ("Operation not permitted" for an interface that does not exist): one
// line naming the problem and its fix, or "".
std::string preflight(const config::Config& config) {
  constexpr uint64_t kNetAdmin = 1ull << 12, kNetRaw = 1ull << 13;
  const uint64_t capabilities = effective_capabilities();
  if ((capabilities & (kNetAdmin | kNetRaw)) != (kNetAdmin | kNetRaw)) {
    return "operating-mode " + std::string(config::to_string(config.mode)) +
           " needs root, or the capabilities CAP_NET_ADMIN (taps, routes, rules) and CAP_NET_RAW "
           "(af_packet ports)";
  }
  for (const auto& link : config.dpdk.rloc_links()) {
    const std::string iface = iface_of(link.port);
    if (!iface.empty() && if_nametoindex(iface.c_str()) == 0) {
      return "rloc-port " + link.port + ": no interface " + iface + " on this host";
    }
    const std::string name = link.port.substr(0, link.port.find(','));
    if (looks_like_pci(name) && !std::filesystem::exists("/sys/bus/pci/devices/" + name)) {
      return "rloc-port " + link.port + ": no PCI device " + name + " on this host";
    }
  }
  if (const std::string iface = iface_of(config.dpdk.lan_port);
      config::has_lan_port(config) && !iface.empty() && if_nametoindex(iface.c_str()) == 0) {
    return "lan-port " + config.dpdk.lan_port + ": no interface " + iface + " on this host";
  }
  if (config.dpdk.eal_args.find("--no-huge") == std::string::npos) {
    uint64_t free_pages = 0;
    std::error_code error;
    for (const auto& size :
         std::filesystem::directory_iterator("/sys/kernel/mm/hugepages", error)) {
      std::ifstream file(size.path() / "free_hugepages");
      uint64_t pages = 0;
      if (file >> pages) free_pages += pages;
    }
    if (free_pages == 0) {
      return "no free hugepages: reserve some (echo 512 > "
             "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages), or run without them "
             "(--no-huge -m 512 in the dpdk section's eal-args)";
    }
  }
  return "";
}

}  // namespace

int run_data_plane(const config::Config& config, const char* program,
                   const control::OperatorOptions& operators) {
  // Block the stop signals before EAL starts its threads, so they inherit
  // the mask and SIGINT/SIGTERM reach only the control loop's signalfd.
  control::block_control_signals();
  if (const std::string problem = preflight(config); !problem.empty()) {
    log::error("lispd", "%s", problem);
    return 1;
  }
  const auto args = eal_arguments(config, program);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    log::error("lispd", "DPDK EAL initialisation failed");
    return 1;
  }
  int result = 0;
  {
    auto service = dataplane::DataplaneService::create(dataplane_config(config));
    if (!service.ok()) {
      log::error("lispd", "%s", service.status().message());
      result = 1;
    } else {
      const bool lan = config::has_lan_port(config);
      log::info("lispd", "%s data plane on %s, EID port %s", config::to_string(config.mode),
                config.dpdk.rloc_port.c_str(),
                lan ? (config.dpdk.lan_port + " (LAN, twin " + config.dpdk.lan_twin + ")").c_str()
                    : config.tap_iface.c_str());
      auto reload = [&config]() -> absl::StatusOr<control::XtrConfig> {
        log::info("lispd", "reloading %s", config.source);
        auto next = config::load_file(config.source);
        if (!next.ok()) return next.status();
        return xtr_config_of(*next);
      };
      if (auto status = control::run_xtr_node(xtr_config_of(config), **service, operators, reload);
          !status.ok()) {
        log::error("lispd", "%s", status.message());
        result = 1;
      }
      const auto counters = (*service)->counters();
      log::info("lispd", "encapsulated %lu, decapsulated %lu, misses %lu",
                static_cast<unsigned long>(counters.encapsulated),
                static_cast<unsigned long>(counters.decapsulated),
                static_cast<unsigned long>(counters.map_cache_miss));
    }
  }
  // EAL leaves its runtime directory (/var/run/dpdk/<file-prefix>) behind
  // even when it held nothing (--no-shconf): removed when empty, so a
  // stopped lispd leaves nothing in /var/run/dpdk.
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  if (::rmdir(runtime_dir.c_str()) == 0) {
    ::rmdir(std::filesystem::path(runtime_dir).parent_path().c_str());  // only if empty too
  }
  return result;
}

}  // namespace lispmob::tools
