// LpmTable: longest-prefix match from an IPv4 or IPv6 address to a 31-bit
// value (a map-cache slot), read by workers without locks while the control
// thread changes it in place.
//
// Layout (a multibit trie, DIR-24-8 style): a first level of 2^24 entries
// indexed by the address's first 24 bits, then groups of 256 entries, one
// per further byte (one level for IPv4, up to 13 for IPv6). An entry is a
// leaf (a value, or kMiss) or, with kGroupBit set, the index of the group
// holding the next byte.
//
// Why not rte_fib/rte_fib6 (which the map-cache used before): they have no
// RCU hook, so a delete can recycle a group under a reader, and the cache
// had to keep two copies of each table, swapped after a grace period. Each
// copy preallocates a RIB for its capacity (about 420 bytes a route) and
// its tbl8 groups; DPDK 22.11's rte_fib6 trie took three 1 KiB groups per
// /48 when the /48s shared no parent. At 1M entries that was 1.40 GB for
// IPv4 and about 6.8 GB for IPv6. Here there is one copy, no RIB (the
// map-cache already holds its prefixes), and groups are allocated as
// prefixes need them, in chunks, up to a cap: memory follows the prefixes
// in use. A group taken out of the trie is freed only after a QSBR grace
// period, so no reader ever walks a recycled group.
//
// Readers: every entry is one 32-bit atomic. A group is filled before the
// entry that points to it is stored (release), and readers load entries
// with acquire, so a reader sees either the old leaf or a complete group.
// A change over a range of entries is seen by each address as before or
// after, never as anything else.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lispmob::dataplane {

class LpmTable {
 public:
  static constexpr uint32_t kMiss = 0x7fffffff;
  static constexpr uint32_t kMaxValue = kMiss - 1;

  struct Config {
    unsigned address_bytes = 4;  // 4 or 16
    uint32_t max_groups = 4096;  // the cap; a change that needs more is refused
    int socket_id = 0;
    // The prefix length of each value (indexed by value, at least
    // kMaxValue+1 long or as long as the values used): the table compares
    // depths through it instead of storing a depth per entry.
    const uint8_t* value_lengths = nullptr;
  };

  static absl::StatusOr<std::unique_ptr<LpmTable>> create(const Config& config, rte_rcu_qsbr* qsbr);
  ~LpmTable();
  LpmTable(const LpmTable&) = delete;
  LpmTable& operator=(const LpmTable&) = delete;

  // ---- writer side: the control thread only ----

  // Routes `prefix` (network order, host bits zero) of `length` to `value`,
  // whose length config.value_lengths must already say. The prefix must not
  // be in the table. Refused, with nothing changed that a reader could see,
  // when the groups it needs exceed the cap or DPDK memory.
  absl::Status add(const uint8_t* prefix, unsigned length, uint32_t value);
  // Takes `prefix`, which routes to `value`, out: its addresses go to
  // `cover` (the value of the longest prefix in the table that contains it,
  // or kMiss). Groups this leaves redundant are retired.
  void remove(const uint8_t* prefix, unsigned length, uint32_t value, uint32_t cover);
  // Frees the retired groups no reader can still be in. Never waits.
  void reclaim();
  bool has_retired() const { return !retired_.empty(); }

  size_t groups_in_use() const { return groups_in_use_; }
  size_t bytes() const;

  // ---- reader side: workers, inside their QSBR read-side section ----

  uint32_t lookup(const uint8_t* address) const;
  // `count` host-order IPv4 addresses (an IPv4 table), each value found.
  void lookup_v4_bulk(const uint32_t* addresses, unsigned count, uint32_t* values) const;
  // `count` addresses in network order (either table).
  void lookup_bulk(const uint8_t* const* addresses, unsigned count, uint32_t* values) const;

 private:
  using Entry = std::atomic<uint32_t>;
  static constexpr uint32_t kGroupBit = 0x80000000u;
  static constexpr unsigned kFirstBits = 24;
  static constexpr unsigned kGroupEntries = 256;
  static constexpr unsigned kChunkGroups = 1024;  // 1 MiB of groups a chunk

  LpmTable(const Config& config, rte_rcu_qsbr* qsbr);
  Entry* group(uint32_t index) const {
    return chunks_[index / kChunkGroups] + (index % kChunkGroups) * kGroupEntries;
  }
  int depth_of(uint32_t leaf) const { return leaf == kMiss ? -1 : config_.value_lengths[leaf]; }
  // The group `entry` points to, made from its leaf if it is one.
  absl::StatusOr<uint32_t> expand(Entry& entry);
  absl::StatusOr<uint32_t> allocate_group();
  void route_shorter(Entry& entry, uint32_t value, unsigned length);
  void replace(Entry& entry, uint32_t old_value, uint32_t new_value);
  void collapse(const std::vector<std::pair<Entry*, uint32_t>>& path);
  void retire_group(uint32_t group_index);

  Config config_;
  rte_rcu_qsbr* qsbr_;
  Entry* first_level_ = nullptr;
  std::vector<Entry*> chunks_;  // sized for the cap at creation: readers index it
  std::vector<uint32_t> free_groups_;
  uint32_t groups_made_ = 0;
  size_t groups_in_use_ = 0;
  struct Retired {
    uint64_t token;
    uint32_t group;
  };
  std::deque<Retired> retired_;
};

}  // namespace lispmob::dataplane
