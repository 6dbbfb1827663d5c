// The kernel's drops at a full af_packet ring, read from our own sockets:
// an AF_PACKET socket on loopback with a two-frame ring nobody reads, in a
// network namespace of the test's own, and datagrams to 127.0.0.1.
#include "kni/packet_ring_drops.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kni/interface.h"

namespace lispmob::kni {
namespace {

class PacketRingDropsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "needs CAP_SYS_ADMIN for a network namespace";
    ASSERT_TRUE(set_interface_up("lo").ok());
    open_small_ring();
  }
  void TearDown() override {
    if (ring_ >= 0) close(ring_);
  }

  // An AF_PACKET socket on lo whose receive ring holds two frames.
  void open_small_ring() {
    ring_ = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    ASSERT_GE(ring_, 0);
    const int version = TPACKET_V2;
    if (setsockopt(ring_, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) != 0) {
      // qemu-user (the aarch64 test run) does not translate SOL_PACKET options.
      GTEST_SKIP() << "no packet ring options here: " << std::strerror(errno);
    }
    tpacket_req request{};
    request.tp_block_size = 4096;
    request.tp_block_nr = 1;
    request.tp_frame_size = 2048;
    request.tp_frame_nr = 2;
    ASSERT_EQ(setsockopt(ring_, SOL_PACKET, PACKET_RX_RING, &request, sizeof(request)), 0);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
    ASSERT_EQ(bind(ring_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  }

  static void send_datagrams(int count) {
    const int sender = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(sender, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char payload[64] = {};
    for (int i = 0; i < count; ++i) {
      sendto(sender, payload, sizeof(payload), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    }
    close(sender);
  }

  int ring_ = -1;
};

TEST_F(PacketRingDropsTest, CountsWhatAFullRingRefusedAndKeepsTheSum) {
  auto drops = PacketRingDrops::for_interface("lo");
  ASSERT_EQ(drops.sockets(), 1u);
  EXPECT_EQ(drops.total(), 0u);
  // Each datagram passes lo's taps at least once; two frames fit.
  send_datagrams(50);
  const uint64_t first = drops.total();
  EXPECT_GE(first, 48u);
  // The kernel resets its count on each read; the sum stays.
  EXPECT_EQ(drops.total(), first);
  send_datagrams(10);
  EXPECT_GE(drops.total(), first + 10);
}

// Only sockets bound to the interface count: not one bound to none (any
// interface), nor any for a name that is no interface.
TEST_F(PacketRingDropsTest, CountsOnlyTheInterfacesOwnSockets) {
  const int unbound = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  ASSERT_GE(unbound, 0);
  EXPECT_EQ(PacketRingDrops::for_interface("lo").sockets(), 1u);
  EXPECT_EQ(PacketRingDrops::for_interface("no-such-if").sockets(), 0u);
  close(unbound);
}

}  // namespace
}  // namespace lispmob::kni
