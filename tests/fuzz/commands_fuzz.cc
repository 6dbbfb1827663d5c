// libFuzzer target: a lispctl request line, as the control socket passes
// it to the command registry (an MN/xTR's commands over a fake data
// plane). Every line gets an answer in the form it asked for.
#include <cstdlib>
#include <string>

#include "control/runtime/command_registry.h"
#include "control/runtime/counter_registry.h"
#include "control/xtr/xtr_commands.h"
#include "control/xtr/xtr_node.h"
#include "tests/control/fake_dataplane.h"
#include "tools/lispd_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  static auto config = tools::xtr_config_of(*config::parse_text(R"(
operating-mode = "xTR"
map-server { address = 192.0.2.2  key-type = 2  key = "k" }
database-mapping {
  eid-prefix = 198.18.1.0/24
  rloc-address { address = 192.0.2.4 }
}
)",
                                                                "fuzz.conf"));
  static control::testing::FakeDataplane dataplane;
  static control::DataplaneMapCache cache(dataplane);
  static control::XtrControl xtr(
      config.map_servers, config.map_resolvers, {}, [] { return uint64_t{1}; }, cache);
  static dataplane::LocalState state;
  static control::EidPortMtu mtu;
  // The control socket reads at most 511 bytes and strips the line end.
  const std::string line(reinterpret_cast<const char*>(data), std::min<size_t>(size, 511));
  const std::string answer = control::answer_xtr(line, dataplane, state, mtu, xtr);
  if (answer.empty()) std::abort();
  if (line.rfind("json ", 0) == 0 && answer[0] != '{' && answer[0] != '[') std::abort();
  return 0;
}
