// The kernel's tables lispd follows on the host side, kept from rtnetlink
// (RFC 3549): links (index, name, MTU, up), interface addresses, the main
// table's default routes and the neighbour entries with a MAC. Filled once
// by a dump, then kept current by applying each notification as it comes,
// so nothing is re-read per event. A parser of what the kernel sends:
// every length is checked before it is read, and each table is bounded
// (a full one refuses the new entry and counts it).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/net/ip_address.h"
#include "kni/rtnetlink.h"

namespace lispmob::kni {

struct Link {
  int index = 0;
  std::string name;
  uint32_t mtu = 0;
  bool up = false;       // IFF_UP: set up by the administrator
  bool running = false;  // IFF_RUNNING: up, and the carrier is there (RFC 2863 oper up)
  friend bool operator==(const Link&, const Link&) = default;
};

struct InterfaceAddress {
  int interface = 0;  // ifindex
  net::IpAddress address;
  uint8_t prefix_length = 0;
  friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

struct KernelStateCounters {
  uint64_t applied = 0;     // messages that changed a table
  uint64_t malformed = 0;   // lengths that did not add up; the rest of the datagram is skipped
  uint64_t table_full = 0;  // entries refused: a table at its bound
};

class KernelState {
 public:
  static constexpr size_t kMaxLinks = 1024;
  static constexpr size_t kMaxAddresses = 4096;
  static constexpr size_t kMaxDefaults = 256;
  static constexpr size_t kMaxNeighbours = 4096;

  // Applies every message in one datagram read from rtnetlink (a
  // notification, or part of a dump's answer). True if a table changed.
  bool apply(std::span<const uint8_t> datagram);
  void clear();
  // Takes `other`'s tables in place of ours (a fresh dump), adding its
  // counters to ours.
  void take_tables(KernelState&& other);

  const std::map<int, Link>& links() const { return links_; }
  const Link* link_named(const std::string& name) const;
  const std::vector<InterfaceAddress>& addresses() const { return addresses_; }
  // The main table's default routes (IPv4 and IPv6).
  const std::vector<Route>& defaults() const { return defaults_; }
  std::vector<Route> defaults(net::IpFamily family) const;
  std::vector<Neighbour> neighbours() const;
  const KernelStateCounters& counters() const { return counters_; }

 private:
  bool apply_message(uint16_t type, std::span<const uint8_t> body);
  bool apply_link(bool add, std::span<const uint8_t> body);
  bool apply_address(bool add, std::span<const uint8_t> body);
  void drop_unreachable_defaults(const InterfaceAddress& gone);
  bool apply_route(bool add, std::span<const uint8_t> body);
  bool apply_neighbour(bool add, std::span<const uint8_t> body);

  std::map<int, Link> links_;
  std::vector<InterfaceAddress> addresses_;
  std::vector<Route> defaults_;
  std::map<std::pair<int, net::IpAddress>, Neighbour> neighbours_;
  KernelStateCounters counters_;
};

}  // namespace lispmob::kni
