// lispd -f lispmob.conf [-d 0..3] [-p PORT] [-s SOCKET] [-D [-P PIDFILE]]
// lispd --check-config FILE | --help | --version
//
// The lispmob daemon. operating-mode MS serves the Map-Server and
// Map-Resolver on UDP 4342. MN and xTR run the DPDK data plane (lmn0, the
// RLOC ports and their kernel twins) under the MN/xTR control loop
// (control/xtr/xtr_daemon.h); a build without the data plane serves MS only.
// The command line is parsed by CLI11 (Debian's libcli11-dev): typed,
// range-checked options and a --help generated from them.
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "common/config/config.h"
#include "common/log/log.h"
#include "control/api_socket.h"
#include "control/ms/map_server_service.h"
#include "tools/command_line.h"
#include "tools/daemon.h"
#include "tools/lispd_config.h"
#include "tools/lispd_dataplane.h"

namespace {

using namespace lispmob;

constexpr const char* kUsage =
    "usage: lispd -f CONFIG [-d 0..3] [-p PORT] [-s SOCKET] [-D [-P PIDFILE]]\n"
    "       lispd --check-config CONFIG | --help | --version\n";

struct Arguments {
  std::string config_path;
  std::string check_path;
  int debug = -1;
  int port = lisp::kControlPort;
  std::string api_path = "/run/lispmob/lispd.sock";
  bool daemonize = false;
  std::string pid_path;
};

// The file's warnings: keys accepted but not implemented, and keys the
// operating mode does not use.
void warn_about_unused(const config::Config& config) {
  for (const auto& feature : config.unsupported) {
    log::warning("lispd", "%s: not implemented, ignored", feature.c_str());
  }
  for (const auto& key : config::unused_keys(config)) log::warning("lispd", "%s", key);
}

// lispd --check-config FILE, like nginx -t: 0 if lispd would start with it.
int check_config(const std::string& path) {
  auto config = config::load_file(path);
  if (!config.ok()) {
    std::fprintf(stderr, "lispd: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  warn_about_unused(*config);
  if (const std::string problem = config::start_problem(*config); !problem.empty()) {
    std::fprintf(stderr, "lispd: %s\n", problem.c_str());
    return 1;
  }
  if (!config->derived_rloc_links.empty()) {
    std::printf("%s: %s\n", path.c_str(), config->derived_rloc_links.c_str());
  }
  std::printf("%s: ok (operating-mode %s)\n", path.c_str(), config::to_string(config->mode));
  return 0;
}

std::string absolute(const std::string& path) {
  return path.empty() ? path : std::filesystem::absolute(path).string();
}

int run_map_server(const config::Config& config, int port, control::OperatorOptions operators) {
  auto service = control::MapServerService::create(tools::map_server_config_of(config),
                                                   static_cast<uint16_t>(port), operators);
  if (!service.ok()) {
    log::error("lispd", "%s", service.status().message());
    return 1;
  }
  log::info("lispd", "Map-Server/Map-Resolver with %zu site(s) on UDP %d",
            (*service)->server().sites().size(), port);
  auto reload = [path = config.source]() -> absl::StatusOr<control::MapServerConfig> {
    log::info("lispd", "reloading %s", path);
    auto next = config::load_file(path);
    if (!next.ok()) return next.status();
    return tools::map_server_config_of(*next);
  };
  if (auto status = (*service)->run(reload); !status.ok()) {
    log::error("lispd", "%s", status.message());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that hangs up (a lispctl or /metrics client) must never kill the
  // daemon: writes to it fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  Arguments arguments;
  CLI::App app{"lispd: LISP Mobile Node, xTR and Map-Server/Map-Resolver (RFC 9300, 9301)",
               "lispd"};
  app.add_option("-f,--config", arguments.config_path,
                 "the lispmob.conf to run (LISPmob and OOR files load too)")
      ->type_name("FILE");
  app.add_option("--check-config", arguments.check_path,
                 "parse and validate FILE, print its warnings, exit 0 or 1")
      ->type_name("FILE");
  app.add_option("-d,--debug", arguments.debug,
                 "0 (warnings) .. 3 (every message); overrides the file's debug")
      ->type_name("LEVEL")
      ->check(CLI::Range(0, 3));
  app.add_option("-p,--port", arguments.port, "the Map-Server's UDP port (default 4342)")
      ->type_name("PORT")
      ->check(CLI::Range(1, 65535));
  app.add_option("-s,--socket", arguments.api_path,
                 "lispctl's control socket (default /run/lispmob/lispd.sock)")
      ->type_name("PATH");
  app.add_flag("-D,--daemonize", arguments.daemonize,
               "detach once serving; log to syslog unless the file sets log-file");
  app.add_option("-P,--pid-file", arguments.pid_path, "write lispd's pid here while it runs")
      ->type_name("PIDFILE");
  tools::add_version_flag(app, "lispd");
  app.footer("Signals: SIGINT/SIGTERM stop (undoing the host set-up), SIGHUP reloads the config.");
  if (auto exit_status = tools::parse_command_line(app, argc, argv, "lispd", kUsage)) {
    return *exit_status;
  }
  if (!arguments.check_path.empty()) return check_config(arguments.check_path);
  if (arguments.config_path.empty()) {
    std::fprintf(stderr, "lispd: -f CONFIG is needed\nRun lispd --help for the options.\n");
    return 2;
  }
  // Before anything else: a second lispd must not take over the first
  // one's control socket, pid file, UDP port or ports.
  if (control::ApiSocket::in_use(arguments.api_path)) {
    std::fprintf(stderr, "lispd: another lispd is running: %s answers\n",
                 arguments.api_path.c_str());
    return 1;
  }
  std::optional<tools::PidFile> pid_file;
  if (!arguments.pid_path.empty()) {
    pid_file.emplace(absolute(arguments.pid_path));
    if (auto status = pid_file->check(); !status.ok()) {
      std::fprintf(stderr, "lispd: %s\n", std::string(status.message()).c_str());
      return 1;
    }
  }
  auto config = config::load_file(absolute(arguments.config_path));
  if (!config.ok()) {
    log::error("lispd", "%s", config.status().message());
    return 1;
  }
  if (arguments.debug >= 0) config->debug = arguments.debug;
  if (auto status = log::configure("lispd", config->debug, config->log_file, arguments.daemonize);
      !status.ok()) {
    log::warning("lispd", "%s", status.message());
  }
  log::report_fatal_signals();
  warn_about_unused(*config);
  if (const std::string problem = config::start_problem(*config); !problem.empty()) {
    log::error("lispd", "%s", problem);
    return 1;
  }
  if (!config->derived_rloc_links.empty()) {
    log::info("lispd", "%s: %s", config->source, config->derived_rloc_links);
  }
  const std::string api_path = absolute(arguments.api_path);
  if (api_path.rfind("/run/lispmob/", 0) == 0) mkdir("/run/lispmob", 0755);
  if (arguments.daemonize) {
    if (auto status = tools::Daemon::detach(); !status.ok()) {
      log::error("lispd", "%s", status.message());
      return 1;
    }
  }
  control::OperatorOptions operators;
  operators.api_path = api_path;
  if (config->metrics_listen) {
    operators.metrics_listen =
        control::Endpoint{config->metrics_listen->address, config->metrics_listen->port};
  }
  operators.on_ready = [&pid_file] {
    if (pid_file) {
      if (auto status = pid_file->write(); !status.ok())
        log::error("lispd", "%s", status.message());
    }
    tools::Daemon::ready();
  };
  int result = 2;
  if (config::runs_data_plane(config->mode)) {
    result = tools::run_data_plane(*config, argv[0], operators);
  } else if (config->mode == config::OperatingMode::kMapServer) {
    result = run_map_server(*config, arguments.port, operators);
  } else {
    log::error("lispd", "operating-mode %s is not implemented", config::to_string(config->mode));
    return result;
  }
  pid_file.reset();
  // The last line: everything, the pid file included, is undone.
  log::info("lispd", "stopped (exit status %d)", result);
  return result;
}
