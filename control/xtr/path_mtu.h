// Path MTUs to peer RLOCs, learned from ICMP "fragmentation needed" and
// ICMPv6 "Packet Too Big" messages about our own LISP packets (RFC 9300
// §7.2, the stateful ITR). A report only ever lowers an RLOC's MTU, never
// below the family's floor (1280 for IPv6, RFC 8200 §5; 576 for IPv4, above
// RFC 1191's 68 as a forged report must not shrink packets to nothing); it
// lapses after `lifetime` (RFC 1191 §6.3 suggests 10 minutes)
// so a path that grew is used again. The table is bounded: a peer's ICMP
// can be forged, and a full table refuses the report with a counter.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/net/ip_address.h"
#include "control/messages.h"

namespace lispmob::control {

struct PathMtuCounters {
  uint64_t learned = 0;  // reports that lowered an RLOC's MTU
  uint64_t ignored = 0;  // below the floor, or not lower than what is known
  uint64_t table_full = 0;
  uint64_t expired = 0;
};

class PathMtuTable {
 public:
  struct Options {
    std::chrono::seconds lifetime{600};
    size_t max_entries = 4096;
  };
  PathMtuTable() : PathMtuTable(Options{}) {}
  explicit PathMtuTable(Options options) : options_(options) {}

  // A report that `rloc`'s path carries at most `mtu` bytes; true if that
  // changed what we know.
  bool report(const net::IpAddress& rloc, uint32_t mtu, TimePoint now);
  // The RLOC's known path MTU, if any.
  std::optional<uint16_t> mtu(const net::IpAddress& rloc) const;
  // Removes what lapsed; returns those RLOCs (their mappings go back to the
  // link's MTU).
  std::vector<net::IpAddress> expire(TimePoint now);

  size_t size() const { return entries_.size(); }
  const PathMtuCounters& counters() const { return counters_; }

  static constexpr uint32_t kFloorV4 = 576;
  static constexpr uint32_t kFloorV6 = 1280;

 private:
  struct Entry {
    uint16_t mtu;
    TimePoint expires;
  };
  Options options_;
  std::map<net::IpAddress, Entry> entries_;
  PathMtuCounters counters_;
};

}  // namespace lispmob::control
