#include "dataplane/lpm_table.h"

#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <algorithm>

namespace lispmob::dataplane {

namespace {

uint32_t first_index(const uint8_t* address) {
  return uint32_t{address[0]} << 16 | uint32_t{address[1]} << 8 | address[2];
}

}  // namespace

LpmTable::LpmTable(const Config& config, rte_rcu_qsbr* qsbr)
    : config_(config),
      qsbr_(qsbr),
      chunks_((config.max_groups + kChunkGroups - 1) / kChunkGroups, nullptr) {}

absl::StatusOr<std::unique_ptr<LpmTable>> LpmTable::create(const Config& config,
                                                           rte_rcu_qsbr* qsbr) {
  if (config.address_bytes != 4 && config.address_bytes != 16) {
    return absl::InvalidArgumentError("an LPM table holds IPv4 or IPv6 addresses");
  }
  if (config.value_lengths == nullptr || config.max_groups > (kGroupBit - 1)) {
    return absl::InvalidArgumentError("an LPM table needs its values' lengths and a group cap");
  }
  std::unique_ptr<LpmTable> table(new LpmTable(config, qsbr));
  const size_t entries = size_t{1} << kFirstBits;
  table->first_level_ = static_cast<Entry*>(rte_malloc_socket(
      "lpm_first_level", entries * sizeof(Entry), RTE_CACHE_LINE_SIZE, config.socket_id));
  if (table->first_level_ == nullptr) {
    return absl::ResourceExhaustedError("no DPDK memory for an LPM table's 64 MiB first level");
  }
  for (size_t i = 0; i < entries; ++i) {
    new (&table->first_level_[i]) Entry(kMiss);
  }
  return table;
}

LpmTable::~LpmTable() {
  for (Entry* chunk : chunks_) rte_free(chunk);
  rte_free(first_level_);
}

size_t LpmTable::bytes() const {
  size_t total = (size_t{1} << kFirstBits) * sizeof(Entry);
  for (size_t chunk = 0; chunk < chunks_.size(); ++chunk) {
    if (chunks_[chunk] == nullptr) continue;
    const size_t groups = std::min<size_t>(kChunkGroups, config_.max_groups - chunk * kChunkGroups);
    total += groups * kGroupEntries * sizeof(Entry);
  }
  return total;
}

absl::StatusOr<uint32_t> LpmTable::allocate_group() {
  if (!free_groups_.empty()) {
    const uint32_t index = free_groups_.back();
    free_groups_.pop_back();
    ++groups_in_use_;
    return index;
  }
  if (groups_made_ >= config_.max_groups) {
    return absl::ResourceExhaustedError("the map-cache's LPM groups are all in use");
  }
  const uint32_t chunk = groups_made_ / kChunkGroups;
  if (chunks_[chunk] == nullptr) {
    const size_t groups =
        std::min<size_t>(kChunkGroups, config_.max_groups - size_t{chunk} * kChunkGroups);
    chunks_[chunk] =
        static_cast<Entry*>(rte_malloc_socket("lpm_groups", groups * kGroupEntries * sizeof(Entry),
                                              RTE_CACHE_LINE_SIZE, config_.socket_id));
    if (chunks_[chunk] == nullptr) {
      return absl::ResourceExhaustedError("no DPDK memory for more map-cache LPM groups");
    }
  }
  ++groups_in_use_;
  return groups_made_++;
}

absl::StatusOr<uint32_t> LpmTable::expand(Entry& entry) {
  const uint32_t current = entry.load(std::memory_order_relaxed);
  if (current & kGroupBit) return current & ~kGroupBit;
  auto index = allocate_group();
  if (!index.ok()) return index.status();
  Entry* entries = group(*index);
  // The new group says what the leaf said for every address below it; a
  // reader that follows the pointer sees it whole (release below).
  for (unsigned i = 0; i < kGroupEntries; ++i) new (&entries[i]) Entry(current);
  entry.store(*index | kGroupBit, std::memory_order_release);
  return *index;
}

void LpmTable::route_shorter(Entry& entry, uint32_t value, unsigned length) {
  const uint32_t current = entry.load(std::memory_order_relaxed);
  if (current & kGroupBit) {
    Entry* entries = group(current & ~kGroupBit);
    for (unsigned i = 0; i < kGroupEntries; ++i) route_shorter(entries[i], value, length);
  } else if (depth_of(current) <= static_cast<int>(length)) {
    entry.store(value, std::memory_order_release);
  }
}

void LpmTable::replace(Entry& entry, uint32_t old_value, uint32_t new_value) {
  const uint32_t current = entry.load(std::memory_order_relaxed);
  if (current & kGroupBit) {
    Entry* entries = group(current & ~kGroupBit);
    for (unsigned i = 0; i < kGroupEntries; ++i) replace(entries[i], old_value, new_value);
  } else if (current == old_value) {
    entry.store(new_value, std::memory_order_release);
  }
}

void LpmTable::retire_group(uint32_t group_index) {
  retired_.push_back({rte_rcu_qsbr_start(qsbr_), group_index});
}

// A group on the path whose entries are one leaf from a prefix no longer
// than the group's parent level says nothing its parent cannot: the parent
// takes the leaf, and the group goes after a grace period. Deepest first.
void LpmTable::collapse(const std::vector<std::pair<Entry*, uint32_t>>& path) {
  for (size_t level = path.size(); level-- > 0;) {
    const auto [parent, index] = path[level];
    const unsigned base = kFirstBits + 8 * static_cast<unsigned>(level);
    Entry* entries = group(index);
    const uint32_t leaf = entries[0].load(std::memory_order_relaxed);
    if ((leaf & kGroupBit) || depth_of(leaf) > static_cast<int>(base)) return;
    for (unsigned i = 1; i < kGroupEntries; ++i) {
      if (entries[i].load(std::memory_order_relaxed) != leaf) return;
    }
    parent->store(leaf, std::memory_order_release);
    retire_group(index);
  }
}

absl::Status LpmTable::add(const uint8_t* prefix, unsigned length, uint32_t value) {
  if (length > config_.address_bytes * 8 || value > kMaxValue) {
    return absl::InvalidArgumentError("prefix length or value out of range");
  }
  if (length <= kFirstBits) {
    Entry* first = first_level_ + first_index(prefix);
    const uint32_t count = 1u << (kFirstBits - length);
    for (uint32_t i = 0; i < count; ++i) route_shorter(first[i], value, length);
    return absl::OkStatus();
  }
  std::vector<std::pair<Entry*, uint32_t>> path;
  Entry* entry = first_level_ + first_index(prefix);
  for (unsigned base = kFirstBits, byte = 3;; base += 8, ++byte) {
    auto index = expand(*entry);
    if (!index.ok()) {
      collapse(path);  // groups made for this prefix, still uniform
      return index.status();
    }
    path.emplace_back(entry, *index);
    Entry* entries = group(*index);
    if (length <= base + 8) {
      const uint32_t count = 1u << (base + 8 - length);
      for (uint32_t i = 0; i < count; ++i) route_shorter(entries[prefix[byte] + i], value, length);
      return absl::OkStatus();
    }
    entry = entries + prefix[byte];
  }
}

void LpmTable::remove(const uint8_t* prefix, unsigned length, uint32_t value, uint32_t cover) {
  if (length > config_.address_bytes * 8) return;
  if (length <= kFirstBits) {
    Entry* first = first_level_ + first_index(prefix);
    const uint32_t count = 1u << (kFirstBits - length);
    for (uint32_t i = 0; i < count; ++i) replace(first[i], value, cover);
    return;
  }
  std::vector<std::pair<Entry*, uint32_t>> path;
  Entry* entry = first_level_ + first_index(prefix);
  for (unsigned base = kFirstBits, byte = 3;; base += 8, ++byte) {
    const uint32_t current = entry->load(std::memory_order_relaxed);
    if ((current & kGroupBit) == 0) return;  // never routed here (its add was refused)
    const uint32_t index = current & ~kGroupBit;
    path.emplace_back(entry, index);
    Entry* entries = group(index);
    if (length <= base + 8) {
      const uint32_t count = 1u << (base + 8 - length);
      for (uint32_t i = 0; i < count; ++i) replace(entries[prefix[byte] + i], value, cover);
      collapse(path);
      return;
    }
    entry = entries + prefix[byte];
  }
}

void LpmTable::reclaim() {
  while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().token, false) == 1) {
    free_groups_.push_back(retired_.front().group);
    retired_.pop_front();
    --groups_in_use_;
  }
}

uint32_t LpmTable::lookup(const uint8_t* address) const {
  uint32_t entry = first_level_[first_index(address)].load(std::memory_order_acquire);
  for (unsigned byte = 3; entry & kGroupBit; ++byte) {
    entry = group(entry & ~kGroupBit)[address[byte]].load(std::memory_order_acquire);
  }
  return entry;
}

void LpmTable::lookup_v4_bulk(const uint32_t* addresses, unsigned count, uint32_t* values) const {
  // Every first-level line is asked for before the first is read.
  for (unsigned i = 0; i < count; ++i) rte_prefetch0(&first_level_[addresses[i] >> 8]);
  for (unsigned i = 0; i < count; ++i) {
    uint32_t entry = first_level_[addresses[i] >> 8].load(std::memory_order_acquire);
    if (entry & kGroupBit) {
      entry = group(entry & ~kGroupBit)[addresses[i] & 0xff].load(std::memory_order_acquire);
    }
    values[i] = entry;
  }
}

// Level by level over the whole burst rather than address by address: the
// loads of one level are independent of each other, so they overlap, where
// one address's walk is a chain of dependent loads (a /48 is four). The
// bench's encap6 lookup took 21 cycles walked one address at a time.
void LpmTable::lookup_bulk(const uint8_t* const* addresses, unsigned count,
                           uint32_t* values) const {
  for (unsigned i = 0; i < count; ++i) rte_prefetch0(&first_level_[first_index(addresses[i])]);
  uint32_t deeper = 0;
  for (unsigned i = 0; i < count; ++i) {
    values[i] = first_level_[first_index(addresses[i])].load(std::memory_order_acquire);
    deeper |= values[i];
  }
  for (unsigned byte = 3; (deeper & kGroupBit) != 0; ++byte) {
    deeper = 0;
    for (unsigned i = 0; i < count; ++i) {
      if ((values[i] & kGroupBit) == 0) continue;
      values[i] = group(values[i] & ~kGroupBit)[addresses[i][byte]].load(std::memory_order_acquire);
      deeper |= values[i];
    }
  }
}

}  // namespace lispmob::dataplane
