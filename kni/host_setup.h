// The host set-up of a mobile node, as LISPmob users know it, done through
// rtnetlink and undone on exit:
//
// - the EID on lmn0 (up, NOARP), and the default route through lmn0 with the
//   EID as preferred source, so the host's traffic takes the EID and goes
//   through LISP; or, given the destinations to tunnel (OOR's
//   allowed-dst-eids), a route to each of them through lmn0 instead, and
//   the host's own default routes left as they are;
// - the RLOC interface's own default routes kept, at metric 100 (any that
//   appears later with a lower metric, from a DHCP client say, is moved
//   there too);
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
  uint32_t kept_default_metric = 100;
};

class HostSetup {
 public:
  // `defaults`: the main table's default routes now (LocalNode's).
  static absl::StatusOr<std::unique_ptr<HostSetup>> apply(HostSetupConfig config,
                                                          const std::vector<Route>& defaults);
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
  absl::Status keep_defaults(const std::vector<Route>& defaults);
  absl::Status ensure_eid_default(const net::IpAddress& eid, const std::vector<Route>& defaults);
  absl::Status sync_table(unsigned link, net::IpFamily family, const std::vector<Route>& defaults);
  absl::Status sync_rules(const std::vector<std::pair<unsigned, net::IpAddress>>& rlocs);
  Route eid_default(const net::IpAddress& eid) const;
  // The routes into lmn0 for `eid`'s family: the default, or one per
  // tunnel destination of that family.
  std::vector<Route> eid_routes(const net::IpAddress& eid) const;

  Rtnetlink netlink_;
  HostSetupConfig config_;
  int eid_index_;
  std::vector<int> rloc_indices_;
  std::vector<Route> moved_defaults_;  // as they were, to restore on exit
  std::vector<Route> table_routes_;    // what we put in the RLOC tables
  std::vector<Rule> rules_;
};

}  // namespace lispmob::kni
