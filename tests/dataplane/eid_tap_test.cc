// lmn0's tap against the real kernel, in a network namespace of the test's
// own: a TCP super-packet the host's stack hands the tap (injected through
// an AF_PACKET socket with PACKET_VNET_HDR, as the stack's own TSO output
// reaches it) comes out of TapQueue::receive as its segments, and a frame
// TapQueue::transmit writes reaches the host whole.
#include "dataplane/eid_tap.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "kni/interface.h"
#include "tests/support/bytes.h"

namespace lispmob::dataplane {
namespace {

using testing::hex;

// tests/kni/host_offload_test.cc's super-packet: 10 bytes at MSS 4.
const char kSuperPacket[] =
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 32 12 34 40 00 40 06 00 00 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 19 ff ff be ef 00 00 61 62 63 64 65 66"
    "67 68 69 6a";
const char* const kSegments[] = {
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 34 40 00 40 06 9b 68 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 10 ff ff ab 10 00 00 61 62 63 64",
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 35 40 00 40 06 9b 67 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 04 02 00 00 00 50 10 ff ff a3 04 00 00 65 66 67 68",
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2a 12 36 40 00 40 06 9b 68 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 08 02 00 00 00 50 19 ff ff 06 5e 00 00 69 6a",
};

// tests/kni/host_offload_test.cc's train: three segments of one flow.
const char* const kTrain[] = {
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 34 40 00 40 06 9b 68 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 10 ff ff ab 10 00 00 61 62 63 64",
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 35 40 00 40 06 9b 67 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 04 02 00 00 00 50 10 ff ff a3 04 00 00 65 66 67 68",
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2a 12 36 40 00 40 06 9b 68 c6 12 00 0a"
    "c6 12 01 01 9c 40 13 89 01 00 00 08 02 00 00 00 50 18 ff ff 06 5f 00 00 69 6a",
};

class EidTapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "needs CAP_SYS_ADMIN for a network namespace";
    // No IPv6 on the new tap: its router solicitations would be frames too.
    std::ofstream("/proc/sys/net/ipv6/conf/default/disable_ipv6") << "1";
    static int pool_number = 0;
    pool_ = rte_pktmbuf_pool_create(("tap_pool" + std::to_string(pool_number++)).c_str(), 511, 0, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
    auto tap = EidTap::open("lmtest0", 1, pool_);
    ASSERT_TRUE(tap.ok()) << tap.status();
    tap_ = std::move(*tap);
    // The host's side of lmn0: a packet socket on it, with offload headers.
    host_ = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    ASSERT_GE(host_, 0);
    const int on = 1;
    if (setsockopt(host_, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof(on)) != 0) {
      // qemu-user (the aarch64 test run) does not translate SOL_PACKET options.
      GTEST_SKIP() << "no PACKET_VNET_HDR here: " << std::strerror(errno);
    }
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex("lmtest0"));
    ASSERT_EQ(bind(host_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  }
  void TearDown() override {
    if (host_ >= 0) close(host_);
    tap_.reset();
    rte_mempool_free(pool_);
  }

  // IPv4 frames from the tap until `count` came or a second passed.
  std::vector<std::vector<uint8_t>> receive(size_t count) {
    std::vector<std::vector<uint8_t>> out;
    for (int attempt = 0; attempt < 1000 && out.size() < count; ++attempt) {
      rte_mbuf* packets[32];
      const uint16_t received = tap_->queue(0)->receive(packets, 32, counters_);
      for (uint16_t i = 0; i < received; ++i) {
        const auto* data = rte_pktmbuf_mtod(packets[i], const uint8_t*);
        if (data[12] == 0x08 && data[13] == 0x00) {
          out.emplace_back(data, data + rte_pktmbuf_data_len(packets[i]));
        }
        rte_pktmbuf_free(packets[i]);
      }
      if (received == 0) usleep(1000);
    }
    return out;
  }

  rte_mempool* pool_ = nullptr;
  std::unique_ptr<EidTap> tap_;
  int host_ = -1;
  LcoreCounters counters_;
};

TEST_F(EidTapTest, HostsSuperPacketArrivesAsItsSegments) {
  // virtio-net header: NEEDS_CSUM, TCPV4, header length, MSS 4, checksum at 34+16.
  const uint16_t fields[4] = {54, 4, 34, 16};
  std::vector<uint8_t> message = {1, 1};
  message.resize(2 + sizeof(fields));
  std::memcpy(message.data() + 2, fields, sizeof(fields));
  const auto frame = hex(kSuperPacket);
  message.insert(message.end(), frame.begin(), frame.end());
  ASSERT_EQ(send(host_, message.data(), message.size(), 0), static_cast<ssize_t>(message.size()))
      << std::strerror(errno);
  const auto segments = receive(3);
  ASSERT_EQ(segments.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(segments[i], hex(kSegments[i])) << "segment " << i;
  EXPECT_EQ(counters_.host_offloaded.load(), 1u);
  EXPECT_EQ(counters_.host_segments.load(), 3u);
}

// A jumbo frame (lmn0 with a tap-mtu above an mbuf's room) arrives as a
// chain of mbufs holding exactly its bytes.
TEST_F(EidTapTest, FrameLargerThanAnMbufArrivesAsAChain) {
  ASSERT_TRUE(kni::set_interface_mtu("lmtest0", 4000).ok());
  auto frame = hex(kSegments[2]);
  frame.resize(3000);
  for (size_t i = 60; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> message(kni::kVnetHeaderSize, 0);
  message.insert(message.end(), frame.begin(), frame.end());
  ASSERT_EQ(send(host_, message.data(), message.size(), 0), static_cast<ssize_t>(message.size()))
      << std::strerror(errno);
  rte_mbuf* packet = nullptr;
  for (int attempt = 0; attempt < 1000 && packet == nullptr; ++attempt) {
    if (tap_->queue(0)->receive(&packet, 1, counters_) == 0) usleep(1000);
  }
  ASSERT_NE(packet, nullptr);
  EXPECT_GT(packet->nb_segs, 1);
  ASSERT_EQ(rte_pktmbuf_pkt_len(packet), frame.size());
  std::vector<uint8_t> bytes(frame.size());
  const auto* start = static_cast<const uint8_t*>(
      rte_pktmbuf_read(packet, 0, static_cast<uint32_t>(bytes.size()), bytes.data()));
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(start, start + bytes.size()), frame);
  rte_pktmbuf_free(packet);
}

TEST_F(EidTapTest, FrameToTheHostArrivesWhole) {
  // A segment we decapsulated, addressed to the tap's own MAC.
  auto frame = hex(kSegments[2]);
  std::memcpy(frame.data(), tap_->mac().data(), 6);
  rte_mbuf* packet = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(packet, nullptr);
  std::memcpy(rte_pktmbuf_append(packet, static_cast<uint16_t>(frame.size())), frame.data(),
              frame.size());
  ASSERT_EQ(tap_->queue(0)->transmit(&packet, 1, counters_), 1u);
  // The host's packet socket sees it with an empty offload header.
  pollfd readable = {host_, POLLIN, 0};
  ASSERT_EQ(poll(&readable, 1, 1000), 1);
  std::vector<uint8_t> received(4096);
  const ssize_t length = recv(host_, received.data(), received.size(), 0);
  ASSERT_EQ(length, static_cast<ssize_t>(kni::kVnetHeaderSize + frame.size()));
  received.resize(static_cast<size_t>(length));
  EXPECT_EQ(std::vector<uint8_t>(received.begin() + kni::kVnetHeaderSize, received.end()), frame);
  EXPECT_EQ(received[1], 0) << "no segmentation asked of the host";
}

// Segments of one TCP flow in one burst reach the host as one
// super-packet: the socket sees a single frame with the TSO header.
TEST_F(EidTapTest, SegmentsOfOneFlowReachTheHostAsOneSuperPacket) {
  rte_mbuf* packets[3];
  for (int i = 0; i < 3; ++i) {
    auto frame = hex(kTrain[i]);
    std::memcpy(frame.data(), tap_->mac().data(), 6);
    packets[i] = rte_pktmbuf_alloc(pool_);
    ASSERT_NE(packets[i], nullptr);
    std::memcpy(rte_pktmbuf_append(packets[i], static_cast<uint16_t>(frame.size())), frame.data(),
                frame.size());
  }
  ASSERT_EQ(tap_->queue(0)->transmit(packets, 3, counters_), 3u);
  EXPECT_EQ(counters_.host_trains.load(), 1u);
  EXPECT_EQ(counters_.host_train_segments.load(), 3u);
  pollfd readable = {host_, POLLIN, 0};
  ASSERT_EQ(poll(&readable, 1, 1000), 1);
  std::vector<uint8_t> received(4096);
  const ssize_t length = recv(host_, received.data(), received.size(), 0);
  ASSERT_EQ(length, static_cast<ssize_t>(kni::kVnetHeaderSize + 54 + 10));
  EXPECT_EQ(received[1], 1) << "TCPV4 segmentation";
  EXPECT_EQ(
      std::vector<uint8_t>(received.begin() + kni::kVnetHeaderSize + 54, received.begin() + length),
      std::vector<uint8_t>({'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'}));
  // Nothing else came: one frame for three segments.
  EXPECT_EQ(poll(&readable, 1, 100), 0);
}

}  // namespace
}  // namespace lispmob::dataplane
