#include "common/net/ip_address.h"

#include <gtest/gtest.h>

#include "common/net/headers.h"
#include "tests/support/bytes.h"

namespace lispmob::net {
namespace {

using testing::hex;

TEST(IpAddressTest, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->to_string(), "192.0.2.1");
  auto v6 = IpAddress::parse("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("192.0.2.256"));
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_FALSE(IpAddress::parse("lmn0"));
}

TEST(IpAddressTest, MasksPartialBytes) {
  EXPECT_EQ(IpAddress::parse("10.255.255.255")->masked(12).to_string(), "10.240.0.0");
  EXPECT_EQ(IpAddress::parse("2001:db8:ffff::1")->masked(36).to_string(), "2001:db8:f000::");
  EXPECT_EQ(IpAddress::parse("10.1.2.3")->masked(32).to_string(), "10.1.2.3");
  EXPECT_EQ(IpAddress::parse("10.1.2.3")->masked(0).to_string(), "0.0.0.0");
}

TEST(IpPrefixTest, ParsesOnlyCanonicalPrefixes) {
  auto prefix = IpPrefix::parse("203.0.113.0/24");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->length, 24);
  EXPECT_TRUE(prefix->contains(*IpAddress::parse("203.0.113.77")));
  EXPECT_FALSE(prefix->contains(*IpAddress::parse("203.0.114.1")));
  EXPECT_FALSE(prefix->contains(*IpAddress::parse("2001:db8::1")));
  EXPECT_TRUE(prefix->contains(*IpPrefix::parse("203.0.113.128/25")));
  EXPECT_FALSE(prefix->contains(*IpPrefix::parse("203.0.0.0/16")));
  EXPECT_FALSE(IpPrefix::parse("203.0.113.1/24")) << "host bits set";
  EXPECT_FALSE(IpPrefix::parse("203.0.113.0/33"));
  EXPECT_FALSE(IpPrefix::parse("203.0.113.0/"));
  EXPECT_FALSE(IpPrefix::parse("203.0.113.0"));
  EXPECT_EQ(IpPrefix::parse("2001:db8:1::/48")->to_string(), "2001:db8:1::/48");
}

// The inner IPv4/UDP header of an ECM captured from OOR (frame 13 of the
// bundled capture): our computed lengths and checksums must match its own.
TEST(HeadersTest, ComputesIpv4AndUdpChecksumsAsCaptured) {
  Ipv4Header ip;
  ip.identification = 3;
  ip.ttl = 255;
  ip.source = *IpAddress::parse("198.51.100.10");
  ip.destination = *IpAddress::parse("203.0.113.10");
  UdpHeader udp{4342, 4342, std::nullopt, std::nullopt};
  const auto payload = hex(
      "10 00 00 01 de c9 af 6b df a9 c8 02 00 01 c6 33 64 0a 00 01 c0 00 02 03 00 20 00 01 cb 00 "
      "71 0a");
  std::vector<uint8_t> out;
  wire::Writer writer(out);
  encode_ip_udp(writer, ip, udp, payload);
  const auto expected =
      hex("45 00 00 3c 00 03 40 00 ff 11 15 65 c6 33 64 0a cb 00 71 0a 10 f6 10 f6 00 28 09 16");
  ASSERT_GE(out.size(), expected.size());
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + 28), expected);
}

TEST(HeadersTest, DecodesIpv6UdpAndKeepsFieldsForReencoding) {
  const auto packet = hex(
      "60 00 00 00 00 0c 11 40 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 10 20 01 0d b8 00 02 "
      "00 00 00 00 00 00 00 00 00 10 10 f6 10 f6 00 0c 12 34 de ad be ef");
  wire::Reader reader(packet);
  UdpDatagramView view;
  ASSERT_TRUE(decode_ip_udp(reader, view).ok());
  EXPECT_EQ(source_of(view.ip).to_string(), "2001:db8:1::10");
  EXPECT_EQ(view.udp.checksum, 0x1234);
  EXPECT_EQ(view.payload.size(), 4u);
  std::vector<uint8_t> out;
  wire::Writer writer(out);
  encode_ip_udp(writer, view.ip, view.udp, view.payload);
  EXPECT_EQ(out, packet);
}

TEST(HeadersTest, RejectsTruncatedAndNonUdp) {
  const auto packet = hex("45 00 00 1c 00 00 40 00 40 01 00 00 0a 00 00 01 0a 00 00 02 00 00");
  wire::Reader reader(packet);
  UdpDatagramView view;
  EXPECT_FALSE(decode_ip_udp(reader, view).ok()) << "ICMP is not UDP";
  for (size_t length = 0; length < 28; ++length) {
    std::vector<uint8_t> cut(packet.begin(), packet.begin() + std::min(length, packet.size()));
    wire::Reader r(cut);
    EXPECT_FALSE(decode_ip_udp(r, view).ok());
  }
}

}  // namespace
}  // namespace lispmob::net
