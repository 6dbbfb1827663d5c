// lispd -f lispmob.conf [-d 0..3]
//
// The lispmob daemon. operating-mode MS serves the Map-Server and
// Map-Resolver on UDP 4342. MN and xTR run the DPDK data plane (lmn0, the
// RLOC port and its kernel twin) with the mappings the configuration gives;
// registration and resolution arrive with the control-plane roles.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <rte_eal.h>
#include "common/config/config.h"

#include <vector>

#include "control/map_server_service.h"
#include "control/stop_signals.h"
#include "control/xtr_node.h"
#include "dataplane/service.h"

namespace {

int run_data_plane(const lispmob::config::Config& config, const char* program,
                   const std::string& api_path) {
  using namespace lispmob;
  if (config.dpdk.rloc_port.empty()) {
    std::fprintf(stderr, "lispd: %s: the dpdk section needs rloc-port\n", config.source.c_str());
    return 1;
  }
  // Block the stop signals before EAL starts its threads, so they inherit
  // the mask and SIGINT/SIGTERM reach only the control loop's signalfd.
  close(control::stop_signal_fd());
  const auto args = dataplane::eal_arguments(config, program);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    std::fprintf(stderr, "lispd: DPDK EAL initialisation failed\n");
    return 1;
  }
  int result = 0;
  {
    auto service = dataplane::DataplaneService::start(config);
    if (!service.ok()) {
      std::fprintf(stderr, "lispd: %s\n", std::string(service.status().message()).c_str());
      result = 1;
    } else {
      std::fprintf(stderr, "lispd: %s data plane on %s, EID port %s\n",
                   config::to_string(config.mode), config.dpdk.rloc_port.c_str(),
                   config.tap_iface.c_str());
      if (auto status = control::run_xtr_node(config, **service, api_path); !status.ok()) {
        std::fprintf(stderr, "lispd: %s\n", std::string(status.message()).c_str());
        result = 1;
      }
      const auto counters = (*service)->counters();
      std::fprintf(stderr, "lispd: encapsulated %lu, decapsulated %lu, misses %lu\n",
                   static_cast<unsigned long>(counters.encapsulated),
                   static_cast<unsigned long>(counters.decapsulated),
                   static_cast<unsigned long>(counters.map_cache_miss));
    }
  }
  rte_eal_cleanup();
  return result;
}

void usage() {
  std::fprintf(stderr, "usage: lispd -f CONFIG [-d 0..3] [-p PORT] [-s CONTROL-SOCKET]\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lispmob;
  std::string config_path;
  int debug = -1;
  int port = lisp::kControlPort;
  std::string api_path = "/run/lispmob/lispd.sock";
  int option;
  while ((option = getopt(argc, argv, "f:d:p:s:h")) != -1) {
    switch (option) {
      case 'f':
        config_path = optarg;
        break;
      case 'd':
        debug = std::atoi(optarg);
        break;
      case 'p':
        port = std::atoi(optarg);
        break;
      case 's':
        api_path = optarg;
        break;
      default:
        usage();
        return 2;
    }
  }
  if (config_path.empty()) {
    usage();
    return 2;
  }
  auto config = config::load_file(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "lispd: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  if (debug >= 0) config->debug = debug;
  for (const auto& feature : config->unsupported) {
    std::fprintf(stderr, "lispd: warning: %s: not implemented, ignored\n", feature.c_str());
  }
  if (config->mode == config::OperatingMode::kMobileNode ||
      config->mode == config::OperatingMode::kXtr) {
    if (api_path.rfind("/run/lispmob/", 0) == 0) mkdir("/run/lispmob", 0755);
    return run_data_plane(*config, argv[0], api_path);
  }
  if (config->mode != config::OperatingMode::kMapServer) {
    std::fprintf(stderr, "lispd: operating-mode %s is not implemented\n",
                 config::to_string(config->mode));
    return 2;
  }
  if (api_path.rfind("/run/lispmob/", 0) == 0) mkdir("/run/lispmob", 0755);
  auto service = control::MapServerService::create(*config, static_cast<uint16_t>(port), api_path);
  if (!service.ok()) {
    std::fprintf(stderr, "lispd: %s\n", std::string(service.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "lispd: Map-Server/Map-Resolver with %zu site(s) on UDP %d\n",
               (*service)->server().sites().size(), port);
  if (auto status = (*service)->run(); !status.ok()) {
    std::fprintf(stderr, "lispd: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
