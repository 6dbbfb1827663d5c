#include "common/lisp/address.h"

#include <gtest/gtest.h>

#include "tests/support/bytes.h"

namespace lispmob::lisp {
namespace {

using testing::hex;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

std::vector<uint8_t> encode_to_bytes(const Address& address) {
  std::vector<uint8_t> out;
  wire::Writer writer(out);
  encode_address(writer, address);
  return out;
}

// Decodes `bytes`, checks every byte was used and that it equals `expected`,
// then encodes `expected` and checks the bytes come back.
void expect_golden(const std::vector<uint8_t>& bytes, const Address& expected) {
  wire::Reader reader(bytes);
  Address decoded;
  const auto status = decode_address(reader, decoded);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(decoded, expected) << decoded.to_string() << " vs " << expected.to_string();
  EXPECT_EQ(testing::to_hex(encode_to_bytes(expected)), testing::to_hex(bytes));
  EXPECT_EQ(encoded_address_size(expected), bytes.size());
  // Every shorter buffer must fail cleanly.
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + length);
    wire::Reader short_reader(cut);
    Address ignored;
    EXPECT_FALSE(decode_address(short_reader, ignored).ok()) << "length " << length;
  }
}

TEST(AddressTest, PlainAfis) {
  expect_golden(hex("00 00"), Address{});
  expect_golden(hex("00 01 c0 00 02 01"), ip("192.0.2.1"));
  expect_golden(hex("00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"), ip("2001:db8::1"));
  expect_golden(hex("00 11 6c 69 73 70 00"), DistinguishedName{"lisp"});
}

TEST(AddressTest, InstanceIdLcaf) {
  // RFC 8060 §4.2: Rsvd2 carries the IID mask-len (24); IID 7; 10.0.0.0.
  Lcaf lcaf;
  lcaf.body = InstanceIdLcaf{7, 24, Address(ip("10.0.0.0"))};
  expect_golden(hex("40 03 00 00 02 18 00 0a 00 00 00 07 00 01 0a 00 00 00"), lcaf);
  EXPECT_EQ(Address(lcaf).to_string(), "[7]10.0.0.0");
}

TEST(AddressTest, AfiListLcaf) {
  Lcaf lcaf;
  lcaf.body = AfiListLcaf{{Address(ip("192.0.2.1")), Address(ip("2001:db8::1"))}};
  expect_golden(hex("40 03 00 00 01 00 00 18 00 01 c0 00 02 01 "
                    "00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"),
                lcaf);
}

TEST(AddressTest, SourceDestLcaf) {
  Lcaf lcaf;
  lcaf.body = SourceDestLcaf{0, 24, 16, Address(ip("10.1.2.0")), Address(ip("10.2.0.0"))};
  expect_golden(hex("40 03 00 00 0c 00 00 10 00 00 18 10 00 01 0a 01 02 00 00 01 0a 02 00 00"),
                lcaf);
}

TEST(AddressTest, ElpLcaf) {
  Lcaf lcaf;
  lcaf.body = ElpLcaf{{ElpHop{ElpHop::kLookup | ElpHop::kStrict, Address(ip("192.0.2.1"))},
                       ElpHop{ElpHop::kProbe, Address(ip("192.0.2.2"))}}};
  expect_golden(hex("40 03 00 00 0a 00 00 10 00 05 00 01 c0 00 02 01 00 02 00 01 c0 00 02 02"),
                lcaf);
}

TEST(AddressTest, NatTraversalLcaf) {
  Lcaf lcaf;
  NatTraversalLcaf nat;
  nat.ms_udp_port = 4342;
  nat.etr_udp_port = 4341;
  *nat.global_etr_rloc = ip("203.0.113.5");
  *nat.ms_rloc = ip("192.0.2.2");
  nat.rtr_rlocs = {Address(ip("192.0.2.7"))};
  lcaf.body = nat;
  expect_golden(hex("40 03 00 00 07 00 00 18 10 f6 10 f5 00 01 cb 00 71 05 00 01 c0 00 02 02 "
                    "00 00 00 01 c0 00 02 07"),
                lcaf);
}

TEST(AddressTest, IidAroundSourceDestNests) {
  Lcaf inner;
  inner.body = SourceDestLcaf{0, 8, 8, Address(ip("10.0.0.0")), Address(ip("11.0.0.0"))};
  Lcaf outer;
  outer.body = InstanceIdLcaf{1000, 0, Address(inner)};
  const auto bytes = encode_to_bytes(outer);
  expect_golden(bytes, outer);
}

TEST(AddressTest, UnknownAfiIsAnError) {
  const auto bytes = hex("00 06 00 11 22 33 44 55");  // AFI 6 (MAC) is not one we decode
  wire::Reader reader(bytes);
  Address out;
  const auto status = decode_address(reader, out);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("unsupported AFI 6"), std::string_view::npos) << status;
}

TEST(AddressTest, UnknownLcafTypeIsAnError) {
  for (uint8_t type : {0, 3, 4, 5, 6, 8, 9, 11, 13, 14, 15, 16, 17, 200, 255}) {
    auto bytes = hex("40 03 00 00 00 00 00 06 00 01 c0 00 02 01");
    bytes[4] = type;
    wire::Reader reader(bytes);
    Address out;
    EXPECT_FALSE(decode_address(reader, out).ok()) << "type " << int(type);
  }
}

TEST(AddressTest, LcafLengthMustMatchBody) {
  // Length 12 for a 10-byte IID body: the body leaves 2 bytes unread.
  const auto longer = hex("40 03 00 00 02 00 00 0c 00 00 00 07 00 01 0a 00 00 00 00 00");
  wire::Reader reader(longer);
  Address out;
  EXPECT_FALSE(decode_address(reader, out).ok());
  // Length 8: the inner address runs past the LCAF's end.
  const auto shorter = hex("40 03 00 00 02 00 00 08 00 00 00 07 00 01 0a 00 00 00");
  wire::Reader reader2(shorter);
  EXPECT_FALSE(decode_address(reader2, out).ok());
}

TEST(AddressTest, NestingDepthIsBounded) {
  // Instance-ID LCAFs nested kMaxLcafDepth + 1 deep around an AFI 0.
  Address address;
  for (int i = 0; i <= kMaxLcafDepth; ++i) {
    Lcaf lcaf;
    lcaf.body = InstanceIdLcaf{static_cast<uint32_t>(i), 0, address};
    address = lcaf;
  }
  const auto bytes = encode_to_bytes(address);
  wire::Reader reader(bytes);
  Address out;
  const auto status = decode_address(reader, out);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("too deep"), std::string_view::npos) << status;
}

TEST(AddressTest, UnterminatedNameIsAnError) {
  const auto bytes = hex("00 11 6c 69 73 70");
  wire::Reader reader(bytes);
  Address out;
  EXPECT_FALSE(decode_address(reader, out).ok());
}

}  // namespace
}  // namespace lispmob::lisp
