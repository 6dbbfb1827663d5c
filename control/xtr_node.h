// lispd in MN/xTR mode: the control loop around the data plane. It keeps
// the workers' local state in step with the kernel twins of the RLOC links
// (kernel_view.h: addresses, default gateways and neighbours, re-read at
// once on any netlink notification and every second regardless), sets a
// mobile node's host up (kni/host_setup.h), runs the control plane
// (XtrControl: registration, resolution of punted misses, the ETR's
// answers, SMR, RLOC probing) over UDP 4342 through the twins, and answers
// lispctl.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/config/config.h"
#include "control/kernel_view.h"
#include "dataplane/service.h"

namespace lispmob::control {

class XtrControl;

// Runs until SIGINT or SIGTERM, answering lispctl on `api_path` ("" for none).
absl::Status run_xtr_node(const config::Config& config, dataplane::DataplaneService& service,
                          const std::string& api_path);

// lispctl's commands in MN/xTR mode: "show map-cache", "lookup EID [IID]",
// "show counters", "show local", "show map-servers", "show control".
std::string answer_xtr(const std::string& command, dataplane::DataplaneService& service,
                       const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                       const XtrControl& control);

}  // namespace lispmob::control
