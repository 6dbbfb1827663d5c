// libFuzzer target: what a client sends the /metrics port, as far as
// StreamService passes it (at most its request bound, ended or not). Each
// request gets an HTTP answer or a wait, never a crash.
#include <cstdlib>
#include <string>

#include "control/metrics_http.h"
#include "control/stream_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob::control;
  const std::string request(reinterpret_cast<const char*>(data),
                            std::min(size, StreamService::kMaxRequest));
  const MetricsHttp::Render metrics = [] { return std::string("lispmob_x_total 1\n"); };
  for (const bool ended : {false, true}) {
    const auto answer = MetricsHttp::answer(request, ended, metrics);
    if (ended && !answer) std::abort();  // an ended client is always answered
    if (answer && !answer->empty() && answer->rfind("HTTP/1.1 ", 0) != 0) std::abort();
  }
  return 0;
}
