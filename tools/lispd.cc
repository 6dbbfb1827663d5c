// lispd -f lispmob.conf [-d 0..3] [-p PORT] [-s CONTROL-SOCKET]; lispd --help
//
// The lispmob daemon. operating-mode MS serves the Map-Server and
// Map-Resolver on UDP 4342. MN and xTR run the DPDK data plane (lmn0, the
// RLOC ports and their kernel twins) under the MN/xTR control loop
// (control/xtr/xtr_node.h); a build without the data plane serves MS only.
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/log/log.h"
#include "control/api_socket.h"
#include "control/ms/map_server_service.h"
#include "tools/lispd_config.h"
#include "tools/lispd_dataplane.h"

namespace {

constexpr const char* kUsage =
    "usage: lispd -f CONFIG [-d 0..3] [-p PORT] [-s CONTROL-SOCKET]\n"
    "  -f, --config FILE      the lispmob.conf to run (LISPmob and OOR files load too)\n"
    "  -d, --debug LEVEL      0 (warnings) .. 3 (every message); overrides the file's debug\n"
    "  -p, --port PORT        the Map-Server's UDP port (default 4342)\n"
    "  -s, --socket PATH      lispctl's control socket (default /run/lispmob/lispd.sock)\n"
    "  -h, --help             this text\n"
    "Signals: SIGINT/SIGTERM stop (undoing the host set-up), SIGHUP reloads the config.\n";

// `text` as a whole number in [low, high], or nullopt.
std::optional<long> number_in(const char* text, long low, long high) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lispmob;
  std::string config_path;
  int debug = -1;
  int port = lisp::kControlPort;
  std::string api_path = "/run/lispmob/lispd.sock";
  const option long_options[] = {
      {"config", required_argument, nullptr, 'f'}, {"debug", required_argument, nullptr, 'd'},
      {"port", required_argument, nullptr, 'p'},   {"socket", required_argument, nullptr, 's'},
      {"help", no_argument, nullptr, 'h'},         {nullptr, 0, nullptr, 0}};
  int option;
  while ((option = getopt_long(argc, argv, "f:d:p:s:h", long_options, nullptr)) != -1) {
    switch (option) {
      case 'f':
        config_path = optarg;
        break;
      case 'd': {
        auto level = number_in(optarg, 0, 3);
        if (!level) {
          std::fprintf(stderr, "lispd: -d %s: the debug level is 0, 1, 2 or 3\n", optarg);
          return 2;
        }
        debug = static_cast<int>(*level);
        break;
      }
      case 'p': {
        auto number = number_in(optarg, 1, 65535);
        if (!number) {
          std::fprintf(stderr, "lispd: -p %s: a UDP port is a number from 1 to 65535\n", optarg);
          return 2;
        }
        port = static_cast<int>(*number);
        break;
      }
      case 's':
        api_path = optarg;
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        return 0;
      default:
        std::fputs(kUsage, stderr);
        return 2;
    }
  }
  if (optind < argc) {
    std::fprintf(stderr, "lispd: unexpected argument '%s'\n%s", argv[optind], kUsage);
    return 2;
  }
  if (config_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  // Before anything else: a second lispd must not take over the first
  // one's control socket, UDP port or ports.
  if (control::ApiSocket::in_use(api_path)) {
    std::fprintf(stderr, "lispd: another lispd is running: %s answers\n", api_path.c_str());
    return 1;
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
  auto service = control::MapServerService::create(tools::map_server_config_of(*config),
                                                   static_cast<uint16_t>(port), api_path);
  if (!service.ok()) {
    log::error("lispd", "%s", service.status().message());
    return 1;
  }
  log::info("lispd", "Map-Server/Map-Resolver with %zu site(s) on UDP %d",
            (*service)->server().sites().size(), port);
  auto reload = [&config_path]() -> absl::StatusOr<control::MapServerConfig> {
    log::info("lispd", "reloading %s", config_path);
    auto next = config::load_file(config_path);
    if (!next.ok()) return next.status();
    return tools::map_server_config_of(*next);
  };
  if (auto status = (*service)->run(reload); !status.ok()) {
    log::error("lispd", "%s", status.message());
    return 1;
  }
  return 0;
}
