// lispctl [-s CONTROL-SOCKET] COMMAND...
//
// Asks a running lispd and prints its answer. The commands are the running
// role's: MS "show sites|registrations|counters"; MN/xTR "show
// map-cache|counters|local|map-servers|control", "lookup EID [IID]".
#include <unistd.h>

#include <cstdio>
#include <string>

#include "control/api_socket.h"

int main(int argc, char** argv) {
  std::string path = "/run/lispmob/lispd.sock";
  int option;
  while ((option = getopt(argc, argv, "s:h")) != -1) {
    if (option == 's') {
      path = optarg;
    } else {
      std::fprintf(stderr,
                   "usage: lispctl [-s CONTROL-SOCKET] COMMAND...\n"
                   "  MS:     show sites | show registrations | show counters\n"
                   "  MN/xTR: show map-cache | lookup EID [IID] | show counters | show local |\n"
                   "          show map-servers | show control\n");
      return 2;
    }
  }
  std::string command;
  for (int i = optind; i < argc; ++i)
    command += (command.empty() ? "" : " ") + std::string(argv[i]);
  if (command.empty()) command = "show counters";
  auto answer = lispmob::control::api_request(path, command);
  if (!answer.ok()) {
    std::fprintf(stderr, "lispctl: %s\n", std::string(answer.status().message()).c_str());
    return 1;
  }
  std::fputs(answer->c_str(), stdout);
  return answer->rfind("unknown command", 0) == 0 ? 2 : 0;
}
