// lispctl [-s CONTROL-SOCKET] [-j] COMMAND...
//
// Asks a running lispd and prints its answer, as text or (-j, --json) as
// JSON. The commands are the running role's; "lispctl help" lists them.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#ifndef LISPMOB_VERSION
#define LISPMOB_VERSION "unknown"
#endif

namespace {

constexpr const char* kUsage =
    "usage: lispctl [-s CONTROL-SOCKET] [-j] COMMAND...   ('lispctl help': the running role's)\n"
    "  -s, --socket PATH   lispd's control socket (default /run/lispmob/lispd.sock)\n"
    "  -j, --json          the answer as JSON\n"
    "  -V, --version       lispctl's version\n"
    "  MS:     show sites | show registrations | show counters | metrics\n"
    "  MN/xTR: show map-cache | lookup EID [IID] | show local | show map-servers |\n"
    "          show map-resolvers | show database-mappings |\n"
    "          show counters | show control | show host | metrics |\n"
    "          add static-mapping [iid N] EID-PREFIX rloc ADDRESS [priority P] [weight W]... |\n"
    "          remove static-mapping [iid N] EID-PREFIX | clear map-cache [EID-PREFIX] |\n"
    "          re-register\n";

// lispd's refusals start so, in either form (Reply::error).
bool refused(const std::string& answer) {
  return answer.rfind("error: ", 0) == 0 || answer.rfind("{\"error\":", 0) == 0;
}

}  // namespace

#include "control/api_socket.h"

int main(int argc, char** argv) {
  std::string path = "/run/lispmob/lispd.sock";
  bool json = false;
  int option;
  const struct option long_options[] = {{"socket", required_argument, nullptr, 's'},
                                        {"json", no_argument, nullptr, 'j'},
                                        {"help", no_argument, nullptr, 'h'},
                                        {"version", no_argument, nullptr, 'V'},
                                        {nullptr, 0, nullptr, 0}};
  while ((option = getopt_long(argc, argv, "+s:jhV", long_options, nullptr)) != -1) {
    if (option == 's') {
      path = optarg;
    } else if (option == 'j') {
      json = true;
    } else if (option == 'h') {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (option == 'V') {
      std::puts("lispctl " LISPMOB_VERSION);
      return 0;
    } else {
      std::fputs(kUsage, stderr);
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
  return refused(*answer) ? 1 : 0;
}
