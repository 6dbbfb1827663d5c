// lispd in MN/xTR mode: an XtrNode wired onto the control runtime's event
// loop, with UDP 4342 through the twins, kni::LocalNode's rtnetlink
// notifications, the host set-up (kni/), the data plane's punt eventfd and
// lispctl's socket.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "control/operator_endpoints.h"
#include "control/xtr/xtr_config.h"
#include "dataplane/api/dataplane.h"

namespace lispmob::control {

// Runs until SIGINT or SIGTERM, answering lispctl and /metrics as
// `operators` says.
// SIGHUP projects the config again through `reload`: one that does not
// load is refused with its file:line:key and nothing changes; one that
// does is applied in place (XtrNode::reconfigure), and what needs a
// restart is logged as such.
absl::Status run_xtr_node(const XtrConfig& config, dataplane::Dataplane& dataplane,
                          OperatorOptions operators,
                          const std::function<absl::StatusOr<XtrConfig>()>& reload = nullptr);

}  // namespace lispmob::control
