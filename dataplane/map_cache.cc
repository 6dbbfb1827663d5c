#include "dataplane/map_cache.h"

#include <rte_byteorder.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <numeric>
#include <string>

namespace lispmob::dataplane {

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

unsigned EntrySlab::size_class(unsigned locator_count) {
  return locator_count <= 1 ? 0 : locator_count <= 4 ? 1 : 2;
}

size_t EntrySlab::bytes_for(unsigned locator_count) {
  constexpr std::array<size_t, kSizeClasses> kBytes = {
      RTE_CACHE_LINE_MIN_SIZE, 2 * RTE_CACHE_LINE_MIN_SIZE, sizeof(MapEntry)};
  return kBytes[size_class(locator_count)];
}
static_assert(offsetof(MapEntry, locators) + 4 * sizeof(MapEntry::Locator) <=
                  2 * RTE_CACHE_LINE_MIN_SIZE,
              "four locators must fit the two-line entry");

// The entry is made by zeroing its bytes: MapEntry is an implicit-lifetime
// aggregate of scalars, and only the bytes of its size class exist.
MapEntry* EntrySlab::allocate(unsigned locator_count) {
  const size_t bytes = bytes_for(locator_count);
#ifdef LISPMOB_ENTRIES_ON_CXX_HEAP
  void* memory = ::operator new (bytes, std::align_val_t{alignof(MapEntry)}, std::nothrow);
  if (memory == nullptr) return nullptr;
#else
  auto& free_list = free_[size_class(locator_count)];
  if (free_list.empty()) {
    auto* chunk = static_cast<uint8_t*>(
        rte_malloc_socket("map_entries", kChunkBytes, RTE_CACHE_LINE_SIZE, socket_id_));
    if (chunk == nullptr) return nullptr;
    chunks_.push_back(chunk);
    for (size_t offset = 0; offset + bytes <= kChunkBytes; offset += bytes) {
      free_list.push_back(reinterpret_cast<MapEntry*>(chunk + offset));
    }
  }
  void* memory = free_list.front();
  free_list.pop_front();
#endif
  std::memset(memory, 0, bytes);
  auto* entry = std::launder(static_cast<MapEntry*>(memory));
  entry->locator_count = static_cast<uint8_t>(locator_count);
  return entry;
}

void EntrySlab::free(const MapEntry* entry) {
  if (entry == nullptr) return;
#ifdef LISPMOB_ENTRIES_ON_CXX_HEAP
  ::operator delete (const_cast<MapEntry*>(entry), std::align_val_t{alignof(MapEntry)});
#else
  free_[size_class(entry->locator_count)].push_back(const_cast<MapEntry*>(entry));
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
      slot_keys_(slots_.size()),
      slot_has_key_(slots_.size(), false),
      prefixes_(0, SlotHash{&slot_keys_}, SlotEq{&slot_keys_}),
      slot_lengths_(slots_.size(), 0) {
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
  // An erased prefix's slot still holds its retired entry until the grace
  // period ends: free that entry once, as retired.
  for (auto& retired : retired_) {
    if (retired.slot != kNoSlot) slots_[retired.slot].store(nullptr, std::memory_order_relaxed);
    free_entry(retired.entry);
  }
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    free_entry(slots_[slot].load(std::memory_order_relaxed));
  }
}

absl::StatusOr<int> MapCache::instance_for(uint32_t instance_id) {
  const int existing = instance_index(instance_id);
  if (existing >= 0) return existing;
  for (unsigned i = 0; i < kMaxInstances; ++i) {
    Instance& instance = instances_[i];
    if (instance.in_use.load(std::memory_order_relaxed)) continue;
    LpmTable::Config table_config;
    table_config.socket_id = config_.socket_id;
    table_config.value_lengths = slot_lengths_.data();
    table_config.address_bytes = 4;
    table_config.max_groups = config_.ipv4_tbl8_groups;
    auto table4 = LpmTable::create(table_config, qsbr_);
    if (!table4.ok()) return table4.status();
    table_config.address_bytes = 16;
    table_config.max_groups = config_.ipv6_tbl8_groups;
    auto table6 = LpmTable::create(table_config, qsbr_);
    if (!table6.ok()) return table6.status();
    instance.table4 = std::move(*table4);
    instance.table6 = std::move(*table6);
    instance.instance_id = instance_id;
    instance.in_use.store(true, std::memory_order_release);
    return static_cast<int>(i);
  }
  return absl::ResourceExhaustedError("more than 16 instance-ids in the map-cache");
}

const MapEntry* MapCache::make_entry(const Mapping& mapping, uint32_t slot) {
  MapEntry* entry = entries_.allocate(static_cast<unsigned>(mapping.locators.size()));
  if (entry == nullptr) return nullptr;
  entry->instance_id = mapping.instance_id;
  entry->slot = slot;
  entry->action = mapping.action;
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

LpmTable& MapCache::table_of(int instance, const net::IpPrefix& prefix) {
  return prefix.address.is_v4() ? *instances_[instance].table4 : *instances_[instance].table6;
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
    // The prefix keeps its slot: readers move to the new entry in one store.
    const uint32_t slot = *found;
    const MapEntry* entry = make_entry(mapping, slot);
    if (entry == nullptr) return absl::ResourceExhaustedError("no memory for a map-cache entry");
    const MapEntry* old = slots_[slot].exchange(entry, std::memory_order_release);
    retire(old, kNoSlot);
    after_change();
    return absl::OkStatus();
  }
  if (free_slots_.empty()) maintain();  // slots whose grace period is over
  if (free_slots_.empty()) return absl::ResourceExhaustedError("map-cache full");
  const uint32_t slot = free_slots_.back();
  const MapEntry* entry = make_entry(mapping, slot);
  if (entry == nullptr) return absl::ResourceExhaustedError("no memory for a map-cache entry");
  slots_[slot].store(entry, std::memory_order_release);
  slot_lengths_[slot] = mapping.prefix.length;
  const auto status = table_of(*instance, mapping.prefix)
                          .add(mapping.prefix.address.bytes().data(), mapping.prefix.length, slot);
  if (!status.ok()) {
    // Nothing routes to the slot: no reader can hold its entry.
    slots_[slot].store(nullptr, std::memory_order_relaxed);
    free_entry(entry);
    ++failed_adds_;
    after_change();
    return status;
  }
  free_slots_.pop_back();
  slot_keys_[slot] = key;
  slot_has_key_[slot] = true;
  prefixes_.insert(slot);
  after_change();
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
    if (slot_has_key_[slot])
      used.emplace_back(slot_keys_[slot].instance_id, slot_keys_[slot].prefix);
  }
  return used;
}

std::optional<uint32_t> MapCache::slot_of_longest(uint32_t instance_id,
                                                  const net::IpAddress& address,
                                                  int longest) const {
  for (int length = longest; length >= 0; --length) {
    const net::IpPrefix prefix{address.masked(static_cast<unsigned>(length)),
                               static_cast<uint8_t>(length)};
    if (auto found = prefixes_.find(Key{instance_id, prefix}); found != prefixes_.end()) {
      return *found;
    }
  }
  return std::nullopt;
}

absl::Status MapCache::erase(uint32_t instance_id, const net::IpPrefix& prefix) {
  auto found = prefixes_.find(Key{instance_id, prefix});
  if (found == prefixes_.end()) return absl::NotFoundError("no such map-cache entry");
  const uint32_t slot = *found;
  // Its addresses go to the longest prefix that contains it.
  const auto cover = slot_of_longest(instance_id, prefix.address, prefix.length - 1);
  table_of(instance_index(instance_id), prefix)
      .remove(prefix.address.bytes().data(), prefix.length, slot, cover ? *cover : LpmTable::kMiss);
  prefixes_.erase(found);
  slot_has_key_[slot] = false;
  // Readers that looked the slot up before the change hold it at most until
  // their next quiescent state.
  retire(slots_[slot].load(std::memory_order_relaxed), slot);
  after_change();
  return absl::OkStatus();
}

std::vector<std::pair<uint32_t, net::IpPrefix>> MapCache::prefixes() const {
  std::vector<std::pair<uint32_t, net::IpPrefix>> all;
  std::vector<const Key*> keys;
  keys.reserve(prefixes_.size());
  for (uint32_t slot : prefixes_) keys.push_back(&slot_keys_[slot]);
  std::sort(keys.begin(), keys.end(), [](const Key* a, const Key* b) { return *a < *b; });
  all.reserve(keys.size());
  for (const Key* key : keys) all.emplace_back(key->instance_id, key->prefix);
  return all;
}

std::optional<net::IpPrefix> MapCache::longest_match(uint32_t instance_id,
                                                     const net::IpAddress& address) const {
  const auto slot =
      slot_of_longest(instance_id, address, static_cast<int>(address.max_prefix_len()));
  if (!slot) return std::nullopt;
  return slot_keys_[*slot].prefix;
}

// Checking a grace period reads every worker's counter line, which the
// workers keep writing: once per change, that check cost the control thread
// more than the change. Every kChangesPerMaintain changes it is one check
// for all of them; what waits meanwhile is a few entries.
void MapCache::after_change() {
  if (++changes_since_maintain_ < kChangesPerMaintain) return;
  changes_since_maintain_ = 0;
  maintain();
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
  for (auto& instance : instances_) {
    if (instance.table4) instance.table4->reclaim();
    if (instance.table6) instance.table6->reclaim();
  }
}

bool MapCache::has_retired() const {
  if (!retired_.empty()) return true;
  for (const auto& instance : instances_) {
    if (instance.table4 && instance.table4->has_retired()) return true;
    if (instance.table6 && instance.table6->has_retired()) return true;
  }
  return false;
}

void MapCache::flush() {
  while (has_retired()) {
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

void MapCache::entries_of(const uint32_t* values, unsigned count, const MapEntry** entries) const {
  // Every slot's line is asked for before the first is read, so a burst
  // waits for memory about once, not once per packet.
  for (unsigned i = 0; i < count; ++i) {
    if (values[i] != LpmTable::kMiss) rte_prefetch0(&slots_[values[i]]);
  }
  for (unsigned i = 0; i < count; ++i) {
    entries[i] =
        values[i] == LpmTable::kMiss ? nullptr : slots_[values[i]].load(std::memory_order_acquire);
    if (entries[i]) rte_prefetch0(entries[i]);
  }
}

void MapCache::lookup_v4_bulk(int instance, const uint32_t* addresses, unsigned count,
                              const MapEntry** entries) const {
  if (count == 0) return;
  uint32_t values[64];
  instances_[instance].table4->lookup_v4_bulk(addresses, count, values);
  entries_of(values, count, entries);
}

void MapCache::lookup_v6_bulk(int instance, const uint8_t* const* addresses, unsigned count,
                              const MapEntry** entries) const {
  if (count == 0) return;
  uint32_t values[64];
  instances_[instance].table6->lookup_bulk(addresses, count, values);
  entries_of(values, count, entries);
}

}  // namespace lispmob::dataplane
