// What lmn0's host leaves to us: golden segments of TCP super-packets and a
// completed partial checksum. The expected bytes were built independently
// (a Python script with its own RFC 1071 sum), not by this code.
#include "kni/host_offload.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "tests/support/bytes.h"

namespace lispmob::kni {
namespace {

using testing::hex;

// A virtio-net header in the host's byte order (linux/virtio_net.h).
std::array<uint8_t, kVnetHeaderSize> vnet_header(uint8_t flags, uint8_t gso_type, uint16_t gso_size,
                                                 uint16_t checksum_start,
                                                 uint16_t checksum_offset) {
  std::array<uint8_t, kVnetHeaderSize> out{};
  const uint16_t fields[4] = {0, gso_size, checksum_start, checksum_offset};
  out[0] = flags;
  out[1] = gso_type;
  std::memcpy(out.data() + 2, fields, sizeof(fields));
  return out;
}
constexpr uint8_t kNeedsChecksum = 1;
constexpr uint8_t kTcp4 = 1, kUdp = 3, kTcp6 = 4;

std::vector<std::vector<uint8_t>> segments_of(const HostFrame& frame) {
  std::vector<std::vector<uint8_t>> out;
  for (unsigned i = 0; i < frame.segment_count(); ++i) {
    std::vector<uint8_t> segment(frame.segment_length(i));
    frame.write_segment(i, segment);
    out.push_back(segment);
  }
  return out;
}

// 10 bytes of IPv4 TCP with FIN|PSH|ACK, MSS 4: three segments; the IPv4
// identification counts up, the sequence number advances by the payload,
// FIN and PSH stay on the last one only, every checksum is whole.
TEST(HostOffload, Ipv4SuperPacketBecomesTheSegmentsTheHostWouldHaveSent) {
  const auto super_packet = hex(
      "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 32 12 34 40 00 40 06 00 00 c6 12 00 0a"
      "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 19 ff ff be ef 00 00 61 62 63 64 65 66"
      "67 68 69 6a");
  const auto frame = HostFrame::parse(vnet_header(kNeedsChecksum, kTcp4, 4, 34, 16), super_packet);
  ASSERT_TRUE(frame.has_value());
  EXPECT_TRUE(frame->segmented());
  const auto segments = segments_of(*frame);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0], hex("02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 34 40 00"
                             "40 06 9b 68 c6 12 00 0a c6 12 01 01 9c 40 13 89 01 00 00 00 02 00"
                             "00 00 50 10 ff ff ab 10 00 00 61 62 63 64"));
  EXPECT_EQ(segments[1], hex("02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 35 40 00"
                             "40 06 9b 67 c6 12 00 0a c6 12 01 01 9c 40 13 89 01 00 00 04 02 00"
                             "00 00 50 10 ff ff a3 04 00 00 65 66 67 68"));
  EXPECT_EQ(segments[2], hex("02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2a 12 36 40 00"
                             "40 06 9b 68 c6 12 00 0a c6 12 01 01 9c 40 13 89 01 00 00 08 02 00"
                             "00 00 50 19 ff ff 06 5e 00 00 69 6a"));
}

// IPv6 with CWR|PSH|ACK, 7 bytes at MSS 5: CWR on the first segment only,
// PSH on the last only, and the sequence number wraps.
TEST(HostOffload, Ipv6SuperPacketKeepsCwrOnTheFirstSegmentAndWrapsTheSequence) {
  const auto super_packet = hex(
      "02 00 00 00 00 01 02 00 00 00 00 02 86 dd 60 00 00 00 00 1b 06 40 20 01 0d b8 00 00 00 00"
      "00 00 00 00 00 00 00 01 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02 9c 40 13 89 ff ff"
      "ff fe 02 00 00 00 50 98 ff ff 00 00 00 00 30 31 32 33 34 35 36");
  const auto frame = HostFrame::parse(vnet_header(kNeedsChecksum, kTcp6, 5, 54, 16), super_packet);
  ASSERT_TRUE(frame.has_value());
  const auto segments = segments_of(*frame);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], hex("02 00 00 00 00 01 02 00 00 00 00 02 86 dd 60 00 00 00 00 19 06 40"
                             "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 01"
                             "00 00 00 00 00 00 00 00 00 02 9c 40 13 89 ff ff ff fe 02 00 00 00"
                             "50 90 ff ff 0b ad 00 00 30 31 32 33 34"));
  EXPECT_EQ(segments[1], hex("02 00 00 00 00 01 02 00 00 00 00 02 86 dd 60 00 00 00 00 16 06 40"
                             "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 01"
                             "00 00 00 00 00 00 00 00 00 02 9c 40 13 89 00 00 00 03 02 00 00 00"
                             "50 18 ff ff 6d 52 00 00 35 36"));
}

// A UDP datagram whose checksum field holds only the pseudo-header sum:
// passed whole, with the checksum completed.
TEST(HostOffload, PartialChecksumIsCompleted) {
  auto datagram = hex(
      "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 21 00 01 00 00 40 11 ed 9b c6 12 00 0a"
      "c6 12 01 01 10 f5 10 f6 00 0d 8d 4e 68 65 6c 6c 6f");
  const auto frame = HostFrame::parse(vnet_header(kNeedsChecksum, 0, 0, 34, 6), datagram);
  ASSERT_TRUE(frame.has_value());
  EXPECT_FALSE(frame->segmented());
  const auto segments = segments_of(*frame);
  ASSERT_EQ(segments.size(), 1u);
  datagram[40] = 0x0c;
  datagram[41] = 0xe7;
  EXPECT_EQ(segments[0], datagram);
}

TEST(HostOffload, FrameWithoutOffloadPassesUnchanged) {
  const auto bytes = hex("02 00 00 00 00 01 02 00 00 00 00 02 08 06 00 01 08 00 06 04 00 01");
  const auto frame = HostFrame::parse(vnet_header(0, 0, 0, 0, 0), bytes);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(segments_of(*frame), std::vector<std::vector<uint8_t>>{bytes});
}

// What the host never sends us and we refuse rather than guess at.
TEST(HostOffload, RefusesOffloadsItCannotHonour) {
  const auto ipv4_tcp = hex(
      "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 32 12 34 40 00 40 06 00 00 c6 12 00 0a"
      "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 19 ff ff be ef 00 00 61 62 63 64 65 66"
      "67 68 69 6a");
  // Checksum field past the end.
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, 0, 0, 60, 6), ipv4_tcp));
  // UDP segmentation (never offered), an IPv6 type on an IPv4 frame, no MSS.
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, kUdp, 4, 34, 6), ipv4_tcp));
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, kTcp6, 4, 34, 16), ipv4_tcp));
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, kTcp4, 0, 34, 16), ipv4_tcp));
  // A TCP header cut short, and a data offset beyond the frame.
  const std::vector<uint8_t> short_tcp(ipv4_tcp.begin(), ipv4_tcp.begin() + 50);
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, kTcp4, 4, 34, 16), short_tcp));
  auto long_offset = ipv4_tcp;
  long_offset[46] = 0xf0;
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, kTcp4, 4, 34, 16), long_offset));
  // An IPv4 fragment is no TSO packet.
  auto fragment = ipv4_tcp;
  fragment[20] = 0x20;
  EXPECT_FALSE(HostFrame::parse(vnet_header(kNeedsChecksum, kTcp4, 4, 34, 16), fragment));
}

// Three in-order segments of one flow to the host (the host_offload
// segments above, the last with PSH|ACK instead of FIN).
const char kSegmentA[] =
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 34 40 00 40 06 9b 68 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 10 ff ff ab 10 00 00 61 62 63 64";
const char kSegmentB[] =
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 35 40 00 40 06 9b 67 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 04 02 00 00 00 50 10 ff ff a3 04 00 00 65 66 67 68";
const char kSegmentC[] =
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2a 12 36 40 00 40 06 9b 68 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 08 02 00 00 00 50 18 ff ff 06 5f 00 00 69 6a";

// The train's super-packet: the first segment's headers with the whole
// length, a new IPv4 checksum, PSH from the last, and the pseudo-header
// sum as a partial checksum, behind a header asking for TSO at MSS 4.
TEST(TcpTrain, InOrderSegmentsBecomeOneSuperPacket) {
  const auto a = hex(kSegmentA), b = hex(kSegmentB), c = hex(kSegmentC);
  TcpTrain train;
  ASSERT_TRUE(train.start(a));
  ASSERT_TRUE(train.extend(b));
  ASSERT_TRUE(train.extend(c));
  EXPECT_EQ(train.segments(), 3u);
  ASSERT_EQ(train.headers_length(), 54u);
  std::array<uint8_t, kVnetHeaderSize> header{};
  std::vector<uint8_t> headers(train.headers_length());
  train.write_header(header, headers);
  EXPECT_EQ(headers, hex("02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 32 12 34 40 00 40 06"
                         "9b 62 c6 12 00 0a c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 18"
                         "ff ff 8d 54 00 00"));
  auto expected_header = vnet_header(kNeedsChecksum, kTcp4, 4, 34, 16);
  expected_header[2] = 54;  // the headers' length, in the host's order
  EXPECT_EQ(header, expected_header);
  // What the host then takes back apart is what was sent.
  std::vector<uint8_t> super_packet = headers;
  for (const auto* frame : {&a, &b, &c}) {
    super_packet.insert(super_packet.end(), frame->begin() + 54, frame->end());
  }
  const auto again = HostFrame::parse(header, super_packet);
  ASSERT_TRUE(again.has_value());
  const auto segments = segments_of(*again);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0], a);
  EXPECT_EQ(segments[2], c);
}

TEST(TcpTrain, OnlyWhatContinuesTheFlowJoins) {
  const auto a = hex(kSegmentA), b = hex(kSegmentB), c = hex(kSegmentC);
  TcpTrain train;
  // Out of order: C does not follow A.
  ASSERT_TRUE(train.start(a));
  EXPECT_FALSE(train.extend(c));
  // Another flow (source port), a bad checksum, a pure ACK.
  auto other_flow = b;
  other_flow[35] ^= 1;
  ASSERT_TRUE(train.start(a));
  EXPECT_FALSE(train.extend(other_flow));
  auto corrupt = b;
  corrupt.back() ^= 0xff;
  EXPECT_FALSE(train.extend(corrupt));
  EXPECT_FALSE(train.start(corrupt));
  const std::vector<uint8_t> pure_ack(a.begin(), a.begin() + 54);
  EXPECT_FALSE(train.start(pure_ack));
  // A longer payload than the first's (the host's MSS for the train).
  ASSERT_TRUE(train.start(c));
  EXPECT_FALSE(train.extend(b));
  EXPECT_EQ(train.segments(), 1u);
}

}  // namespace
}  // namespace lispmob::kni
