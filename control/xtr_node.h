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
#include "control/resolver.h"
#include "dataplane/api/dataplane.h"

namespace lispmob::control {

class XtrControl;

// The data plane's map-cache, as the resolver writes it.
class DataplaneMapCache : public MapCacheWriter {
 public:
  explicit DataplaneMapCache(dataplane::Dataplane& dataplane) : dataplane_(dataplane) {}
  absl::Status upsert(const dataplane::Mapping& mapping) override {
    return dataplane_.upsert(mapping);
  }
  absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) override {
    return dataplane_.erase(instance_id, prefix);
  }

 private:
  dataplane::Dataplane& dataplane_;
};

// Runs until SIGINT or SIGTERM, answering lispctl on `api_path` ("" for none).
absl::Status run_xtr_node(const config::Config& config, dataplane::Dataplane& dataplane,
                          const std::string& api_path);

// lispctl's commands in MN/xTR mode: "show map-cache", "lookup EID [IID]",
// "show counters", "show local", "show map-servers", "show control".
std::string answer_xtr(const std::string& command, const dataplane::Dataplane& dataplane,
                       const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                       const XtrControl& control);

}  // namespace lispmob::control
