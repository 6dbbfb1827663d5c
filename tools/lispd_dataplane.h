// lispd's MN and xTR modes: EAL, the DPDK data plane and the MN/xTR control
// loop. A build without the data plane (-Ddataplane=false) links a version
// that says so.
#pragma once

#include <string>

#include "common/config/config.h"
#include "control/operator_endpoints.h"

namespace lispmob::tools {

// Runs until SIGINT or SIGTERM; the exit status for lispd.
int run_data_plane(const config::Config& config, const char* program,
                   const control::OperatorOptions& operators);

}  // namespace lispmob::tools
