// LpmTable against a plain reference: random adds and removes of
// overlapping prefixes of every length that makes groups (IPv4 /0-/32,
// IPv6 /0-/128), each followed by lookups of addresses in and around them;
// every group made is given back when the prefixes go; a full table refuses
// and changes nothing.
#include "dataplane/lpm_table.h"

#include <gtest/gtest.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <array>
#include <map>
#include <random>
#include <vector>

#include "tests/dataplane/fixture.h"

namespace lispmob::dataplane {
namespace {

using Address = std::array<uint8_t, 16>;

struct Prefix {
  Address address{};
  unsigned length = 0;
  bool operator<(const Prefix& other) const {
    return length != other.length ? length < other.length : address < other.address;
  }
};

Address masked(Address address, unsigned length, unsigned bytes) {
  unsigned byte = length / 8;
  if (length % 8 != 0) address[byte++] &= static_cast<uint8_t>(0xff00u >> (length % 8));
  for (; byte < bytes; ++byte) address[byte] = 0;
  return address;
}

class LpmTableTest : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    qsbr_ = testing::make_qsbr();
    ASSERT_NE(qsbr_, nullptr);
    lengths_.assign(4096, 0);
  }
  void TearDown() override {
    table_.reset();
    rte_free(qsbr_);
  }
  void make(uint32_t max_groups) {
    LpmTable::Config config;
    config.address_bytes = GetParam();
    config.max_groups = max_groups;
    config.value_lengths = lengths_.data();
    auto table = LpmTable::create(config, qsbr_);
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(*table);
  }
  // The value the reference's longest match gives.
  uint32_t expected(const Address& address) const {
    for (auto it = routes_.rbegin(); it != routes_.rend(); ++it) {
      if (masked(address, it->first.length, GetParam()) == it->first.address) return it->second;
    }
    return LpmTable::kMiss;
  }
  uint32_t cover_of(const Prefix& prefix) const {
    for (auto it = routes_.rbegin(); it != routes_.rend(); ++it) {
      if (it->first.length < prefix.length &&
          masked(prefix.address, it->first.length, GetParam()) == it->first.address) {
        return it->second;
      }
    }
    return LpmTable::kMiss;
  }
  absl::Status add(const Prefix& prefix, uint32_t value) {
    lengths_[value] = static_cast<uint8_t>(prefix.length);
    auto status = table_->add(prefix.address.data(), prefix.length, value);
    if (status.ok()) routes_[prefix] = value;
    return status;
  }
  void remove(const Prefix prefix) {  // a copy: it may be a key of routes_, erased below
    const uint32_t value = routes_.at(prefix);
    const uint32_t cover = cover_of(prefix);
    routes_.erase(prefix);
    table_->remove(prefix.address.data(), prefix.length, value, cover);
  }

  rte_rcu_qsbr* qsbr_ = nullptr;
  std::vector<uint8_t> lengths_;
  std::unique_ptr<LpmTable> table_;
  std::map<Prefix, uint32_t> routes_;  // ordered by length, so rbegin() is the longest
};

TEST_P(LpmTableTest, MatchesAReferenceThroughRandomChanges) {
  make(1 << 14);
  const unsigned bytes = GetParam();
  std::mt19937 rng(GetParam() * 7919);
  // A few bases, so prefixes nest and share groups.
  std::vector<Address> bases;
  for (int i = 0; i < 4; ++i) {
    Address base{};
    for (unsigned b = 0; b < bytes; ++b) base[b] = static_cast<uint8_t>(rng());
    bases.push_back(base);
  }
  auto random_address = [&] {
    Address address = bases[rng() % bases.size()];
    // Keep a random number of leading bits of the base, randomize the rest.
    const unsigned keep = rng() % (bytes * 8 + 1);
    for (unsigned bit = keep; bit < bytes * 8; ++bit) {
      if (rng() & 1) address[bit / 8] ^= static_cast<uint8_t>(0x80u >> (bit % 8));
    }
    return address;
  };
  std::vector<uint32_t> free_values;
  for (uint32_t v = 0; v < 4096; ++v) free_values.push_back(v);
  int checks = 0;
  for (int step = 0; step < 3000; ++step) {
    const bool grow = routes_.size() < 8 || (routes_.size() < 400 && rng() % 3 != 0);
    if (grow) {
      Prefix prefix;
      prefix.length = rng() % (bytes * 8 + 1);
      prefix.address = masked(random_address(), prefix.length, bytes);
      if (routes_.count(prefix)) continue;
      const uint32_t value = free_values.back();
      free_values.pop_back();
      ASSERT_TRUE(add(prefix, value).ok());
    } else {
      auto it = routes_.begin();
      std::advance(it, rng() % routes_.size());
      const Prefix prefix = it->first;
      free_values.push_back(it->second);
      remove(prefix);
    }
    table_->reclaim();  // no reader is registered: every grace period is over
    for (int probe = 0; probe < 40; ++probe) {
      const Address address = random_address();
      ASSERT_EQ(table_->lookup(address.data()), expected(address)) << "step " << step;
      ++checks;
    }
  }
  EXPECT_GT(checks, 80000);
  while (!routes_.empty()) remove(routes_.begin()->first);
  table_->reclaim();
  EXPECT_EQ(table_->groups_in_use(), 0u) << "groups left behind by removed prefixes";
  EXPECT_EQ(table_->lookup(bases[0].data()), LpmTable::kMiss);
}

TEST_P(LpmTableTest, BulkLookupsAgreeWithSingleOnes) {
  make(1024);
  const unsigned bytes = GetParam();
  Prefix wide, narrow;
  wide.address[0] = 10;
  wide.length = 8;
  narrow.address = wide.address;
  narrow.address[bytes - 1] = 0x80;
  narrow.length = bytes * 8 - 1;
  ASSERT_TRUE(add(wide, 1).ok());
  ASSERT_TRUE(add(narrow, 2).ok());
  std::vector<Address> addresses(32, wide.address);
  for (unsigned i = 0; i < addresses.size(); ++i)
    addresses[i][bytes - 1] = static_cast<uint8_t>(i * 8);
  addresses[5][0] = 11;  // a miss
  std::vector<const uint8_t*> pointers;
  std::vector<uint32_t> host_order;
  for (const auto& a : addresses) {
    pointers.push_back(a.data());
    host_order.push_back(uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3]);
  }
  uint32_t values[32];
  table_->lookup_bulk(pointers.data(), 32, values);
  for (unsigned i = 0; i < 32; ++i) EXPECT_EQ(values[i], expected(addresses[i])) << i;
  EXPECT_EQ(values[5], LpmTable::kMiss);
  EXPECT_EQ(values[16], 2u);  // last byte 0x80: the narrow prefix
  EXPECT_EQ(values[17], 1u);  // 0x88: only the wide one
  EXPECT_EQ(values[1], 1u);
  if (bytes == 4) {
    uint32_t bulk4[32];
    table_->lookup_v4_bulk(host_order.data(), 32, bulk4);
    for (unsigned i = 0; i < 32; ++i) EXPECT_EQ(bulk4[i], values[i]) << i;
  }
}

// A table with room for two groups: a prefix that needs more is refused,
// and neither its own addresses nor any other's change.
TEST_P(LpmTableTest, AFullTableRefusesAndChangesNothing) {
  make(2);
  const unsigned bytes = GetParam();
  Prefix shallow;
  shallow.address[0] = 192;
  shallow.length = 16;
  ASSERT_TRUE(add(shallow, 7).ok());
  Prefix deep;
  deep.address = shallow.address;
  deep.address[bytes - 1] = 0x40;
  deep.length = bytes * 8;
  const auto status = add(deep, 8);
  if (bytes == 4) {
    ASSERT_TRUE(status.ok()) << "a /32 needs one group";
    Prefix second = deep;
    second.address[2] = 1;
    ASSERT_TRUE(add(second, 9).ok());
    Prefix third = deep;
    third.address[2] = 2;
    EXPECT_EQ(add(third, 10).code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(table_->lookup(third.address.data()), 7u);
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << "a /128 needs 13 groups";
    EXPECT_EQ(table_->lookup(deep.address.data()), 7u);
    table_->reclaim();
    EXPECT_EQ(table_->groups_in_use(), 0u) << "the groups made before the refusal were kept";
  }
  EXPECT_LE(table_->bytes(), (size_t{1} << 24) * 4 + 2 * 1024);
}

INSTANTIATE_TEST_SUITE_P(Families, LpmTableTest, ::testing::Values(4u, 16u),
                         [](const auto& info) { return info.param == 4 ? "IPv4" : "IPv6"; });

}  // namespace
}  // namespace lispmob::dataplane
