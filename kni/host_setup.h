// The host set-up of a mobile node, as LISPmob users know it, done through
// rtnetlink and undone on exit:
//
// - the EID on lmn0 (up, NOARP), and the two halves of the address space
//   through lmn0 (0.0.0.0/1 and 128.0.0.0/1; ::/1 and 8000::/1) with the
//   EID as preferred source, so the host's traffic takes the EID and goes
//   through LISP; or, given the destinations to tunnel (OOR's
//   allowed-dst-eids; a Proxy-ITR's EID-prefixes, with no EID of its own
//   as source), a route to each of them through lmn0 instead. The
//   halves are more specific than any default route, so the host's own
//   default routes stay as they are: a DHCP client that adds or replaces
//   one (`ip route replace default ...`) neither takes lmn0's routes away
//   nor wins over them, and no packet leaves natively meanwhile (as
//   OpenVPN's def1 routes do it);
// - source routing for each RLOC: `from <RLOC> lookup <table>`, the table
//   (one per RLOC link) holding the default route through that link's
//   gateway, so lispd's own traffic (sent from an RLOC) leaves natively by
//   the link the RLOC belongs to.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net/ip_address.h"
#include "kni/rtnetlink.h"

namespace lispmob::kni {

struct HostSetupConfig {
  std::string eid_interface = "lmn0";
  // The RLOC links' interfaces (twins); link i's table is rloc_table + i.
  std::vector<std::string> rloc_interfaces;
  std::vector<net::IpAddress> eids;
  // Only these go through lmn0 (empty: a default route does).
  std::vector<net::IpPrefix> tunnel_destinations;
  uint32_t rloc_table = 5;  // as in LISPmob's README
  uint32_t rule_priority = 100;
};

class HostSetup {
 public:
  static absl::StatusOr<std::unique_ptr<HostSetup>> apply(HostSetupConfig config);
  ~HostSetup();
  HostSetup(const HostSetup&) = delete;
  HostSetup& operator=(const HostSetup&) = delete;

  // Brings the rules and the RLOC tables in step with the current RLOCs
  // (each with its link) and the RLOC interfaces' gateways, given the main
  // table's default routes as the kernel has them now (LocalNode's: no
  // dump); changes nothing that is already right, so it can run on every
  // netlink notification.
  absl::Status update(const std::vector<std::pair<unsigned, net::IpAddress>>& rlocs,
                      const std::vector<Route>& defaults);

 private:
  HostSetup(Rtnetlink netlink, HostSetupConfig config, int eid_index, std::vector<int> rloc_indices)
      : netlink_(std::move(netlink)),
        config_(std::move(config)),
        eid_index_(eid_index),
        rloc_indices_(std::move(rloc_indices)) {}
  absl::Status sync_table(unsigned link, net::IpFamily family, const std::vector<Route>& defaults);
  absl::Status sync_rules(const std::vector<std::pair<unsigned, net::IpAddress>>& rlocs);
  // The routes into lmn0 for a family: the two halves of the address space
  // (with an EID of that family), or one per tunnel destination of that
  // family; the family's EID is their preferred source.
  std::vector<Route> eid_routes(net::IpFamily family) const;

  Rtnetlink netlink_;
  HostSetupConfig config_;
  int eid_index_;
  std::vector<int> rloc_indices_;
  std::vector<Route> table_routes_;  // what we put in the RLOC tables
  std::vector<Rule> rules_;
};

}  // namespace lispmob::kni
