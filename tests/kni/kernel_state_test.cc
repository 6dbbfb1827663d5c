// The kernel's tables kept from rtnetlink notifications, one message at a
// time: links, addresses, default routes and neighbours added, changed and
// removed; lengths that do not add up refused and counted; every table
// bounded.
#include "kni/kernel_state.h"

#include <gtest/gtest.h>
#include <net/if.h>

#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

namespace lispmob::kni {
namespace {

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

// One rtnetlink message as the kernel sends it: header, fixed part, attributes.
class Message {
 public:
  template <class Header>
  Message(uint16_t type, const Header& header) {
    bytes_.resize(NLMSG_LENGTH(sizeof(Header)));
    auto* netlink = reinterpret_cast<nlmsghdr*>(bytes_.data());
    netlink->nlmsg_type = type;
    std::memcpy(NLMSG_DATA(netlink), &header, sizeof(Header));
  }
  Message& attribute(uint16_t type, const void* data, size_t length) {
    const size_t start = NLMSG_ALIGN(bytes_.size());
    bytes_.resize(start + RTA_ALIGN(RTA_LENGTH(length)));
    rtattr header{static_cast<uint16_t>(RTA_LENGTH(length)), type};
    std::memcpy(bytes_.data() + start, &header, sizeof(header));
    std::memcpy(bytes_.data() + start + RTA_LENGTH(0), data, length);
    return *this;
  }
  Message& attribute(uint16_t type, uint32_t value) { return attribute(type, &value, 4); }
  Message& attribute(uint16_t type, const net::IpAddress& address) {
    return attribute(type, address.bytes().data(), address.bytes().size());
  }
  Message& name(const char* text) { return attribute(IFLA_IFNAME, text, std::strlen(text) + 1); }
  std::vector<uint8_t> bytes() const {
    auto out = bytes_;
    reinterpret_cast<nlmsghdr*>(out.data())->nlmsg_len = static_cast<uint32_t>(out.size());
    return out;
  }

 private:
  std::vector<uint8_t> bytes_;
};

Message link(uint16_t type, int index, unsigned flags) {
  ifinfomsg header{};
  header.ifi_index = index;
  header.ifi_flags = flags;
  return Message(type, header);
}

Message address(uint16_t type, int index, const char* text, uint8_t length) {
  ifaddrmsg header{};
  header.ifa_family = ip(text).is_v4() ? AF_INET : AF_INET6;
  header.ifa_index = static_cast<uint32_t>(index);
  header.ifa_prefixlen = length;
  Message message(type, header);
  message.attribute(IFA_ADDRESS, ip(text));
  if (ip(text).is_v4()) message.attribute(IFA_LOCAL, ip(text));
  return message;
}

Message default_route(uint16_t type, const char* gateway, int index, uint32_t metric,
                      uint8_t table = RT_TABLE_MAIN) {
  rtmsg header{};
  header.rtm_family = ip(gateway).is_v4() ? AF_INET : AF_INET6;
  header.rtm_table = table;
  header.rtm_type = RTN_UNICAST;
  Message message(type, header);
  message.attribute(RTA_TABLE, table)
      .attribute(RTA_GATEWAY, ip(gateway))
      .attribute(RTA_OIF, static_cast<uint32_t>(index))
      .attribute(RTA_PRIORITY, metric);
  return message;
}

Message neighbour(uint16_t type, int index, const char* address, uint8_t last, uint16_t state) {
  ndmsg header{};
  header.ndm_family = ip(address).is_v4() ? AF_INET : AF_INET6;
  header.ndm_ifindex = index;
  header.ndm_state = state;
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, last};
  Message message(type, header);
  message.attribute(NDA_DST, ip(address)).attribute(NDA_LLADDR, mac, 6);
  return message;
}

std::vector<uint8_t> datagram(std::initializer_list<Message> messages) {
  std::vector<uint8_t> out;
  for (const auto& message : messages) {
    auto bytes = message.bytes();
    out.resize(NLMSG_ALIGN(out.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

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
