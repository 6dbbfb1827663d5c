// The xTR/MN data path with what the configuration alone provides: local
// EIDs and RLOCs (database-mapping), static-map-cache entries, Proxy-ETRs.
// The RLOC of an rloc-iface and the next hop's MAC are read from the kernel
// twin every 100 ms (its address, and /proc/net/arp), and a change publishes
// a new local state at once. Registration, resolution and SMR come with the
// control-plane roles; until then a miss is logged and the packet goes to
// the PETR or is dropped.
#pragma once

#include "absl/status/status.h"
#include "common/config/config.h"
#include "common/lisp/mapping_record.h"
#include "dataplane/service.h"

namespace lispmob::control {

// Runs until SIGINT or SIGTERM, answering lispctl on `api_path` ("" for none).
absl::Status run_static_xtr(const config::Config& config, dataplane::DataplaneService& service,
                            const std::string& api_path);

// lispctl's commands in MN/xTR mode: "show map-cache", "lookup EID [IID]",
// "show counters", "show local", "show map-servers".
class Registrar;
std::string answer_xtr(const std::string& command, dataplane::DataplaneService& service,
                       const dataplane::LocalState& state, const Registrar* registrar);

// The records to register: each database-mapping with the current RLOCs.
std::vector<lisp::MappingRecord> records_to_register(const config::Config& config,
                                                     const dataplane::LocalState& state);

// The local state the config and the kernel twin's current address and
// neighbours give. Exposed for tests.
dataplane::LocalState build_local_state(
    const config::Config& config, const rte_ether_addr& rloc_mac, const rte_ether_addr& eid_mac,
    const std::string& arp_table,
    const std::vector<std::pair<std::string, net::IpAddress>>& interface_addresses);

}  // namespace lispmob::control
