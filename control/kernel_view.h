// What lispd's MN/xTR mode derives from the kernel's view of its RLOC
// links (interface addresses, default routes, neighbours, read through
// rtnetlink) and the config: our locators, the records to register, and the
// data plane's local state. Pure functions of their inputs, so tests build
// the kernel's view by hand.
#pragma once

#include <rte_ether.h>

#include <string>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/lisp/mapping_record.h"
#include "dataplane/local_state.h"
#include "kni/rtnetlink.h"

namespace lispmob::control {

// What the kernel says about the RLOC side: every interface address, each
// RLOC link's twin (ifindex), the default routes (main table) and the
// neighbour table, read through rtnetlink.
struct KernelView {
  std::vector<std::pair<std::string, net::IpAddress>> addresses;
  std::vector<int> twin_indices;  // per RLOC link; 0: no such interface
  std::vector<kni::Route> defaults;
  std::vector<kni::Neighbour> neighbours;
};
KernelView read_kernel_view(const std::vector<config::RlocLink>& links);

// One of our RLOCs: from a database-mapping's rloc-address, or the current
// address of an rloc-iface (a twin), with its priority and weight.
struct LocalLocator {
  net::IpAddress address;
  uint8_t priority = 1;
  uint8_t weight = 100;
  unsigned link = 0;   // the RLOC link whose twin holds it
  size_t mapping = 0;  // index in config.database_mappings
  friend bool operator==(const LocalLocator&, const LocalLocator&) = default;
};
std::vector<LocalLocator> local_locators(const config::Config& config, const KernelView& kernel);

// The records to register and answer with: each database-mapping with all
// its current locators (a multihomed node registers them together).
std::vector<lisp::MappingRecord> records_to_register(const config::Config& config,
                                                     const std::vector<LocalLocator>& locators);

// Where encapsulated packets of `family` leaving by `link` may go first, in
// order: that twin's default gateway, then static locators, Proxy-ETRs and
// Map-Servers (on the link).
std::vector<net::IpAddress> next_hop_candidates(const config::Config& config,
                                                const KernelView& kernel, unsigned link,
                                                net::IpFamily family);

// The local state for the workers: every link's RLOCs, and per outer family
// the egress: the best-priority locator whose link has a resolved next hop.
// `link_macs`: each RLOC port's MAC. Exposed for tests.
dataplane::LocalState build_local_state(const config::Config& config,
                                        const std::vector<rte_ether_addr>& link_macs,
                                        const rte_ether_addr& eid_mac, const KernelView& kernel,
                                        const std::vector<LocalLocator>& locators);

// The MAC of the first candidate next hop the link's neighbour table has
// resolved, if any.
std::optional<rte_ether_addr> next_hop_mac(const config::Config& config, const KernelView& kernel,
                                           unsigned link, net::IpFamily family);

}  // namespace lispmob::control
