// The map-cache the workers read and the control thread writes: EID-prefix
// -> mapping, longest-prefix match per instance-id, IPv4 and IPv6.
//
// Workers never lock, allocate or wait. Every reader runs inside a QSBR
// read-side section (it reports quiescent once per loop; rte_rcu_qsbr), and
// the writer frees nothing a reader may still hold until a grace period has
// passed:
//
// - Entries are immutable. FIB next hops are slot numbers; a slot holds an
//   atomic pointer to the entry. Replacing a mapping publishes a new entry in
//   its slot; the old one is retired.
// - The tables are LpmTable (dataplane/lpm_table.h): one multibit trie per
//   family and instance, changed in place, whose groups are freed only
//   after a grace period (that file says why not rte_fib/rte_fib6, and why
//   not rte_lpm: its per-depth rule arrays, scanned by every add, took 158 s
//   to load 1M IPv4 prefixes here). An add is visible at once; an erase
//   routes the prefix's addresses to its cover at once and retires the
//   entry and its slot.
#pragma once

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/net/ip_address.h"
#include "dataplane/api/mapping.h"
#include "dataplane/lpm_table.h"

namespace lispmob::dataplane {

inline constexpr unsigned kWheelSlots = 32;
inline constexpr unsigned kMaxInstances = 16;

// The immutable fast-path form of a mapping. Cache-line aligned; the
// locator to use is wheel[flow_hash % kWheelSlots], which spreads flows over
// the reachable locators of the best priority in proportion to their weights
// (in 1/32 steps). The header, the wheel and the first locator share the
// first cache line, so a single-RLOC mapping costs one line per packet.
struct alignas(RTE_CACHE_LINE_SIZE) MapEntry {
  using Locator = RlocAddress;
  uint32_t instance_id;
  MapAction action;
  uint8_t locator_count;
  bool has_usable_locator;  // false: no reachable unicast locator
  uint32_t slot;            // its bit in the workers' used bitmaps
  std::array<uint8_t, kWheelSlots> wheel;
  std::array<Locator, kMaxLocators> locators;

  const Locator& pick(uint32_t flow_hash) const { return locators[wheel[flow_hash % kWheelSlots]]; }
};
static_assert(offsetof(MapEntry, locators) + sizeof(MapEntry::Locator) <= RTE_CACHE_LINE_MIN_SIZE,
              "the first locator must share the entry's first cache line");

struct MapCacheConfig {
  uint32_t max_entries = 1 << 16;     // IPv4 prefixes, per instance
  uint32_t max_entries_v6 = 1 << 16;  // IPv6 prefixes, per instance
  // Caps on each table's 1 KiB groups, allocated as prefixes need them. An
  // IPv4 group serves one /24 that holds longer prefixes; an IPv6 prefix
  // needs one per byte past its first three that no other prefix shares
  // (1M /48s under 256 /32s: about 66k).
  uint32_t ipv4_tbl8_groups = 1 << 12;
  uint32_t ipv6_tbl8_groups = 1 << 14;
  int socket_id = 0;
  unsigned workers = 1;  // one used bitmap each
};

// Which entries a worker used: one bit per slot, set by that worker alone
// with a relaxed load and store (no locked instruction on the fast path),
// taken and cleared by the control thread. A bit set between the control
// thread's read and its clear is lost: the entry counts as unused for one
// scan, which only the refresh and LRU decisions see, a second later.
class UsedBits {
 public:
  explicit UsedBits(size_t slots) : words_((slots + 63) / 64) {}
  void mark(uint32_t slot) {
    std::atomic<uint64_t>& word = words_[slot >> 6];
    const uint64_t bit = uint64_t{1} << (slot & 63);
    const uint64_t seen = word.load(std::memory_order_relaxed);
    // Written once per scan period, not per packet: the line stays shared.
    if ((seen & bit) == 0) word.store(seen | bit, std::memory_order_relaxed);
  }
  // Calls `used(slot)` for each bit set, and clears them.
  template <typename Used>
  void take(Used&& used) {
    for (size_t index = 0; index < words_.size(); ++index) {
      if (words_[index].load(std::memory_order_relaxed) == 0) continue;
      uint64_t word = words_[index].exchange(0, std::memory_order_relaxed);
      while (word != 0) {
        const int bit = __builtin_ctzll(word);
        word &= word - 1;
        used(static_cast<uint32_t>(index * 64 + static_cast<size_t>(bit)));
      }
    }
  }

 private:
  std::vector<std::atomic<uint64_t>> words_;
};

// Where entries live: chunks of DPDK memory (hugepages where EAL has them),
// 2 MiB at a time, handed out and taken back by the control thread. Every
// lookup reads its entry and its slot; a million entries on 4 KiB pages of
// the C++ heap cost a TLB miss per packet (bench/run: 37 of encap4's 79
// cycles at 1M prefixes were the lookup, 5 at 1k).
//
// An entry takes only the bytes its locators need, in three sizes: one
// cache line for a single locator (most mappings, and every negative one),
// two for up to four, the whole MapEntry for more. The fast path reads
// locators[i] only for i < locator_count (through the wheel), so the
// missing tail is never touched; at 1M single-locator mappings this is
// 64 MB instead of 256 MB, and a quarter of the lines to cache.
//
// Freed entries wait in FIFO order, so the one freed last is handed out
// last. Under AddressSanitizer each entry comes from the C++ heap at its
// own size instead, so the RCU stress test catches a worker reading a
// freed entry and any read past an entry's locators.
class EntrySlab {
 public:
  explicit EntrySlab(int socket_id) : socket_id_(socket_id) {}
  ~EntrySlab();
  EntrySlab(const EntrySlab&) = delete;
  EntrySlab& operator=(const EntrySlab&) = delete;
  // A zeroed entry with room for `locator_count` locators (its
  // locator_count is set), or null when no memory is left.
  MapEntry* allocate(unsigned locator_count);
  void free(const MapEntry* entry);
  static size_t bytes_for(unsigned locator_count);

 private:
  static constexpr unsigned kSizeClasses = 3;
  static unsigned size_class(unsigned locator_count);
  static constexpr size_t kChunkBytes = 2u << 20;
  [[maybe_unused]] int socket_id_;  // unused under ASan (entries on the C++ heap)
  std::vector<void*> chunks_;
  std::array<std::deque<MapEntry*>, kSizeClasses> free_;
};

// The slot array: DPDK memory for the same reason, zeroed.
class SlotArray {
 public:
  SlotArray(size_t size, int socket_id);
  ~SlotArray();
  SlotArray(const SlotArray&) = delete;
  SlotArray& operator=(const SlotArray&) = delete;
  bool ok() const { return slots_ != nullptr; }
  size_t size() const { return size_; }
  std::atomic<const MapEntry*>& operator[](size_t index) { return slots_[index]; }
  const std::atomic<const MapEntry*>& operator[](size_t index) const { return slots_[index]; }

 private:
  std::atomic<const MapEntry*>* slots_;
  size_t size_;
};

class MapCache {
 public:
  // `qsbr`: the QSBR variable every worker registers with. It must outlive the cache.
  static absl::StatusOr<std::unique_ptr<MapCache>> create(const MapCacheConfig& config,
                                                          rte_rcu_qsbr* qsbr);
  ~MapCache();
  MapCache(const MapCache&) = delete;
  MapCache& operator=(const MapCache&) = delete;

  // ---- writer side: the control thread only ----

  // Adds the mapping or replaces the one for the same instance and prefix.
  absl::Status upsert(const Mapping& mapping);
  absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix);
  // Frees what no reader can still hold. Never waits; call it from the
  // control loop (upsert and erase do, every 32 changes).
  void maintain();
  // Waits for readers until every change is visible and every retired entry
  // is freed. For tests, benchmarks and shutdown, not for the control loop.
  void flush();
  size_t size() const { return prefixes_.size(); }
  // ---- read side for lispctl: the control thread only ----
  // The cache keeps only what forwarding needs (the control thread holds
  // the mappings it installed, with their TTLs and origin), so these name
  // prefixes, not mappings.

  // Every (instance-id, prefix) installed, in that order.
  std::vector<std::pair<uint32_t, net::IpPrefix>> prefixes() const;
  // The installed prefix the longest match gives for `address`.
  std::optional<net::IpPrefix> longest_match(uint32_t instance_id,
                                             const net::IpAddress& address) const;

  // Adds refused because the table's groups were exhausted (upsert says so too).
  uint64_t failed_adds() const { return failed_adds_; }
  // The prefixes a worker used (looked up and acted on) since the last
  // call: the control thread's view of which entries traffic still needs.
  std::vector<std::pair<uint32_t, net::IpPrefix>> take_used();

  // ---- worker side: its own bitmap, `worker` < config.workers ----
  UsedBits* used_bits(unsigned worker) { return used_[worker].get(); }

  // ---- reader side: workers, inside their QSBR read-side section ----

  // Index for lookups in `instance_id`, or -1 if there is no such instance.
  int instance_index(uint32_t instance_id) const {
    for (unsigned i = 0; i < kMaxInstances; ++i) {
      if (instances_[i].in_use.load(std::memory_order_acquire) &&
          instances_[i].instance_id == instance_id) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  // `address` in network byte order.
  const MapEntry* lookup_v4(int instance, uint32_t address_be) const;
  const MapEntry* lookup_v6(int instance, const uint8_t address[16]) const;
  // `count` lookups at once (at most 64): host-order IPv4 addresses, or
  // pointers to IPv6 addresses. Each entry found is prefetched.
  void lookup_v4_bulk(int instance, const uint32_t* addresses, unsigned count,
                      const MapEntry** entries) const;
  void lookup_v6_bulk(int instance, const uint8_t* const* addresses, unsigned count,
                      const MapEntry** entries) const;

 private:
  struct Instance {
    std::atomic<bool> in_use{false};
    uint32_t instance_id = 0;
    std::unique_ptr<LpmTable> table4;
    std::unique_ptr<LpmTable> table6;
  };
  struct Retired {
    uint64_t token;
    const MapEntry* entry;
    uint32_t slot;  // returned to the free list with the entry, or kNoSlot
  };
  struct Key {
    uint32_t instance_id = 0;
    net::IpPrefix prefix;
    bool operator==(const Key&) const = default;
    bool operator<(const Key& other) const;
    template <typename H>
    friend H AbslHashValue(H state, const Key& key) {
      const auto bytes = key.prefix.address.bytes();
      return H::combine(H::combine_contiguous(std::move(state), bytes.data(), bytes.size()),
                        key.instance_id, key.prefix.length);
    }
  };
  // The installed prefixes, as a set of slots hashed and compared by the
  // prefix each holds (slot_keys_), looked up by Key: 4 bytes an entry
  // beside the slot's key, one probe or two per lookup. (A std::map's key
  // compares were 20% of bench/run's samples, workers included, while the
  // control thread changed a 1M-entry cache.)
  struct SlotHash {
    using is_transparent = void;
    const std::vector<Key>* keys;
    size_t operator()(uint32_t slot) const { return absl::HashOf((*keys)[slot]); }
    size_t operator()(const Key& key) const { return absl::HashOf(key); }
  };
  struct SlotEq {
    using is_transparent = void;
    const std::vector<Key>* keys;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t slot, const Key& key) const { return (*keys)[slot] == key; }
    bool operator()(const Key& key, uint32_t slot) const { return (*keys)[slot] == key; }
  };
  static constexpr uint32_t kNoSlot = 0xffffffff;

  MapCache(const MapCacheConfig& config, rte_rcu_qsbr* qsbr);
  absl::StatusOr<int> instance_for(uint32_t instance_id);
  const MapEntry* make_entry(const Mapping& mapping, uint32_t slot);
  void retire(const MapEntry* entry, uint32_t slot);
  LpmTable& table_of(int instance, const net::IpPrefix& prefix);
  // The slot of the longest installed prefix of `instance_id` no longer
  // than `longest` that contains `address`.
  std::optional<uint32_t> slot_of_longest(uint32_t instance_id, const net::IpAddress& address,
                                          int longest) const;
  bool has_retired() const;
  void after_change();
  // The entries of `count` table values (slots), each prefetched.
  void entries_of(const uint32_t* values, unsigned count, const MapEntry** entries) const;
  void free_entry(const MapEntry* entry);

  MapCacheConfig config_;
  rte_rcu_qsbr* qsbr_;
  std::array<Instance, kMaxInstances> instances_;
  EntrySlab entries_;
  SlotArray slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<Key> slot_keys_;      // the prefix in each slot
  std::vector<bool> slot_has_key_;  // whether the slot holds an installed prefix
  absl::flat_hash_set<uint32_t, SlotHash, SlotEq> prefixes_;  // the installed prefixes' slots
  std::vector<uint8_t> slot_lengths_;  // each slot's prefix length, for the tables' depths
  std::vector<std::unique_ptr<UsedBits>> used_;  // one per worker
  std::deque<Retired> retired_;
  uint64_t failed_adds_ = 0;
  static constexpr unsigned kChangesPerMaintain = 32;
  unsigned changes_since_maintain_ = 0;
};

// The selection wheel for a set of locators (exposed for tests).
void build_wheel(const std::vector<MappingLocator>& locators,
                 std::array<uint8_t, kWheelSlots>& wheel, bool& has_usable);

}  // namespace lispmob::dataplane
