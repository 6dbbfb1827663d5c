// The kernel's tables kept from rtnetlink notifications, one message at a
// time: links, addresses, default routes and neighbours added, changed and
// removed; lengths that do not add up refused and counted; every table
// bounded.
#include "kni/kernel_state.h"

#include <gtest/gtest.h>
#include <net/if.h>

#include <vector>

#include "tests/kni/rtnetlink_messages.h"

namespace lispmob::kni {
namespace {

using namespace netlink_test;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

TEST(KernelState, FollowsAnRlocMoveMessageByMessage) {
  KernelState state;
  EXPECT_TRUE(state.apply(datagram(
      {link(RTM_NEWLINK, 10, IFF_UP).name("rloc0").attribute(IFLA_MTU, 1500u),
       address(RTM_NEWADDR, 10, "192.0.2.5", 24), default_route(RTM_NEWROUTE, "192.0.2.1", 10, 100),
       neighbour(RTM_NEWNEIGH, 10, "192.0.2.1", 0xa1, NUD_REACHABLE)})));
  ASSERT_NE(state.link_named("rloc0"), nullptr);
  EXPECT_EQ(state.link_named("rloc0")->mtu, 1500u);
  EXPECT_TRUE(state.link_named("rloc0")->up);
  ASSERT_EQ(state.addresses().size(), 1u);
  EXPECT_EQ(state.addresses()[0], (InterfaceAddress{10, ip("192.0.2.5"), 24}));
  ASSERT_EQ(state.defaults(net::IpFamily::kIpv4).size(), 1u);
  EXPECT_EQ(state.defaults()[0].gateway, ip("192.0.2.1"));
  EXPECT_EQ(state.defaults()[0].metric, 100u);
  ASSERT_EQ(state.neighbours().size(), 1u);
  EXPECT_EQ(state.neighbours()[0].mac[5], 0xa1);
  EXPECT_EQ(state.counters().applied, 4u);

  // The move: a new address and gateway, then the old ones go.
  EXPECT_TRUE(state.apply(datagram({address(RTM_NEWADDR, 10, "198.51.100.5", 24),
                                    default_route(RTM_NEWROUTE, "198.51.100.1", 10, 50)})));
  EXPECT_TRUE(state.apply(datagram({address(RTM_DELADDR, 10, "192.0.2.5", 24),
                                    default_route(RTM_DELROUTE, "192.0.2.1", 10, 100),
                                    neighbour(RTM_DELNEIGH, 10, "192.0.2.1", 0xa1, 0)})));
  ASSERT_EQ(state.addresses().size(), 1u);
  EXPECT_EQ(state.addresses()[0].address, ip("198.51.100.5"));
  ASSERT_EQ(state.defaults().size(), 1u);
  EXPECT_EQ(state.defaults()[0].gateway, ip("198.51.100.1"));
  EXPECT_TRUE(state.neighbours().empty());

  // The same news twice changes nothing; an MTU change is a link change.
  EXPECT_FALSE(state.apply(datagram({address(RTM_NEWADDR, 10, "198.51.100.5", 24)})));
  EXPECT_TRUE(state.apply(datagram({link(RTM_NEWLINK, 10, IFF_UP).attribute(IFLA_MTU, 1400u)})));
  EXPECT_EQ(state.link_named("rloc0")->mtu, 1400u) << "the name is kept from before";
  EXPECT_TRUE(state.apply(datagram({link(RTM_DELLINK, 10, 0)})));
  EXPECT_EQ(state.link_named("rloc0"), nullptr);
}

// The kernel flushes an IPv4 default route whose gateway its interface no
// longer reaches when the address goes, and sends no RTM_DELROUTE for it:
// the table must drop it too, or lispd would count on a route that is gone.
TEST(KernelState, AnAddressThatGoesTakesTheDefaultsItsSubnetReached) {
  KernelState state;
  state.apply(datagram(
      {link(RTM_NEWLINK, 10, IFF_UP).name("rloc0"), link(RTM_NEWLINK, 11, IFF_UP).name("rloc1"),
       address(RTM_NEWADDR, 10, "192.0.2.5", 24), address(RTM_NEWADDR, 10, "198.51.100.5", 24),
       address(RTM_NEWADDR, 11, "203.0.113.5", 24),
       default_route(RTM_NEWROUTE, "192.0.2.1", 10, 100),
       default_route(RTM_NEWROUTE, "203.0.113.1", 11, 200),
       // An "onlink" gateway no subnet of rloc1 holds: the kernel keeps it
       // whatever addresses go.
       default_route(RTM_NEWROUTE, "169.254.1.1", 11, 300)}));
  ASSERT_EQ(state.defaults().size(), 3u);
  // Another subnet of rloc0 goes: 192.0.2.1 is still on-link.
  EXPECT_TRUE(state.apply(datagram({address(RTM_DELADDR, 10, "198.51.100.5", 24)})));
  EXPECT_EQ(state.defaults().size(), 3u);
  // 192.0.2.5 goes, and no route deletion follows.
  EXPECT_TRUE(state.apply(datagram({address(RTM_DELADDR, 10, "192.0.2.5", 24)})));
  ASSERT_EQ(state.defaults().size(), 2u);
  EXPECT_EQ(state.defaults()[0].gateway, ip("203.0.113.1")) << "rloc1's stay";
  EXPECT_TRUE(state.apply(datagram({address(RTM_DELADDR, 11, "203.0.113.5", 24)})));
  ASSERT_EQ(state.defaults().size(), 1u);
  EXPECT_EQ(state.defaults()[0].gateway, ip("169.254.1.1"));
}

TEST(KernelState, OnlyTheMainTablesDefaultsAndNeighboursWithAMac) {
  KernelState state;
  EXPECT_FALSE(state.apply(datagram({default_route(RTM_NEWROUTE, "192.0.2.1", 10, 0, 5)})));
  ndmsg incomplete{};
  incomplete.ndm_family = AF_INET;
  incomplete.ndm_ifindex = 10;
  incomplete.ndm_state = NUD_INCOMPLETE;
  EXPECT_FALSE(state.apply(
      datagram({Message(RTM_NEWNEIGH, incomplete).attribute(NDA_DST, ip("192.0.2.9"))})));
  EXPECT_TRUE(state.defaults().empty());
  EXPECT_TRUE(state.neighbours().empty());
  // IPv6 keeps one default per gateway at the same metric.
  EXPECT_TRUE(state.apply(datagram({default_route(RTM_NEWROUTE, "fe80::1", 10, 1024),
                                    default_route(RTM_NEWROUTE, "fe80::2", 10, 1024)})));
  EXPECT_EQ(state.defaults(net::IpFamily::kIpv6).size(), 2u);
}

TEST(KernelState, LengthsThatDoNotAddUpAreRefusedAndCounted) {
  KernelState state;
  auto bytes = datagram({address(RTM_NEWADDR, 10, "192.0.2.5", 24)});
  auto too_long = bytes;
  reinterpret_cast<nlmsghdr*>(too_long.data())->nlmsg_len += 64;  // past the datagram
  EXPECT_FALSE(state.apply(too_long));
  auto bad_attribute = bytes;
  // The first attribute claims more than the message holds.
  auto* attribute =
      reinterpret_cast<rtattr*>(bad_attribute.data() + NLMSG_LENGTH(sizeof(ifaddrmsg)));
  attribute->rta_len = 200;
  EXPECT_FALSE(state.apply(bad_attribute));
  std::vector<uint8_t> short_header(NLMSG_HDRLEN + 2);
  reinterpret_cast<nlmsghdr*>(short_header.data())->nlmsg_len = NLMSG_HDRLEN + 2;
  reinterpret_cast<nlmsghdr*>(short_header.data())->nlmsg_type = RTM_NEWLINK;
  EXPECT_FALSE(state.apply(short_header));
  EXPECT_EQ(state.counters().malformed, 3u);
  EXPECT_TRUE(state.addresses().empty());
}

TEST(KernelState, EveryTableIsBounded) {
  KernelState state;
  for (uint32_t i = 0; i < KernelState::kMaxNeighbours + 10; ++i) {
    ndmsg header{};
    header.ndm_family = AF_INET;
    header.ndm_ifindex = 10;
    header.ndm_state = NUD_REACHABLE;
    const auto address = net::IpAddress::v4(0x0a000000u + i);
    const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    state.apply(datagram(
        {Message(RTM_NEWNEIGH, header).attribute(NDA_DST, address).attribute(NDA_LLADDR, mac, 6)}));
  }
  EXPECT_EQ(state.neighbours().size(), KernelState::kMaxNeighbours);
  EXPECT_EQ(state.counters().table_full, 10u);
}

}  // namespace
}  // namespace lispmob::kni
