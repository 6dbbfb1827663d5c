// Golden bytes for every control message type, both directions. Where a
// message was captured from OOR (tests/data/captures), its bytes are the golden.
#include <gtest/gtest.h>

#include "common/lisp/message.h"
#include "tests/common/lisp/golden.h"
#include "tests/support/bytes.h"

namespace lispmob::lisp {
namespace {

using golden::expect_message;
using testing::hex;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

Locator locator(const char* rloc, uint16_t flags) {
  Locator l;
  l.priority = 1;
  l.weight = 100;
  l.multicast_priority = 255;
  l.multicast_weight = 0;
  l.flags = flags;
  l.address = ip(rloc);
  return l;
}

MappingRecord record(const char* eid, uint8_t mask_len, std::vector<Locator> locators) {
  MappingRecord r;
  r.ttl_minutes = 10;
  r.eid_mask_len = mask_len;
  r.authoritative = true;
  r.eid = ip(eid);
  r.locators = std::move(locators);
  return r;
}

TEST(MapRequestTest, SmrInvokedWithTwoItrRlocs) {
  MapRequest m;
  m.smr_invoked = true;
  m.nonce = 0x0102030405060708;
  m.source_eid = ip("10.0.0.1");
  m.itr_rlocs = {ip("192.0.2.1"), ip("2001:db8::1")};
  m.records = {EidRecord{0, 24, ip("203.0.113.0")}};
  expect_message(hex("10 40 01 01 01 02 03 04 05 06 07 08 00 01 0a 00 00 01 00 01 c0 00 02 01 "
                     "00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "
                     "00 18 00 01 cb 00 71 00"),
                 m);
}

TEST(MapRequestTest, ProbeSmrWithMapData) {
  MapRequest m;
  m.probe = true;
  m.smr = true;
  m.nonce = 42;
  m.itr_rlocs = {ip("192.0.2.4")};
  m.records = {EidRecord{0, 32, ip("198.51.100.10")}};
  m.map_data =
      record("203.0.113.0", 24, {locator("192.0.2.4", Locator::kLocal | Locator::kReachable)});
  expect_message(hex("17 00 00 01 00 00 00 00 00 00 00 2a 00 00 00 01 c0 00 02 04 "
                     "00 20 00 01 c6 33 64 0a "
                     "00 00 00 0a 01 18 10 00 00 00 00 01 cb 00 71 00 "
                     "01 64 ff 00 00 05 00 01 c0 00 02 04"),
                 m);
}

TEST(MapRequestTest, FlagBitsArePlacedPerRfc9301) {
  MapRequest m;
  m.itr_rlocs = {ip("192.0.2.4")};
  m.records = {EidRecord{0, 32, ip("198.51.100.10")}};
  auto first_word = [&m] {
    auto bytes = encode_message(m);
    return static_cast<uint32_t>((*bytes)[0] << 24 | (*bytes)[1] << 16 | (*bytes)[2] << 8 |
                                 (*bytes)[3]);
  };
  EXPECT_EQ(first_word(), 0x10000001u);
  m.authoritative = true;
  EXPECT_EQ(first_word(), 0x18000001u);
  m.authoritative = false;
  m.pitr = true;
  EXPECT_EQ(first_word(), 0x10800001u);
  m.pitr = false;
  m.local_xtr = true;
  m.dont_map_reply = true;
  EXPECT_EQ(first_word(), 0x10006001u);
}

TEST(MapRequestTest, RefusesZeroRecordsAndBadCounts) {
  EXPECT_FALSE(
      decode_message(hex("10 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01 c0 00 02 04")).ok());
  MapRequest m;
  m.records = {EidRecord{0, 32, ip("198.51.100.10")}};
  EXPECT_FALSE(encode_message(m).ok()) << "no ITR-RLOC";
  m.itr_rlocs.assign(33, ip("192.0.2.4"));
  EXPECT_FALSE(encode_message(m).ok()) << "33 ITR-RLOCs do not fit IRC";
}

// Frame 15 of the OOR capture.
TEST(MapReplyTest, CapturedFromOor) {
  MapReply m;
  m.nonce = 0xdec9af6bdfa9c802;
  m.records = {record("203.0.113.0", 24, {locator("192.0.2.4", 0x0005)})};
  expect_message(hex("20 00 00 01 de c9 af 6b df a9 c8 02 00 00 00 0a 01 18 10 00 00 00 00 01 "
                     "cb 00 71 00 01 64 ff 00 00 05 00 01 c0 00 02 04"),
                 m);
  EXPECT_TRUE(m.records[0].locators[0].local());
  EXPECT_TRUE(m.records[0].locators[0].reachable());
}

TEST(MapReplyTest, NegativeReplyWithDropAction) {
  MapReply m;
  m.echo_nonce_capable = true;
  m.nonce = 7;
  MappingRecord negative;
  negative.ttl_minutes = 1;
  negative.eid_mask_len = 16;
  negative.action = static_cast<uint8_t>(MapReplyAction::kDrop);
  negative.eid = ip("10.1.0.0");
  m.records = {negative};
  expect_message(hex("24 00 00 01 00 00 00 00 00 00 00 07 00 00 00 01 00 10 60 00 00 00 00 01 "
                     "0a 01 00 00"),
                 m);
}

TEST(MapReplyTest, ProbeReplyWithIpv6Eid) {
  MapReply m;
  m.probe = true;
  m.nonce = 1;
  m.records = {record("2001:db8:1::", 64, {locator("192.0.2.3", 0x0007)})};
  expect_message(hex("28 00 00 01 00 00 00 00 00 00 00 01 00 00 00 0a 01 40 10 00 00 00 00 02 "
                     "20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 00 "
                     "01 64 ff 00 00 07 00 01 c0 00 02 03"),
                 m);
}

// Frame 1 of the OOR capture.
TEST(MapRegisterTest, CapturedFromOor) {
  MapRegister m;
  m.want_map_notify = true;
  m.nonce = 0xdecb3e7fe03eca9a;
  m.auth = {0, 1, hex("09 32 7d f4 f2 c1 ff 05 6f fa 6d 4e 65 ad c4 d7 a1 4c 0e 43")};
  m.records = {record("203.0.113.0", 24, {locator("192.0.2.4", 0x0005)})};
  expect_message(hex("30 00 01 01 de cb 3e 7f e0 3e ca 9a 00 01 00 14 09 32 7d f4 f2 c1 ff 05 "
                     "6f fa 6d 4e 65 ad c4 d7 a1 4c 0e 43 00 00 00 0a 01 18 10 00 00 00 00 01 "
                     "cb 00 71 00 01 64 ff 00 00 05 00 01 c0 00 02 04"),
                 m);
}

// The key a Map-Server needs, read from the OOR capture's bytes in place.
TEST(MapRegisterTest, KeyingIsReadWithoutDecoding) {
  const auto bytes =
      hex("30 00 01 01 de cb 3e 7f e0 3e ca 9a 00 01 00 14 09 32 7d f4 f2 c1 ff 05 "
          "6f fa 6d 4e 65 ad c4 d7 a1 4c 0e 43 00 00 00 0a 01 18 10 00 00 00 00 01 "
          "cb 00 71 00 01 64 ff 00 00 05 00 01 c0 00 02 04");
  auto keying = peek_map_register_keying(bytes);
  ASSERT_TRUE(keying.has_value());
  EXPECT_EQ(keying->key_id, 0);
  EXPECT_EQ(keying->algorithm_id, 1);
  EXPECT_EQ(keying->instance_id, 0u);
  EXPECT_EQ(keying->first_eid, *net::IpAddress::parse("203.0.113.0"));
  EXPECT_EQ(keying->first_eid_mask_len, 24);
  // Only the bytes up to the first EID are read: a broken locator after it
  // does not matter here (decoding refuses it later).
  auto cut = bytes;
  cut.resize(cut.size() - 3);
  EXPECT_TRUE(peek_map_register_keying(cut).has_value());
  // An IPv6 EID in instance 7: | LCAF | rsvd flags type=2 iid-mask | length | IID | AFI 2 | ...
  const auto iid6 = hex(
      "30 00 01 01 00 00 00 00 00 00 00 01 03 02 00 00 00 00 00 0a 00 30 00 00 00 00 "
      "40 03 00 00 02 00 00 16 00 00 00 07 00 02 20 01 0d b8 00 02 00 00 00 00 00 00 00 00 00 00");
  keying = peek_map_register_keying(iid6);
  ASSERT_TRUE(keying.has_value());
  EXPECT_EQ(keying->key_id, 3);
  EXPECT_EQ(keying->algorithm_id, 2);
  EXPECT_EQ(keying->instance_id, 7u);
  EXPECT_EQ(keying->first_eid, *net::IpAddress::parse("2001:db8:2::"));
  EXPECT_EQ(keying->first_eid_mask_len, 48);
  // Truncated anywhere before the EID's last byte, no record, another type:
  // nothing.
  const size_t eid_end = kAuthDataOffset + 20 + 12 + 4;  // auth data, record header, AFI, IPv4
  EXPECT_TRUE(peek_map_register_keying(std::span(bytes).first(eid_end)).has_value());
  for (size_t length = 0; length < eid_end; ++length) {
    EXPECT_FALSE(peek_map_register_keying(std::span(bytes).first(length)).has_value()) << length;
  }
  auto no_records = bytes;
  no_records[3] = 0;
  EXPECT_FALSE(peek_map_register_keying(no_records).has_value());
  auto notify = bytes;
  notify[0] = 0x40;
  EXPECT_FALSE(peek_map_register_keying(notify).has_value());
}

TEST(MapRegisterTest, ProxyReplyWithXtrIdAndSha256) {
  MapRegister m;
  m.proxy_reply = true;
  m.want_map_notify = true;
  m.nonce = 1;
  m.auth = {0, 2, std::vector<uint8_t>(32, 0x11)};
  MappingRecord r = record("198.18.0.10", 32, {locator("192.0.2.5", 0x0001)});
  r.ttl_minutes = 3;
  r.authoritative = false;
  m.records = {r};
  m.identity = XtrIdentity{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                            0xcc, 0xdd, 0xee, 0xff},
                           99};
  expect_message(hex("3a 00 01 01 00 00 00 00 00 00 00 01 00 02 00 20 "
                     "11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 "
                     "11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 "
                     "00 00 00 03 01 20 00 00 00 00 00 01 c6 12 00 0a "
                     "01 64 ff 00 00 01 00 01 c0 00 02 05 "
                     "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 00 00 00 00 00 00 63"),
                 m);
}

// Frame 3 of the OOR capture.
TEST(MapNotifyTest, CapturedFromOor) {
  MapNotify m;
  m.nonce = 0xdecb3e7fe03eca9a;
  m.auth = {0, 1, hex("78 e1 c6 01 df af 12 cb 96 22 e9 ae 1f 58 4f 7f 60 21 38 35")};
  m.records = {record("203.0.113.0", 24, {locator("192.0.2.4", 0x0001)})};
  expect_message(hex("40 00 00 01 de cb 3e 7f e0 3e ca 9a 00 01 00 14 78 e1 c6 01 df af 12 cb "
                     "96 22 e9 ae 1f 58 4f 7f 60 21 38 35 00 00 00 0a 01 18 10 00 00 00 00 01 "
                     "cb 00 71 00 01 64 ff 00 00 01 00 01 c0 00 02 04"),
                 m);
}

TEST(MapNotifyTest, AckAndMsRtrAuthentication) {
  MapNotify ack;
  ack.ack = true;
  ack.nonce = 9;
  expect_message(hex("50 00 00 00 00 00 00 00 00 00 00 09 00 00 00 00"), ack);
  EXPECT_EQ(Message(ack).type(), MessageType::kMapNotifyAck);

  MapNotify with_rtr;
  with_rtr.nonce = 9;
  with_rtr.auth = {0, 1, {}};
  with_rtr.ms_rtr_auth = MsRtrAuthentication{1, {0xab, 0xcd}};
  expect_message(hex("44 00 00 00 00 00 00 00 00 00 00 09 00 01 00 00 00 01 00 02 ab cd"),
                 with_rtr);
}

TEST(MapReferralTest, MsAckWithSignature) {
  MapReferral m;
  m.nonce = 5;
  ReferralRecord r;
  r.record.ttl_minutes = 1440;
  r.record.eid_mask_len = 16;
  r.record.action = static_cast<uint8_t>(ReferralAction::kMsAck);
  r.record.reserved = ReferralRecord::kIncomplete;
  r.record.reserved_high = 1;  // signature count, as decoded
  r.record.eid = ip("10.1.0.0");
  r.record.locators = {locator("192.0.2.9", 0x0001)};
  r.signatures = {ReferralSignature{1440, 16, 1, 0x1234, 1, 0, 0, {0xde, 0xad, 0xbe, 0xef}}};
  m.records = {r};
  expect_message(hex("60 00 00 01 00 00 00 00 00 00 00 05 00 00 05 a0 01 10 48 00 10 00 00 01 "
                     "0a 01 00 00 01 64 ff 00 00 01 00 01 c0 00 02 09 "
                     "00 00 05 a0 00 00 00 10 00 00 00 01 12 34 00 04 01 00 00 00 de ad be ef"),
                 m);
  EXPECT_TRUE(m.records[0].incomplete());
}

TEST(InfoTest, InfoRequest) {
  InfoMessage m;
  m.nonce = 11;
  m.auth = {0, 1, std::vector<uint8_t>(20, 0)};
  m.eid_mask_len = 32;
  m.eid = ip("10.0.0.1");
  expect_message(hex("70 00 00 00 00 00 00 00 00 00 00 0b 00 01 00 14 "
                     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                     "00 00 00 00 00 20 00 01 0a 00 00 01 00 00"),
                 m);
}

TEST(InfoTest, InfoReplyCarriesNatTraversalLcaf) {
  InfoMessage m;
  m.reply = true;
  m.nonce = 11;
  m.auth = {0, 1, std::vector<uint8_t>(20, 0x22)};
  m.ttl_minutes = 1440;
  m.eid_mask_len = 32;
  m.eid = ip("10.0.0.1");
  NatTraversalLcaf nat;
  nat.ms_udp_port = 4342;
  nat.etr_udp_port = 4341;
  *nat.global_etr_rloc = ip("203.0.113.5");
  *nat.ms_rloc = ip("192.0.2.2");
  nat.rtr_rlocs = {Address(ip("192.0.2.7"))};
  Lcaf lcaf;
  lcaf.body = nat;
  m.payload = lcaf;
  expect_message(hex("78 00 00 00 00 00 00 00 00 00 00 0b 00 01 00 14 "
                     "22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 "
                     "00 00 05 a0 00 20 00 01 0a 00 00 01 "
                     "40 03 00 00 07 00 00 18 10 f6 10 f5 00 01 cb 00 71 05 00 01 c0 00 02 02 "
                     "00 00 00 01 c0 00 02 07"),
                 m);
  ASSERT_NE(m.nat_traversal(), nullptr);
  // An Info-Reply without the LCAF is refused both ways.
  m.payload = Address{};
  EXPECT_FALSE(encode_message(m).ok());
}

EncapsulatedControlMessage ecm_around(MapRequest request, net::IpHeader ip_header) {
  EncapsulatedControlMessage ecm;
  ecm.inner_ip = std::move(ip_header);
  ecm.inner_udp = {4342, 4342, std::nullopt, std::nullopt};
  *ecm.inner = std::move(request);
  return ecm;
}

// Frame 13 of the OOR capture, built from fields: lengths and checksums computed.
TEST(EcmTest, Ipv4InnerCapturedFromOor) {
  MapRequest request;
  request.nonce = 0xdec9af6bdfa9c802;
  request.source_eid = ip("198.51.100.10");
  request.itr_rlocs = {ip("192.0.2.3")};
  request.records = {EidRecord{0, 32, ip("203.0.113.10")}};
  net::Ipv4Header v4;
  v4.identification = 3;
  v4.ttl = 255;
  v4.source = ip("198.51.100.10");
  v4.destination = ip("203.0.113.10");
  const auto bytes = hex(
      "80 00 00 00 45 00 00 3c 00 03 40 00 ff 11 15 65 c6 33 64 0a cb 00 71 0a 10 f6 10 f6 00 28 "
      "09 16 10 00 00 01 de c9 af 6b df a9 c8 02 00 01 c6 33 64 0a 00 01 c0 00 02 03 00 20 00 01 "
      "cb 00 71 0a");
  auto from_fields = encode_message(ecm_around(request, v4));
  ASSERT_TRUE(from_fields.ok());
  EXPECT_EQ(testing::to_hex(*from_fields), testing::to_hex(bytes));
  // Decoded, the computed fields are kept as values.
  v4.total_length = 0x3c;
  v4.checksum = 0x1565;
  auto expected = ecm_around(request, v4);
  expected.inner_udp.length = 0x28;
  expected.inner_udp.checksum = 0x0916;
  expect_message(bytes, expected);
}

// Frame 32 of the OOR capture: IPv6 inner header, UDP checksum computed.
TEST(EcmTest, Ipv6InnerCapturedFromOor) {
  MapRequest request;
  request.nonce = 0xedcd777f3772c56d;
  request.source_eid = ip("2001:db8:1::10");
  request.itr_rlocs = {ip("192.0.2.3")};
  request.records = {EidRecord{0, 128, ip("2001:db8:2::10")}};
  net::Ipv6Header v6;
  v6.hop_limit = 255;
  v6.source = ip("2001:db8:1::10");
  v6.destination = ip("2001:db8:2::10");
  const auto bytes = hex(
      "80 00 00 00 60 00 00 00 00 40 11 ff 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 10 20 01 "
      "0d b8 00 02 00 00 00 00 00 00 00 00 00 10 10 f6 10 f6 00 40 f1 a0 10 00 00 01 ed cd 77 7f "
      "37 72 c5 6d 00 02 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 10 00 01 c0 00 02 03 00 80 "
      "00 02 20 01 0d b8 00 02 00 00 00 00 00 00 00 00 00 10");
  auto from_fields = encode_message(ecm_around(request, v6));
  ASSERT_TRUE(from_fields.ok());
  EXPECT_EQ(testing::to_hex(*from_fields), testing::to_hex(bytes));
  v6.payload_length = 0x40;
  auto expected = ecm_around(request, v6);
  expected.inner_udp.length = 0x40;
  expected.inner_udp.checksum = 0xf1a0;
  expect_message(bytes, expected);
}

TEST(EcmTest, FlagsAndNoNesting) {
  MapRequest request;
  request.itr_rlocs = {ip("192.0.2.3")};
  request.records = {EidRecord{0, 32, ip("203.0.113.10")}};
  net::Ipv4Header v4;
  v4.source = ip("192.0.2.3");
  v4.destination = ip("203.0.113.10");
  auto ecm = ecm_around(request, v4);
  ecm.security = ecm.from_ddt = ecm.to_etr = ecm.to_map_server = true;
  auto bytes = encode_message(ecm);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[0], 0x8f);
  auto nested = ecm;
  *nested.inner = ecm;
  EXPECT_FALSE(encode_message(nested).ok());
  // An ECM whose inner message is itself an ECM is refused on receive.
  std::vector<uint8_t> inner = *bytes;
  net::Ipv4Header outer_v4 = v4;
  std::vector<uint8_t> crafted = {0x80, 0, 0, 0};
  wire::Writer writer(crafted);
  net::encode_ip_udp(writer, outer_v4, {4342, 4342, std::nullopt, std::nullopt}, inner);
  EXPECT_FALSE(decode_message(crafted).ok());
}

TEST(MessageTest, UnknownTypesAreRefused) {
  for (uint8_t type : {0, 9, 10, 11, 12, 13, 14, 15}) {
    std::vector<uint8_t> bytes(32, 0);
    bytes[0] = static_cast<uint8_t>(type << 4);
    EXPECT_FALSE(decode_message(bytes).ok()) << "type " << int(type);
  }
  EXPECT_FALSE(decode_message({}).ok());
}

TEST(MessageTest, TrailingBytesAreRefused) {
  auto bytes = hex("50 00 00 00 00 00 00 00 00 00 00 09 00 00 00 00 00");
  EXPECT_FALSE(decode_message(bytes).ok());
}

}  // namespace
}  // namespace lispmob::lisp
