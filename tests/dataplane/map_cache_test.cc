#include "dataplane/map_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/dataplane/fixture.h"

namespace lispmob::dataplane {
namespace {

using testing::ip;
using testing::prefix;

class MapCacheTest : public testing::DataplaneTest {
 protected:
  const MapEntry* find(const char* address, uint32_t iid = 0) {
    const int instance = cache_->instance_index(iid);
    if (instance < 0) return nullptr;
    const auto parsed = ip(address);
    if (parsed.is_v4()) {
      uint32_t be;
      std::memcpy(&be, parsed.bytes().data(), 4);
      return cache_->lookup_v4(instance, be);
    }
    return cache_->lookup_v6(instance, parsed.bytes().data());
  }
  static std::string rloc_of(const MapEntry* entry, unsigned index) {
    const auto& locator = entry->locators[index];
    return locator.ipv6 ? net::IpAddress::v6(locator.address).to_string()
                        : net::IpAddress::v4(std::span<const uint8_t, 4>(locator.address.data(), 4))
                              .to_string();
  }
};

TEST_F(MapCacheTest, LongestPrefixMatchBothFamilies) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  add("203.0.113.128/25", {{ip("192.0.2.44")}});
  add("2001:db8:2::/48", {{ip("2001:db8:ff::4")}});
  add("2001:db8:2:1::/64", {{ip("192.0.2.4")}});
  ASSERT_NE(find("203.0.113.10"), nullptr);
  EXPECT_EQ(rloc_of(find("203.0.113.10"), 0), "192.0.2.4");
  EXPECT_EQ(rloc_of(find("203.0.113.200"), 0), "192.0.2.44");
  EXPECT_EQ(find("203.0.114.1"), nullptr);
  EXPECT_EQ(rloc_of(find("2001:db8:2::10"), 0), "2001:db8:ff::4");
  EXPECT_EQ(rloc_of(find("2001:db8:2:1::10"), 0), "192.0.2.4");
  EXPECT_EQ(find("2001:db8:3::10"), nullptr);
  EXPECT_EQ(cache_->size(), 4u);
}

TEST_F(MapCacheTest, ReplaceAndErase) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  add("203.0.113.0/24", {{ip("192.0.2.7")}});
  EXPECT_EQ(rloc_of(find("203.0.113.10"), 0), "192.0.2.7");
  EXPECT_EQ(cache_->size(), 1u);
  add("2001:db8:2::/48", {{ip("2001:db8:ff::4")}});
  ASSERT_TRUE(cache_->erase(0, prefix("203.0.113.0/24")).ok());
  ASSERT_TRUE(cache_->erase(0, prefix("2001:db8:2::/48")).ok());
  cache_->flush();
  EXPECT_EQ(find("203.0.113.10"), nullptr);
  EXPECT_EQ(find("2001:db8:2::10"), nullptr);
  EXPECT_FALSE(cache_->erase(0, prefix("203.0.113.0/24")).ok());
  EXPECT_EQ(cache_->size(), 0u);
}

// The control thread keeps the mappings; the cache answers which prefixes
// it holds and which one its longest match picks.
TEST_F(MapCacheTest, ReadSideForLispctl) {
  add("203.0.113.0/24", {{ip("192.0.2.4"), 1, 60}, {ip("192.0.2.44"), 2, 40}});
  add("203.0.113.128/25", {}, 0, MapAction::kDrop);
  add("10.0.0.0/8", {{ip("192.0.2.9")}}, 7);
  const auto all = cache_->prefixes();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].second.to_string(), "203.0.113.0/24");
  EXPECT_EQ(all[2].first, 7u);
  auto found = cache_->longest_match(0, ip("203.0.113.200"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->to_string(), "203.0.113.128/25");
  EXPECT_FALSE(cache_->longest_match(0, ip("10.1.1.1")));
  EXPECT_EQ(cache_->longest_match(7, ip("10.1.1.1"))->to_string(), "10.0.0.0/8");
}

TEST_F(MapCacheTest, InstancesAreSeparate) {
  add("10.0.0.0/8", {{ip("192.0.2.4")}}, 7);
  add("10.0.0.0/8", {{ip("192.0.2.8")}}, 8);
  EXPECT_EQ(rloc_of(find("10.1.2.3", 7), 0), "192.0.2.4");
  EXPECT_EQ(rloc_of(find("10.1.2.3", 8), 0), "192.0.2.8");
  EXPECT_EQ(find("10.1.2.3", 0), nullptr);
  EXPECT_EQ(find("10.1.2.3", 7)->instance_id, 7u);
}

TEST_F(MapCacheTest, NegativeEntriesKeepTheirAction) {
  add("10.0.0.0/8", {}, 0, MapAction::kDrop);
  const MapEntry* entry = find("10.9.9.9");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->action, MapAction::kDrop);
  EXPECT_FALSE(entry->has_usable_locator);
}

TEST_F(MapCacheTest, RefusesBadMappings) {
  Mapping host_bits{0, {ip("10.0.0.1"), 8}, MapAction::kEncapsulate, {}};
  EXPECT_FALSE(cache_->upsert(host_bits).ok());
  Mapping too_many{0, prefix("10.0.0.0/8"), MapAction::kEncapsulate,
                   std::vector<MappingLocator>(9, {ip("192.0.2.1")})};
  EXPECT_FALSE(cache_->upsert(too_many).ok());
}

TEST(WheelTest, WeightsAndPriorities) {
  std::array<uint8_t, kWheelSlots> wheel;
  bool usable = false;
  // Priority 1 beats 2; within priority 1, weights 75/25.
  build_wheel({{ip("192.0.2.1"), 2, 100}, {ip("192.0.2.2"), 1, 75}, {ip("192.0.2.3"), 1, 25}},
              wheel, usable);
  ASSERT_TRUE(usable);
  std::map<int, int> count;
  for (uint8_t index : wheel) count[index]++;
  EXPECT_EQ(count[0], 0);
  EXPECT_EQ(count[1], 24);  // 75% of 32 slots
  EXPECT_EQ(count[2], 8);
  // Unreachable and priority-255 locators are never chosen.
  build_wheel({{ip("192.0.2.1"), 1, 100, false}, {ip("192.0.2.2"), 255, 100}}, wheel, usable);
  EXPECT_FALSE(usable);
  // All weights zero: equal shares.
  build_wheel({{ip("192.0.2.1"), 1, 0}, {ip("192.0.2.2"), 1, 0}}, wheel, usable);
  count.clear();
  for (uint8_t index : wheel) count[index]++;
  EXPECT_EQ(count[0], 16);
  EXPECT_EQ(count[1], 16);
  // Uneven: 1/1/1 over 32 slots gives 11/11/10.
  build_wheel({{ip("192.0.2.1"), 1, 1}, {ip("192.0.2.2"), 1, 1}, {ip("192.0.2.3"), 1, 1}}, wheel,
              usable);
  count.clear();
  for (uint8_t index : wheel) count[index]++;
  EXPECT_EQ(count[0] + count[1] + count[2], 32);
  EXPECT_LE(std::max({count[0], count[1], count[2]}) - std::min({count[0], count[1], count[2]}), 1);
}

// An entry takes the cache lines its locators need (one for a single
// locator, two for up to four), and every locator of every size is read
// back whole through the wheel. Under ASan each entry is its own heap block
// of that size, so a read past its locators fails this test.
TEST_F(MapCacheTest, EntriesTakeTheLinesTheirLocatorsNeed) {
  EXPECT_EQ(EntrySlab::bytes_for(0), 64u);
  EXPECT_EQ(EntrySlab::bytes_for(1), 64u);
  EXPECT_EQ(EntrySlab::bytes_for(2), 128u);
  EXPECT_EQ(EntrySlab::bytes_for(4), 128u);
  EXPECT_EQ(EntrySlab::bytes_for(5), sizeof(MapEntry));
  EXPECT_EQ(EntrySlab::bytes_for(kMaxLocators), sizeof(MapEntry));
  for (unsigned count : {1u, 2u, 3u, 4u, 5u, 8u}) {
    std::vector<MappingLocator> locators;
    std::set<std::string> expected;
    for (unsigned i = 0; i < count; ++i) {
      const std::string rloc =
          i % 2 ? "2001:db8:ff::" + std::to_string(i + 1) : "192.0.2." + std::to_string(i + 1);
      locators.push_back({ip(rloc.c_str())});
      expected.insert(rloc);
    }
    const std::string eid = "10." + std::to_string(count) + ".0.0/16";
    add(eid.c_str(), locators);
    const MapEntry* entry = find(("10." + std::to_string(count) + ".1.1").c_str());
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->locator_count, count);
    std::set<std::string> picked;
    for (uint32_t hash = 0; hash < kWheelSlots; ++hash) {
      const MapEntry::Locator& locator = entry->pick(hash);
      picked.insert(rloc_of(entry, static_cast<unsigned>(&locator - entry->locators.data())));
    }
    EXPECT_EQ(picked, expected) << count << " locators";
  }
}

}  // namespace
}  // namespace lispmob::dataplane
