// Every packet of every capture in tests/data/captures (real traffic from an
// independent implementation) decodes through our parsers and re-encodes to
// the identical bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/lisp/packet.h"
#include "common/net/frame.h"
#include "common/pcap/pcap.h"
#include "tests/support/bytes.h"

namespace lispmob {
namespace {

std::vector<std::string> capture_files() {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(testing::captures_dir(), error)) {
    if (entry.path().extension() == ".pcap") files.push_back(entry.path().string());
  }
  return files;
}

TEST(CapturesTest, EveryLispPacketRoundTrips) {
  const auto files = capture_files();
  ASSERT_FALSE(files.empty()) << "no captures in " << testing::captures_dir();
  std::map<std::string, int> seen;
  for (const auto& path : files) {
    auto file = pcap::read_file(path);
    ASSERT_TRUE(file.ok()) << path << ": " << file.status();
    for (size_t i = 0; i < file->records.size(); ++i) {
      const auto& frame_bytes = file->records[i].data;
      net::UdpFrame frame;
      ASSERT_TRUE(net::dissect_udp_frame(frame_bytes, frame).ok()) << path << " frame " << i + 1;
      const auto port =
          lisp::classify_ports(frame.datagram.udp.source_port, frame.datagram.udp.destination_port);
      ASSERT_NE(port, lisp::LispPort::kNone) << path << " frame " << i + 1;
      auto payload = lisp::decode_payload(port, frame.datagram.payload);
      ASSERT_TRUE(payload.ok()) << path << " frame " << i + 1 << ": " << payload.status();
      auto again = lisp::encode_payload(*payload);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(testing::to_hex(*again),
                testing::to_hex({frame.datagram.payload.begin(), frame.datagram.payload.end()}))
          << path << " frame " << i + 1;
      if (const auto* message = std::get_if<lisp::Message>(&payload->value)) {
        seen[lisp::message_type_name(message->type())]++;
      } else {
        seen["data"]++;
      }
    }
  }
  // The capture holds each of these; if a decoder silently misfiled them the counts would move.
  EXPECT_GT(seen["Map-Register"], 0);
  EXPECT_GT(seen["Map-Notify"], 0);
  EXPECT_GT(seen["Map-Reply"], 0);
  EXPECT_GT(seen["Map-Request"], 0);
  EXPECT_GT(seen["Encapsulated-Control-Message"], 0);
  EXPECT_GT(seen["data"], 0);
}

TEST(CapturesTest, PcapFileRoundTrips) {
  for (const auto& path : capture_files()) {
    auto file = pcap::read_file(path);
    ASSERT_TRUE(file.ok());
    auto bytes = pcap::serialize(*file);
    auto again = pcap::parse(bytes);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->records.size(), file->records.size());
    for (size_t i = 0; i < file->records.size(); ++i) {
      EXPECT_EQ(again->records[i].data, file->records[i].data);
    }
  }
}

TEST(PcapTest, RefusesTruncatedFiles) {
  EXPECT_FALSE(pcap::parse({}).ok());
  const auto header = testing::hex(
      "d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 "
      "01 00 00 00 00 00 00 00 00 00 00 00 10 00 00 00 10 00 00 00 "
      "aa bb");
  EXPECT_FALSE(pcap::parse(header).ok()) << "record claims 16 bytes, has 2";
}

}  // namespace
}  // namespace lispmob
