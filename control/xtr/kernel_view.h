// What lispd's MN/xTR mode derives from the kernel's view of its RLOC
// links (interface addresses, default routes, neighbours, read through
// rtnetlink) and the config: our locators, the records to register, and the
// data plane's local state. Pure functions of their inputs, so tests build
// the kernel's view by hand.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/lisp/mapping_record.h"
#include "control/xtr/xtr_config.h"
#include "dataplane/api/local_state.h"
#include "kni/kernel_state.h"
#include "kni/rtnetlink.h"

namespace lispmob::control {

// What the kernel says about the RLOC side: every interface address, each
// RLOC link's twin (ifindex), the default routes (main table) and the
// neighbour table, read through rtnetlink.
struct KernelView {
  std::vector<std::pair<std::string, net::IpAddress>> addresses;
  // Each address's subnet, by interface: what the kernel reaches on-link.
  std::vector<std::pair<std::string, net::IpPrefix>> subnets;
  std::vector<int> twin_indices;  // per RLOC link; 0: no such interface
  std::vector<kni::Route> defaults;
  std::vector<kni::Neighbour> neighbours;
  // Per RLOC link: the largest IP packet it carries, the smaller of the
  // twin's MTU and the RLOC port's (its kernel interface's for
  // net_af_packet, DPDK's otherwise); 0: not known.
  std::vector<uint16_t> link_mtus;
  // Per RLOC link: its port's kernel interface (net_af_packet's) is down,
  // or has no carrier. Its RLOCs are then not ours to use: not
  // registered, not sent from, until it comes back.
  std::vector<bool> links_down;
  // A site gateway's LAN twin (ifindex; 0: none): its neighbours are the
  // hosts the data plane delivers to.
  int lan_twin_index = 0;
};
// The view of the RLOC links in the kernel's tables (kni::LocalNode keeps
// them). `port_mtus`: DPDK's MTU of each RLOC port, for ports with no
// kernel interface.
// `lan_twin`: a site gateway's LAN twin, if it has one.
KernelView view_of(const kni::KernelState& kernel, const std::vector<RlocLink>& links,
                   const std::vector<uint16_t>& port_mtus = {}, const std::string& lan_twin = "");

// The EID port's MTU and why: the config's tap-mtu, or each egress link's
// MTU less the encapsulation of its family (the smaller when both families
// have an RLOC), never below 1280 when an EID is IPv6 (RFC 8200 §5). 0: no
// link MTU known yet, leave the port as it is.
struct EidPortMtu {
  uint32_t mtu = 0;
  std::string reason;
  friend bool operator==(const EidPortMtu&, const EidPortMtu&) = default;
};
EidPortMtu choose_eid_port_mtu(const XtrConfig& config, const dataplane::LocalState& state);

// A locator no database-mapping names (a proxy's).
inline constexpr size_t kNoMapping = static_cast<size_t>(-1);

// One of our RLOCs: from a database-mapping's rloc-address, or the current
// address of an rloc-iface (a twin), with its priority and weight; a
// proxy's, any global address of a twin.
struct LocalLocator {
  net::IpAddress address;
  uint8_t priority = 1;
  uint8_t weight = 100;
  unsigned link = 0;   // the RLOC link whose twin holds it
  size_t mapping = 0;  // index in config.database_mappings, or kNoMapping
  friend bool operator==(const LocalLocator&, const LocalLocator&) = default;
};
std::vector<LocalLocator> local_locators(const XtrConfig& config, const KernelView& kernel);
// The addresses of the locators no database-mapping names (a proxy's): our
// RLOCs all the same (ITR-RLOCs, sources of control messages).
std::vector<net::IpAddress> unregistered_rlocs(const std::vector<LocalLocator>& locators);

// Where a control message to `destination` leaves from: the best-priority
// locator of its family on a link the kernel can send it out of (the
// twin has a default route of that family, or `destination` is on one of
// the twin's subnets). Nullopt: none yet, e.g. the address came before its
// route, as a DHCP client sets them up. Sent then, even from the RLOC, the
// message would miss the RLOC's routing table and take the host's default
// route through the EID port, into our own tunnel.
// The next-hop candidates of `link` the kernel can reach without a route:
// its default gateways, and the others on one of the twin's subnets. Only
// these may be solicited: a datagram from the RLOC to anything else, with
// no route out of the link yet, would take the host's default route into
// the EID port, our own tunnel.
std::vector<net::IpAddress> on_link_next_hops(const XtrConfig& config, const KernelView& kernel,
                                              unsigned link, net::IpFamily family);

std::optional<net::IpAddress> control_source(const XtrConfig& config, const KernelView& kernel,
                                             const std::vector<LocalLocator>& locators,
                                             const net::IpAddress& destination);

// The records to register and answer with: each database-mapping with all
// its current locators (a multihomed node registers them together).
std::vector<lisp::MappingRecord> records_to_register(const XtrConfig& config,
                                                     const std::vector<LocalLocator>& locators);

// Where encapsulated packets of `family` leaving by `link` may go first, in
// order: that twin's default gateway, then static locators, Proxy-ETRs and
// Map-Servers (on the link).
std::vector<net::IpAddress> next_hop_candidates(const XtrConfig& config, const KernelView& kernel,
                                                unsigned link, net::IpFamily family);

// The local state for the workers: every link's RLOCs, and per outer family
// the egress: the best-priority locator whose link has a resolved next hop.
// `link_macs`: each RLOC port's MAC; `eid_mac`: the EID port's (lmn0's,
// or a site gateway's LAN port's). Exposed for tests.
dataplane::LocalState build_local_state(const XtrConfig& config,
                                        const std::vector<dataplane::MacAddress>& link_macs,
                                        const dataplane::MacAddress& eid_mac,
                                        const KernelView& kernel,
                                        const std::vector<LocalLocator>& locators);

// The MAC of the first candidate next hop the link's neighbour table has
// resolved, if any.
std::optional<dataplane::MacAddress> next_hop_mac(const XtrConfig& config, const KernelView& kernel,
                                                  unsigned link, net::IpFamily family);

}  // namespace lispmob::control
