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
#include "kni/rtnetlink.h"

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

// What the kernel says about the RLOC side: every interface address, the
// default routes (main table) and the neighbour table, read through
// rtnetlink.
struct KernelView {
  std::vector<std::pair<std::string, net::IpAddress>> addresses;
  int twin_index = 0;
  std::vector<kni::Route> defaults;
  std::vector<kni::Neighbour> neighbours;
};
KernelView read_kernel_view(const std::string& twin);

// Where encapsulated packets of `family` may go first, in order: the twin's
// default gateway, then static locators, Proxy-ETRs and Map-Servers (on the
// link).
std::vector<net::IpAddress> next_hop_candidates(const config::Config& config,
                                                const KernelView& kernel, net::IpFamily family);

// The local state the config and the kernel's view give: RLOCs from the
// twin's addresses, next-hop MACs for the first resolved candidate of each
// family. Exposed for tests.
dataplane::LocalState build_local_state(const config::Config& config,
                                        const rte_ether_addr& rloc_mac,
                                        const rte_ether_addr& eid_mac, const KernelView& kernel);

}  // namespace lispmob::control
