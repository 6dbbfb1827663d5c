#include "control/xtr/xtr_config.h"

#include <algorithm>

namespace lispmob::control {

bool same_eid_prefixes(const std::vector<LocalMapping>& a, const std::vector<LocalMapping>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.instance_id == y.instance_id && x.eid_prefix == y.eid_prefix;
  });
}

std::vector<std::string> changes_needing_restart(const XtrConfig& running, const XtrConfig& next) {
  std::vector<std::string> changes;
  if (running.mobile_node != next.mobile_node) {
    changes.push_back("operating-mode: the roles are chosen at start");
  }
  if (running.rloc_links != next.rloc_links) {
    changes.push_back("rloc-port/rloc-twin: DPDK opens its ports at start");
  }
  if (running.eid_interface != next.eid_interface) {
    changes.push_back("tap-iface: the EID port is created at start");
  }
  if (running.host_setup != next.host_setup || running.rloc_route_table != next.rloc_route_table) {
    changes.push_back("host-setup/rloc-route-table: the host is set up at start");
  }
  if (running.mobile_node && running.host_setup &&
      !same_eid_prefixes(running.database_mappings, next.database_mappings)) {
    changes.push_back(
        "database-mapping eid-prefix: a mobile node's EIDs on its EID port are set at start");
  }
  return changes;
}

}  // namespace lispmob::control
