#include "dataplane/api/adjacency.h"

#include <gtest/gtest.h>

#include <memory>

#include "common/net/ip_address.h"

namespace lispmob::dataplane {
namespace {

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

TEST(AdjacencyTableTest, FindsEachHostByFamilyAndAddress) {
  auto table = std::make_unique<AdjacencyTable>();
  const auto v4 = ip("10.1.0.5");
  const auto v6 = ip("2001:db8:a::5");
  ASSERT_TRUE(table->insert(v4.bytes().data(), false, {{2, 0, 0, 0, 0, 5}}));
  ASSERT_TRUE(table->insert(v6.bytes().data(), true, {{2, 0, 0, 0, 0, 6}}));
  ASSERT_NE(table->find(v4.bytes().data(), false), nullptr);
  EXPECT_EQ((*table->find(v4.bytes().data(), false))[5], 5);
  EXPECT_EQ((*table->find(v6.bytes().data(), true))[5], 6);
  // The same four bytes in the other family are another host.
  EXPECT_EQ(table->find(v4.bytes().data(), true), nullptr);
  EXPECT_EQ(table->find(ip("10.1.0.6").bytes().data(), false), nullptr);
  EXPECT_EQ(table->size(), 2u);
}

TEST(AdjacencyTableTest, ANewMacReplacesTheOld) {
  auto table = std::make_unique<AdjacencyTable>();
  const auto host = ip("10.1.0.5");
  ASSERT_TRUE(table->insert(host.bytes().data(), false, {{2, 0, 0, 0, 0, 5}}));
  ASSERT_TRUE(table->insert(host.bytes().data(), false, {{2, 0, 0, 0, 0, 9}}));
  EXPECT_EQ((*table->find(host.bytes().data(), false))[5], 9);
  EXPECT_EQ(table->size(), 1u);
}

// A /22 of hosts, one more than the table holds: the last is refused, every
// other one is still found.
TEST(AdjacencyTableTest, AFullTableRefusesTheNextHost) {
  auto table = std::make_unique<AdjacencyTable>();
  auto host = [](unsigned n) {
    return std::array<uint8_t, 4>{10, 1, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  };
  for (unsigned n = 0; n < AdjacencyTable::kMaxHosts; ++n) {
    ASSERT_TRUE(table->insert(host(n).data(), false, {{2, 0, 0, 0, 0, 1}})) << n;
  }
  EXPECT_FALSE(table->insert(host(AdjacencyTable::kMaxHosts).data(), false, {{2, 0, 0, 0, 0, 1}}));
  EXPECT_EQ(table->size(), AdjacencyTable::kMaxHosts);
  for (unsigned n = 0; n < AdjacencyTable::kMaxHosts; ++n) {
    ASSERT_NE(table->find(host(n).data(), false), nullptr) << n;
  }
  EXPECT_EQ(table->find(host(AdjacencyTable::kMaxHosts).data(), false), nullptr);
}

}  // namespace
}  // namespace lispmob::dataplane
