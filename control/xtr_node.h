// lispd in MN/xTR mode: the control loop around the data plane. It keeps
// the workers' local state in step with the kernel twin of the RLOC port
// (its addresses, default gateway and neighbours, re-read at once on any
// netlink notification and every second regardless), runs the control
// plane (XtrControl: registration, resolution of punted misses, the ETR's
// answers, SMR) over UDP 4342 through the twin, and answers lispctl.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/config/config.h"
#include "common/lisp/mapping_record.h"
#include "dataplane/service.h"

namespace lispmob::control {

class XtrControl;

// Runs until SIGINT or SIGTERM, answering lispctl on `api_path` ("" for none).
absl::Status run_xtr_node(const config::Config& config, dataplane::DataplaneService& service,
                          const std::string& api_path);

// lispctl's commands in MN/xTR mode: "show map-cache", "lookup EID [IID]",
// "show counters", "show local", "show map-servers", "show control".
std::string answer_xtr(const std::string& command, dataplane::DataplaneService& service,
                       const dataplane::LocalState& state, const XtrControl& control);

// The records to register and answer with: each database-mapping with the
// current RLOCs.
std::vector<lisp::MappingRecord> records_to_register(const config::Config& config,
                                                     const dataplane::LocalState& state);

// What the kernel says about the RLOC side: /proc/net/arp, /proc/net/route
// and every interface address.
struct KernelView {
  std::string arp_table;
  std::string route_table;
  std::vector<std::pair<std::string, net::IpAddress>> addresses;
};
KernelView read_kernel_view();

// The local state the config and the kernel's view give. The IPv4 next hop
// is the twin's default gateway if it has one, else the first static
// locator, Proxy-ETR or Map-Server on the link; its MAC comes from the
// kernel's neighbour table. Exposed for tests.
dataplane::LocalState build_local_state(const config::Config& config,
                                        const rte_ether_addr& rloc_mac,
                                        const rte_ether_addr& eid_mac, const KernelView& kernel);

}  // namespace lispmob::control
