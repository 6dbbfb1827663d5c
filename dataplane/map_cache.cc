#include "dataplane/map_cache.h"

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "absl/strings/str_cat.h"

namespace lispmob::dataplane {

namespace {

// Next hops are 31 bits with 4-byte entries; the default marks a miss.
constexpr uint64_t kFibMiss = (1u << 30);

uint32_t host_order_v4(const net::IpAddress& address) {
  const auto bytes = address.bytes();
  return static_cast<uint32_t>(bytes[0]) << 24 | static_cast<uint32_t>(bytes[1]) << 16 |
         static_cast<uint32_t>(bytes[2]) << 8 | bytes[3];
}

}  // namespace

void build_wheel(const std::vector<MappingLocator>& locators,
                 std::array<uint8_t, kWheelSlots>& wheel, bool& has_usable) {
  wheel.fill(0);
  // RFC 9301 §5.4: the lowest priority among usable locators wins; 255 means
  // "not for unicast".
  unsigned best = 255;
  for (const auto& locator : locators) {
    if (locator.reachable && locator.priority < best) best = locator.priority;
  }
  has_usable = best < 255;
  if (!has_usable) return;
  std::vector<unsigned> chosen;
  unsigned total_weight = 0;
  for (unsigned i = 0; i < locators.size(); ++i) {
    if (locators[i].reachable && locators[i].priority == best) {
      chosen.push_back(i);
      total_weight += locators[i].weight;
    }
  }
  // All weights zero: share equally (RFC 9301 §5.4).
  auto weight_of = [&](unsigned i) { return total_weight ? locators[i].weight : 1u; };
  const unsigned weight_sum = total_weight ? total_weight : static_cast<unsigned>(chosen.size());
  // Largest-remainder apportionment of the wheel's slots.
  std::vector<unsigned> counts(chosen.size());
  std::vector<unsigned> remainders(chosen.size());
  unsigned assigned = 0;
  for (unsigned k = 0; k < chosen.size(); ++k) {
    const unsigned scaled = weight_of(chosen[k]) * kWheelSlots;
    counts[k] = scaled / weight_sum;
    remainders[k] = scaled % weight_sum;
    assigned += counts[k];
  }
  std::vector<unsigned> order(chosen.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](unsigned a, unsigned b) { return remainders[a] > remainders[b]; });
  for (unsigned k = 0; assigned < kWheelSlots; ++k, ++assigned) counts[order[k % order.size()]]++;
  unsigned position = 0;
  for (unsigned k = 0; k < chosen.size(); ++k) {
    for (unsigned n = 0; n < counts[k]; ++n) wheel[position++] = static_cast<uint8_t>(chosen[k]);
  }
}

#if defined(__SANITIZE_ADDRESS__)
#define LISPMOB_ENTRIES_ON_CXX_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LISPMOB_ENTRIES_ON_CXX_HEAP 1
#endif
#endif

EntrySlab::~EntrySlab() {
  for (void* chunk : chunks_) rte_free(chunk);
}

MapEntry* EntrySlab::allocate() {
#ifdef LISPMOB_ENTRIES_ON_CXX_HEAP
  return new (std::nothrow) MapEntry{};
#else
  if (free_.empty()) {
    auto* chunk = static_cast<MapEntry*>(rte_malloc_socket(
        "map_entries", kChunkEntries * sizeof(MapEntry), RTE_CACHE_LINE_SIZE, socket_id_));
    if (chunk == nullptr) return nullptr;
    chunks_.push_back(chunk);
    for (size_t i = 0; i < kChunkEntries; ++i) free_.push_back(chunk + i);
  }
  MapEntry* entry = free_.front();
  free_.pop_front();
  return new (entry) MapEntry{};
#endif
}

void EntrySlab::free(const MapEntry* entry) {
  if (entry == nullptr) return;
#ifdef LISPMOB_ENTRIES_ON_CXX_HEAP
  delete entry;
#else
  free_.push_back(const_cast<MapEntry*>(entry));
#endif
}

SlotArray::SlotArray(size_t size, int socket_id)
    : slots_(static_cast<std::atomic<const MapEntry*>*>(
          rte_zmalloc_socket("map_slots", size * sizeof(std::atomic<const MapEntry*>),
                             RTE_CACHE_LINE_SIZE, socket_id))),
      size_(slots_ ? size : 0) {}

SlotArray::~SlotArray() { rte_free(slots_); }

bool MapCache::Key::operator<(const Key& other) const {
  if (instance_id != other.instance_id) return instance_id < other.instance_id;
  if (prefix.address != other.prefix.address) return prefix.address < other.prefix.address;
  return prefix.length < other.prefix.length;
}

MapCache::MapCache(const MapCacheConfig& config, rte_rcu_qsbr* qsbr)
    : config_(config),
      qsbr_(qsbr),
      entries_(config.socket_id),
      slots_(static_cast<size_t>(config.max_entries) + config.max_entries_v6, config.socket_id),
      slot_keys_(slots_.size(), nullptr) {
  for (unsigned worker = 0; worker < std::max(config.workers, 1u); ++worker) {
    used_.push_back(std::make_unique<UsedBits>(slots_.size()));
  }
  free_slots_.resize(slots_.size());
  // Pop from the back: hand out low slot numbers first.
  std::iota(free_slots_.rbegin(), free_slots_.rend(), 0u);
}

absl::StatusOr<std::unique_ptr<MapCache>> MapCache::create(const MapCacheConfig& config,
                                                           rte_rcu_qsbr* qsbr) {
  if (qsbr == nullptr) return absl::InvalidArgumentError("map-cache needs a QSBR variable");
  if (config.max_entries == 0 || config.max_entries > (1u << 23) || config.max_entries_v6 == 0 ||
      config.max_entries_v6 > (1u << 23)) {
    return absl::InvalidArgumentError("map-cache size must be 1 to 8388608 entries per family");
  }
  auto cache = std::unique_ptr<MapCache>(new MapCache(config, qsbr));
  if (!cache->slots_.ok())
    return absl::ResourceExhaustedError("no DPDK memory for the map-cache's slots");
  return cache;
}

MapCache::~MapCache() {
  for (auto& instance : instances_) {
    for (auto* fib : instance.fib4) {
      if (fib) rte_fib_free(fib);
    }
    for (auto* fib : instance.fib6) {
      if (fib) rte_fib6_free(fib);
    }
  }
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    free_entry(slots_[slot].load(std::memory_order_relaxed));
  }
  for (auto& retired : retired_) free_entry(retired.entry);
}

absl::StatusOr<int> MapCache::instance_for(uint32_t instance_id) {
  const int existing = instance_index(instance_id);
  if (existing >= 0) return existing;
  for (unsigned i = 0; i < kMaxInstances; ++i) {
    Instance& instance = instances_[i];
    if (instance.in_use.load(std::memory_order_relaxed)) continue;
    // DPDK object names are global to the process: make them unique.
    const std::string name =
        absl::StrCat("mc", reinterpret_cast<uintptr_t>(this) & 0xffffff, "_", i);
    for (unsigned copy = 0; copy < 2; ++copy) {
      rte_fib_conf fib4_config{};
      fib4_config.type = RTE_FIB_DIR24_8;
      fib4_config.default_nh = kFibMiss;
      // rte_fib preallocates its RIB's nodes (about 420 bytes each, measured),
      // so memory follows this capacity, not the routes in use.
      fib4_config.max_routes = static_cast<int>(config_.max_entries);
      fib4_config.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
      fib4_config.dir24_8.num_tbl8 = config_.ipv4_tbl8_groups;
      instance.fib4[copy] =
          rte_fib_create(absl::StrCat(name, "v4", copy).c_str(), config_.socket_id, &fib4_config);
      if (instance.fib4[copy] == nullptr) {
        return absl::ResourceExhaustedError("rte_fib_create failed");
      }
      rte_fib6_conf fib_config{};
      fib_config.type = RTE_FIB6_TRIE;
      fib_config.default_nh = kFibMiss;
      fib_config.max_routes = static_cast<int>(config_.max_entries_v6);
      fib_config.trie.nh_sz = RTE_FIB6_TRIE_4B;
      fib_config.trie.num_tbl8 = config_.ipv6_tbl8_groups;
      instance.fib6[copy] =
          rte_fib6_create(absl::StrCat(name, "v6", copy).c_str(), config_.socket_id, &fib_config);
      if (instance.fib6[copy] == nullptr)
        return absl::ResourceExhaustedError("rte_fib6_create failed");
    }
    instance.instance_id = instance_id;
    instance.in_use.store(true, std::memory_order_release);
    return static_cast<int>(i);
  }
  return absl::ResourceExhaustedError("more than 16 instance-ids in the map-cache");
}

const MapEntry* MapCache::make_entry(const Mapping& mapping, uint32_t slot) {
  MapEntry* entry = entries_.allocate();
  if (entry == nullptr) return nullptr;
  entry->instance_id = mapping.instance_id;
  entry->slot = slot;
  entry->action = mapping.action;
  entry->locator_count = static_cast<uint8_t>(mapping.locators.size());
  for (size_t i = 0; i < mapping.locators.size(); ++i) {
    const auto& rloc = mapping.locators[i].rloc;
    entry->locators[i].ipv6 = rloc.is_v6();
    entry->locators[i].path_mtu = mapping.locators[i].path_mtu;
    std::copy(rloc.bytes().begin(), rloc.bytes().end(), entry->locators[i].address.begin());
  }
  build_wheel(mapping.locators, entry->wheel, entry->has_usable_locator);
  return entry;
}

void MapCache::free_entry(const MapEntry* entry) { entries_.free(entry); }

void MapCache::retire(const MapEntry* entry, uint32_t slot) {
  retired_.push_back({rte_rcu_qsbr_start(qsbr_), entry, slot});
}

absl::Status MapCache::upsert(const Mapping& mapping) {
  if (mapping.locators.size() > kMaxLocators) {
    return absl::InvalidArgumentError("more than 8 locators in a mapping");
  }
  if (mapping.prefix.address.masked(mapping.prefix.length) != mapping.prefix.address) {
    return absl::InvalidArgumentError("prefix has bits set past its length");
  }
  auto instance = instance_for(mapping.instance_id);
  if (!instance.ok()) return instance.status();
  const Key key{mapping.instance_id, mapping.prefix};
  if (auto found = prefixes_.find(key); found != prefixes_.end()) {
    const MapEntry* entry = make_entry(mapping, found->second);
    if (entry == nullptr) return absl::ResourceExhaustedError("no memory for a map-cache entry");
    const MapEntry* old = slots_[found->second].exchange(entry, std::memory_order_release);
    retire(old, kNoSlot);
    maintain();
    return absl::OkStatus();
  }
  if (free_slots_.empty()) return absl::ResourceExhaustedError("map-cache full");
  const uint32_t slot = free_slots_.back();
  const MapEntry* entry = make_entry(mapping, slot);
  if (entry == nullptr) return absl::ResourceExhaustedError("no memory for a map-cache entry");
  free_slots_.pop_back();
  slots_[slot].store(entry, std::memory_order_release);
  queued_.push_back({*instance, mapping.prefix, slot});
  slot_keys_[slot] = &prefixes_.emplace(key, slot).first->first;
  maintain();
  return absl::OkStatus();
}

std::vector<std::pair<uint32_t, net::IpPrefix>> MapCache::take_used() {
  std::vector<std::pair<uint32_t, net::IpPrefix>> used;
  std::vector<uint32_t> slots;
  for (auto& bits : used_) bits->take([&slots](uint32_t slot) { slots.push_back(slot); });
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  for (uint32_t slot : slots) {
    // A slot whose prefix went since (or went and came back as another).
    if (const Key* key = slot_keys_[slot]) used.emplace_back(key->instance_id, key->prefix);
  }
  return used;
}

absl::Status MapCache::erase(uint32_t instance_id, const net::IpPrefix& prefix) {
  auto found = prefixes_.find(Key{instance_id, prefix});
  if (found == prefixes_.end()) return absl::NotFoundError("no such map-cache entry");
  const uint32_t slot = found->second;
  slot_keys_[slot] = nullptr;
  prefixes_.erase(found);
  // The slot is retired when the delete reaches the second copy of the tables.
  queued_.push_back({instance_index(instance_id), prefix, kNoSlot});
  pending_deletes_.push_back(slot);
  maintain();
  return absl::OkStatus();
}

std::vector<std::pair<uint32_t, net::IpPrefix>> MapCache::prefixes() const {
  std::vector<std::pair<uint32_t, net::IpPrefix>> all;
  all.reserve(prefixes_.size());
  for (const auto& [key, slot] : prefixes_) all.emplace_back(key.instance_id, key.prefix);
  return all;
}

std::optional<net::IpPrefix> MapCache::longest_match(uint32_t instance_id,
                                                     const net::IpAddress& address) const {
  for (int length = static_cast<int>(address.max_prefix_len()); length >= 0; --length) {
    const net::IpPrefix prefix{address.masked(static_cast<unsigned>(length)),
                               static_cast<uint8_t>(length)};
    if (prefixes_.count(Key{instance_id, prefix})) return prefix;
  }
  return std::nullopt;
}

absl::Status MapCache::apply(int instance, uint32_t copy, const FibChange& change) {
  const auto& address = change.prefix.address;
  const uint8_t length = change.prefix.length;
  int result;
  if (address.is_v4()) {
    rte_fib* fib = instances_[instance].fib4[copy];
    result = change.slot == kNoSlot ? rte_fib_delete(fib, host_order_v4(address), length)
                                    : rte_fib_add(fib, host_order_v4(address), length, change.slot);
  } else {
    rte_fib6* fib = instances_[instance].fib6[copy];
    result = change.slot == kNoSlot
                 ? rte_fib6_delete(fib, address.bytes().data(), length)
                 : rte_fib6_add(fib, address.bytes().data(), length, change.slot);
  }
  if (result != 0 && change.slot != kNoSlot) {
    ++failed_adds_;
    return absl::ResourceExhaustedError("FIB add failed (tbl8 groups exhausted?)");
  }
  return absl::OkStatus();
}

void MapCache::publish_changes() {
  // Apply the queued changes to the standby copies, then swap them in.
  bool touched[kMaxInstances] = {};
  for (const auto& change : queued_) {
    const uint32_t standby = instances_[change.instance].active.load(std::memory_order_relaxed) ^ 1;
    (void)apply(change.instance, standby, change);  // a failure is counted in failed_adds_
    touched[change.instance] = true;
  }
  for (unsigned i = 0; i < kMaxInstances; ++i) {
    if (touched[i]) instances_[i].active.fetch_xor(1, std::memory_order_release);
  }
  lagging_ = std::move(queued_);
  queued_.clear();
  lagging_deletes_ = std::move(pending_deletes_);
  pending_deletes_.clear();
  grace_token_ = rte_rcu_qsbr_start(qsbr_);
  grace_pending_ = true;
}

void MapCache::maintain() {
  while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().token, false) == 1) {
    const Retired retired = retired_.front();
    retired_.pop_front();
    free_entry(retired.entry);
    if (retired.slot != kNoSlot) {
      slots_[retired.slot].store(nullptr, std::memory_order_relaxed);
      free_slots_.push_back(retired.slot);
    }
  }
  if (grace_pending_) {
    if (rte_rcu_qsbr_check(qsbr_, grace_token_, false) != 1) return;
    // No reader is left in the copies retired by the last swap: catch them up.
    for (const auto& change : lagging_) {
      const uint32_t standby =
          instances_[change.instance].active.load(std::memory_order_relaxed) ^ 1;
      (void)apply(change.instance, standby, change);
    }
    lagging_.clear();
    // Neither copy references these slots now; readers that looked them up
    // before the swap are covered by one more grace period.
    for (uint32_t slot : lagging_deletes_) {
      retire(slots_[slot].load(std::memory_order_relaxed), slot);
    }
    lagging_deletes_.clear();
    grace_pending_ = false;
  }
  if (!queued_.empty()) publish_changes();
}

void MapCache::flush() {
  while (grace_pending_ || !queued_.empty() || !retired_.empty()) {
    rte_rcu_qsbr_synchronize(qsbr_, RTE_QSBR_THRID_INVALID);
    maintain();
  }
}

const MapEntry* MapCache::lookup_v4(int instance, uint32_t address_be) const {
  uint32_t address = rte_be_to_cpu_32(address_be);
  const MapEntry* entry = nullptr;
  lookup_v4_bulk(instance, &address, 1, &entry);
  return entry;
}

const MapEntry* MapCache::lookup_v6(int instance, const uint8_t address[16]) const {
  const MapEntry* entry = nullptr;
  lookup_v6_bulk(instance, &address, 1, &entry);
  return entry;
}

void MapCache::entries_of(const uint64_t* next_hops, unsigned count,
                          const MapEntry** entries) const {
  // Every slot's line is asked for before the first is read, so a burst
  // waits for memory about once, not once per packet.
  for (unsigned i = 0; i < count; ++i) {
    if (next_hops[i] != kFibMiss) rte_prefetch0(&slots_[next_hops[i]]);
  }
  for (unsigned i = 0; i < count; ++i) {
    entries[i] =
        next_hops[i] == kFibMiss ? nullptr : slots_[next_hops[i]].load(std::memory_order_acquire);
    if (entries[i]) rte_prefetch0(entries[i]);
  }
}

void MapCache::lookup_v4_bulk(int instance, const uint32_t* addresses, unsigned count,
                              const MapEntry** entries) const {
  if (count == 0) return;
  const Instance& table = instances_[instance];
  rte_fib* fib = table.fib4[table.active.load(std::memory_order_acquire)];
  uint32_t copies[64];
  uint64_t next_hops[64];
  std::memcpy(copies, addresses, count * sizeof(uint32_t));  // the API takes non-const
  rte_fib_lookup_bulk(fib, copies, next_hops, static_cast<int>(count));
  entries_of(next_hops, count, entries);
}

void MapCache::lookup_v6_bulk(int instance, const uint8_t* const* addresses, unsigned count,
                              const MapEntry** entries) const {
  if (count == 0) return;
  const Instance& table = instances_[instance];
  rte_fib6* fib = table.fib6[table.active.load(std::memory_order_acquire)];
  uint8_t copies[64][RTE_FIB6_IPV6_ADDR_SIZE];
  uint64_t next_hops[64];
  for (unsigned i = 0; i < count; ++i)
    std::memcpy(copies[i], addresses[i], RTE_FIB6_IPV6_ADDR_SIZE);
  rte_fib6_lookup_bulk(fib, copies, next_hops, static_cast<int>(count));
  entries_of(next_hops, count, entries);
}

}  // namespace lispmob::dataplane
