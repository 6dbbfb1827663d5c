#include "common/log/log.h"
#include "tools/lispd_dataplane.h"

namespace lispmob::tools {

int run_data_plane(const config::Config& config, const char*, const control::OperatorOptions&) {
  log::error("lispd",
             "operating-mode %s needs the DPDK data plane, and this lispd was built "
             "without it (-Ddataplane=false): it serves operating-mode MS only",
             config::to_string(config.mode));
  return 2;
}

}  // namespace lispmob::tools
