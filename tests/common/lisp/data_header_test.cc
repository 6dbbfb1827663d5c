#include "common/lisp/data_header.h"

#include <gtest/gtest.h>

#include "common/lisp/packet.h"
#include "tests/support/bytes.h"

namespace lispmob::lisp {
namespace {

using testing::hex;

DataHeader decode_ok(const std::vector<uint8_t>& bytes) {
  DataHeader header;
  EXPECT_EQ(decode_data_header(bytes.data(), bytes.size(), header), DataHeaderStatus::kOk);
  uint8_t again[kDataHeaderSize];
  encode_data_header(header, again);
  EXPECT_EQ(std::vector<uint8_t>(again, again + kDataHeaderSize), bytes);
  return header;
}

TEST(DataHeaderTest, NonceAndLocatorStatusBits) {
  DataHeader h = decode_ok(hex("c0 12 34 56 00 00 00 03"));
  EXPECT_TRUE(h.has(DataHeader::kNoncePresent));
  EXPECT_TRUE(h.has(DataHeader::kLsbEnabled));
  EXPECT_EQ(h.nonce(), 0x123456u);
  EXPECT_EQ(h.locator_status_bits(), 3u);
}

TEST(DataHeaderTest, InstanceIdWithEchoNonceRequest) {
  DataHeader h = decode_ok(hex("a8 ab cd ef 00 00 07 01"));
  EXPECT_TRUE(h.has(DataHeader::kEchoNonce));
  EXPECT_EQ(h.instance_id(), 7u);
  EXPECT_EQ(h.locator_status_bits(), 1u);
  DataHeader built;
  built.set_nonce(0xabcdef);
  built.flags |= DataHeader::kEchoNonce;
  built.set_instance_id(7, 1);
  EXPECT_EQ(built, h);
}

TEST(DataHeaderTest, MapVersions) {
  DataHeader h = decode_ok(hex("10 00 10 02 00 00 00 00"));
  EXPECT_EQ(h.source_map_version(), 1);
  EXPECT_EQ(h.dest_map_version(), 2);
  DataHeader built;
  built.set_map_versions(1, 2);
  EXPECT_EQ(built, h);
}

TEST(DataHeaderTest, GpeNextProtocolIsAccepted) {
  // LISP-GPE as VPP sends it: P set, Next Protocol 1 (IPv4), IID 42.
  DataHeader h = decode_ok(hex("0c 00 00 01 00 00 2a 00"));
  EXPECT_TRUE(h.has(DataHeader::kNextProtocol));
  EXPECT_EQ(h.next_protocol(), static_cast<uint8_t>(GpeNextProtocol::kIpv4));
  EXPECT_EQ(h.instance_id(), 42u);
}

TEST(DataHeaderTest, OorSendsAllZeros) {
  DataHeader h = decode_ok(hex("00 00 00 00 00 00 00 00"));
  EXPECT_EQ(h.flags, 0);
}

TEST(DataHeaderTest, RefusesNonceWithMapVersionAndShortInput) {
  DataHeader h;
  const auto both = hex("90 00 00 01 00 00 00 00");
  EXPECT_EQ(decode_data_header(both.data(), both.size(), h), DataHeaderStatus::kNonceAndMapVersion);
  for (size_t length = 0; length < kDataHeaderSize; ++length) {
    EXPECT_EQ(decode_data_header(both.data(), length, h), DataHeaderStatus::kTruncated);
  }
  EXPECT_FALSE(decode_data_packet(both).ok());
}

TEST(DataPacketTest, CarriesTheInnerPacket) {
  const auto bytes =
      hex("80 00 00 01 00 00 00 00 45 00 00 14 00 00 00 00 40 01 00 00 "
          "c6 33 64 0a cb 00 71 0a");
  auto payload = decode_payload(LispPort::kData, bytes);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(summarize(*payload),
            "LISP-data nonce 0x000001 inner 198.51.100.10 > 203.0.113.10 20 bytes");
  auto again = encode_payload(*payload);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, bytes);
}

TEST(DataPacketTest, PortClassification) {
  EXPECT_EQ(classify_ports(4342, 50000), LispPort::kControl);
  EXPECT_EQ(classify_ports(50000, 4342), LispPort::kControl);
  EXPECT_EQ(classify_ports(61000, 4341), LispPort::kData);
  EXPECT_EQ(classify_ports(53, 53), LispPort::kNone);
}

}  // namespace
}  // namespace lispmob::lisp
