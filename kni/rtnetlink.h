// A small rtnetlink client (RFC 3549, linux/rtnetlink.h) for the host
// set-up around lmn0 and the RLOC twin: links, addresses, routes and rules,
// one request at a time, each acknowledged by the kernel, and the dump
// KernelState (kernel_state.h) starts from. Only what the host
// set-up needs; an error names the operation and the kernel's errno.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/net/ip_address.h"

namespace lispmob::kni {

struct Route {
  uint32_t table = 254;  // RT_TABLE_MAIN
  net::IpPrefix destination;
  std::optional<net::IpAddress> gateway;
  int output_interface = 0;  // ifindex; 0: none
  std::optional<net::IpAddress> preferred_source;
  uint32_t metric = 0;
  friend bool operator==(const Route&, const Route&) = default;
};

struct Rule {
  net::IpPrefix source;
  uint32_t table = 0;
  uint32_t priority = 0;
  friend bool operator==(const Rule&, const Rule&) = default;
};

// A neighbour-table entry (ARP or NDP) with a link-layer address.
struct Neighbour {
  int interface = 0;  // ifindex
  net::IpAddress address;
  std::array<uint8_t, 6> mac{};
  bool usable = false;  // reachable, stale, delay, probe or permanent
};

class KernelState;

// Dump requests every Rtnetlink of this process has sent: what re-reading
// the kernel costs, shown by lispctl.
uint64_t dump_requests_sent();

class Rtnetlink {
 public:
  static absl::StatusOr<Rtnetlink> open();
  Rtnetlink(Rtnetlink&& other) noexcept : fd_(other.fd_), sequence_(other.sequence_) {
    other.fd_ = -1;
  }
  Rtnetlink& operator=(Rtnetlink&&) = delete;
  ~Rtnetlink();

  absl::StatusOr<int> interface_index(const std::string& name);
  // Brings the link up; `noarp` sets or clears IFF_NOARP.
  absl::Status set_link_up(int index, bool noarp);
  // An IPv6 address is added without duplicate address detection (usable at once).
  absl::Status add_address(int index, const net::IpPrefix& address);
  absl::Status delete_address(int index, const net::IpPrefix& address);
  // Adds, or replaces the route with the same table, destination and metric.
  absl::Status replace_route(const Route& route);
  absl::Status delete_route(const Route& route);
  // Removes the neighbour entry for `address` on the interface (none is fine).
  absl::Status delete_neighbour(int index, const net::IpAddress& address);
  // Fills `state` (cleared first) from one dump each of the links,
  // addresses, routes and neighbours.
  absl::Status dump_into(KernelState& state);
  absl::Status add_rule(const Rule& rule);
  absl::Status delete_rule(const Rule& rule);

 private:
  explicit Rtnetlink(int fd) : fd_(fd) {}
  // Sends one request and waits for its acknowledgement.
  absl::Status request(std::vector<uint8_t> message, const char* what);
  // Sends a dump request and calls `each` for every answer of `type`.
  template <class Each>
  absl::Status dump(std::vector<uint8_t> message, uint16_t type, const char* what, Each each);
  int fd_ = -1;
  uint32_t sequence_ = 0;
};

}  // namespace lispmob::kni
