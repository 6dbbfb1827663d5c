// lispd -f lispmob.conf [-d 0..3]
//
// The lispmob daemon. operating-mode MS serves the Map-Server and
// Map-Resolver on UDP 4342. MN and xTR run the DPDK data plane (lmn0, the
// RLOC ports and their kernel twins) under the MN/xTR control loop
// (control/xtr/xtr_node.h); a build without the data plane serves MS only.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/config/config.h"
#include "common/log/log.h"

#include <vector>

#include "control/ms/map_server_service.h"
#include "control/stop_signals.h"
#include "tools/lispd_dataplane.h"

namespace {

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
    log::error("lispd", "%s", config.status().message());
    return 1;
  }
  if (debug >= 0) config->debug = debug;
  if (auto status = log::configure("lispd", config->debug, config->log_file); !status.ok()) {
    log::warning("lispd", "%s", status.message());
  }
  for (const auto& feature : config->unsupported) {
    log::warning("lispd", "%s: not implemented, ignored", feature.c_str());
  }
  for (const auto& key : config::unused_keys(*config)) log::warning("lispd", "%s", key);
  if (config->mode == config::OperatingMode::kMobileNode ||
      config->mode == config::OperatingMode::kXtr) {
    if (api_path.rfind("/run/lispmob/", 0) == 0) mkdir("/run/lispmob", 0755);
    return lispmob::tools::run_data_plane(*config, argv[0], api_path);
  }
  if (config->mode != config::OperatingMode::kMapServer) {
    log::error("lispd", "operating-mode %s is not implemented", config::to_string(config->mode));
    return 2;
  }
  if (api_path.rfind("/run/lispmob/", 0) == 0) mkdir("/run/lispmob", 0755);
  auto service = control::MapServerService::create(*config, static_cast<uint16_t>(port), api_path);
  if (!service.ok()) {
    log::error("lispd", "%s", service.status().message());
    return 1;
  }
  log::info("lispd", "Map-Server/Map-Resolver with %zu site(s) on UDP %d",
            (*service)->server().sites().size(), port);
  if (auto status = (*service)->run(); !status.ok()) {
    log::error("lispd", "%s", status.message());
    return 1;
  }
  return 0;
}
