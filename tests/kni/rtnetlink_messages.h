// rtnetlink messages as the kernel sends them, built for tests of what
// lispd keeps from them (kni::KernelState and what reads it).
#pragma once

#include <net/if.h>

#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <initializer_list>
#include <vector>

#include "common/net/ip_address.h"

namespace lispmob::kni::netlink_test {

inline net::IpAddress address_of(const char* text) { return *net::IpAddress::parse(text); }

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

inline Message link(uint16_t type, int index, unsigned flags) {
  ifinfomsg header{};
  header.ifi_index = index;
  header.ifi_flags = flags;
  return Message(type, header);
}

inline Message address(uint16_t type, int index, const char* text, uint8_t length) {
  ifaddrmsg header{};
  header.ifa_family = address_of(text).is_v4() ? AF_INET : AF_INET6;
  header.ifa_index = static_cast<uint32_t>(index);
  header.ifa_prefixlen = length;
  Message message(type, header);
  message.attribute(IFA_ADDRESS, address_of(text));
  if (address_of(text).is_v4()) message.attribute(IFA_LOCAL, address_of(text));
  return message;
}

inline Message default_route(uint16_t type, const char* gateway, int index, uint32_t metric,
                             uint8_t table = RT_TABLE_MAIN) {
  rtmsg header{};
  header.rtm_family = address_of(gateway).is_v4() ? AF_INET : AF_INET6;
  header.rtm_table = table;
  header.rtm_type = RTN_UNICAST;
  Message message(type, header);
  message.attribute(RTA_TABLE, table)
      .attribute(RTA_GATEWAY, address_of(gateway))
      .attribute(RTA_OIF, static_cast<uint32_t>(index))
      .attribute(RTA_PRIORITY, metric);
  return message;
}

inline Message neighbour(uint16_t type, int index, const char* address, uint8_t last,
                         uint16_t state) {
  ndmsg header{};
  header.ndm_family = address_of(address).is_v4() ? AF_INET : AF_INET6;
  header.ndm_ifindex = index;
  header.ndm_state = state;
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, last};
  Message message(type, header);
  message.attribute(NDA_DST, address_of(address)).attribute(NDA_LLADDR, mac, 6);
  return message;
}

inline std::vector<uint8_t> datagram(std::initializer_list<Message> messages) {
  std::vector<uint8_t> out;
  for (const auto& message : messages) {
    auto bytes = message.bytes();
    out.resize(NLMSG_ALIGN(out.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

}  // namespace lispmob::kni::netlink_test
