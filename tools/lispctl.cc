// lispctl [-s CONTROL-SOCKET] [-j] COMMAND...
//
// Asks a running lispd and prints its answer, as text or (-j, --json) as
// JSON. The commands are the running role's; "lispctl help" lists them.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "control/api_socket.h"

int main(int argc, char** argv) {
  std::string path = "/run/lispmob/lispd.sock";
  bool json = false;
  int option;
  const struct option long_options[] = {{"socket", required_argument, nullptr, 's'},
                                        {"json", no_argument, nullptr, 'j'},
                                        {"help", no_argument, nullptr, 'h'},
                                        {nullptr, 0, nullptr, 0}};
  while ((option = getopt_long(argc, argv, "+s:jh", long_options, nullptr)) != -1) {
    if (option == 's') {
      path = optarg;
    } else if (option == 'j') {
      json = true;
    } else {
      std::fprintf(
          stderr,
          "usage: lispctl [-s CONTROL-SOCKET] [-j] COMMAND...   (-j: JSON; 'help' lists them)\n"
          "  MS:     show sites | show registrations | show counters\n"
          "  MN/xTR: show map-cache | lookup EID [IID] | show counters | show local |\n"
          "          show map-servers | show control\n");
      return 2;
    }
  }
  std::string command;
  for (int i = optind; i < argc; ++i) {
    command += (command.empty() ? "" : " ") + std::string(argv[i]);
  }
  if (command.empty()) command = "show counters";
  auto answer = lispmob::control::api_request(path, json ? "json " + command : command);
  if (!answer.ok()) {
    std::fprintf(stderr, "lispctl: %s\n", std::string(answer.status().message()).c_str());
    return 1;
  }
  std::fputs(answer->c_str(), stdout);
  const bool refused = answer->rfind("unknown command", 0) == 0 ||
                       answer->rfind("{\"error\":\"unknown command", 0) == 0;
  return refused ? 2 : 0;
}
