#include "tools/lispd_dataplane.h"
#include "common/log/log.h"

#include <rte_eal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "absl/strings/str_split.h"
#include "control/stop_signals.h"
#include "control/xtr/xtr_daemon.h"
#include "dataplane/service.h"
#include "tools/lispd_config.h"

namespace lispmob::tools {
namespace {

// The EAL arguments the config asks for: its eal-args, the main lcore 0
// and the worker lcores.
std::vector<std::string> eal_arguments(const config::Config& config, const std::string& program) {
  std::vector<std::string> args = {program};
  for (auto part : absl::StrSplit(config.dpdk.eal_args, ' ', absl::SkipEmpty())) {
    args.emplace_back(part);
  }
  args.push_back("-l");
  args.push_back("0," + config.dpdk.worker_lcores);
  return args;
}

// The data plane's part of the config, projected once.
dataplane::DataplaneConfig dataplane_config(const config::Config& config) {
  dataplane::DataplaneConfig out;
  for (const auto& link : config.dpdk.rloc_links())
    out.rloc_links.push_back({link.port, link.twin});
  out.eid_interface = config.tap_iface;
  out.map_cache_max_entries = config.map_cache_max_entries;
  out.mbufs = config.dpdk.mbufs;
  out.punt_ring_size = config.dpdk.punt_ring_size;
  out.burst_size = config.dpdk.burst_size;
  out.idle_sleep_us = config.dpdk.idle_sleep_us;
  return out;
}

}  // namespace

int run_data_plane(const config::Config& config, const char* program,
                   const control::OperatorOptions& operators) {
  // Block the stop signals before EAL starts its threads, so they inherit
  // the mask and SIGINT/SIGTERM reach only the control loop's signalfd.
  control::block_control_signals();
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
      log::info("lispd", "%s data plane on %s, EID port %s", config::to_string(config.mode),
                config.dpdk.rloc_port.c_str(), config.tap_iface.c_str());
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
