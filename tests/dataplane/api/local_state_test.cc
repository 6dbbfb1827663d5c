// LocalState's prefix tests (which inner destinations are ours, which
// sources a Proxy-ETR serves) at every prefix length of both families,
// against a bit-by-bit reference: the word-wise masks at /0, at byte and
// 64-bit boundaries and at full length, and no match across families.
#include "dataplane/api/local_state.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace lispmob::dataplane {
namespace {

bool reference_holds(const net::IpPrefix& prefix, const uint8_t* address, bool ipv6) {
  if (prefix.address.is_v6() != ipv6) return false;
  const auto network = prefix.address.bytes();
  for (unsigned bit = 0; bit < prefix.length; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
  }
  return true;
}

TEST(LocalStateTest, LocalEidsAtEveryLength) {
  std::mt19937 rng(99);
  for (bool ipv6 : {false, true}) {
    const unsigned bits = ipv6 ? 128 : 32;
    for (unsigned length = 0; length <= bits; ++length) {
      std::array<uint8_t, 16> base{};
      for (auto& byte : base) byte = static_cast<uint8_t>(rng());
      const net::IpAddress address =
          ipv6 ? net::IpAddress::v6(base)
               : net::IpAddress::v4(std::span<const uint8_t, 4>(base.data(), 4));
      LocalState local;
      local.local_eid_count = 1;
      local.local_eids[0] = net::IpPrefix{address.masked(length), static_cast<uint8_t>(length)};
      local.served_source_count = 1;
      local.served_sources[0] = local.local_eids[0];
      // The prefix's own address, then each single-bit change of it.
      ASSERT_TRUE(local.is_local_eid(base.data(), ipv6)) << length;
      for (unsigned flip = 0; flip < bits; ++flip) {
        std::array<uint8_t, 16> other = base;
        other[flip / 8] ^= static_cast<uint8_t>(0x80u >> (flip % 8));
        const bool expected = reference_holds(local.local_eids[0], other.data(), ipv6);
        EXPECT_EQ(expected, flip >= length) << "/" << length << " bit " << flip;
        EXPECT_EQ(local.is_local_eid(other.data(), ipv6), expected)
            << "/" << length << " bit " << flip;
        EXPECT_EQ(local.serves_source(other.data(), ipv6), expected);
      }
      EXPECT_FALSE(local.is_local_eid(base.data(), !ipv6)) << "the other family";
    }
  }
}

TEST(LocalStateTest, NoServedSourcesServesAll) {
  LocalState local;
  const std::array<uint8_t, 16> address{10, 1, 2, 3};
  EXPECT_TRUE(local.serves_source(address.data(), false));
  EXPECT_FALSE(local.is_local_eid(address.data(), false));
}

}  // namespace
}  // namespace lispmob::dataplane
