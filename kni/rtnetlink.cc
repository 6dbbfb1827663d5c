#include "kni/rtnetlink.h"

#include <net/if.h>  // before the linux/ headers, which it conflicts with otherwise

#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "kni/kernel_state.h"

namespace lispmob::kni {
namespace {

std::atomic<uint64_t> dump_requests{0};

// One rtnetlink request: the netlink header, the message's fixed header,
// then attributes, each 4-byte aligned (RFC 3549 §2.3.2).
class Request {
 public:
  template <class Header>
  Request(uint16_t type, uint16_t flags, const Header& header) {
    bytes_.resize(NLMSG_LENGTH(sizeof(Header)));
    auto* netlink = reinterpret_cast<nlmsghdr*>(bytes_.data());
    netlink->nlmsg_type = type;
    netlink->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
    std::memcpy(NLMSG_DATA(netlink), &header, sizeof(Header));
  }
  void attribute(uint16_t type, const void* data, size_t length) {
    const size_t start = NLMSG_ALIGN(bytes_.size());
    bytes_.resize(start + RTA_ALIGN(RTA_LENGTH(length)));
    rtattr attribute_header{static_cast<uint16_t>(RTA_LENGTH(length)), type};
    std::memcpy(bytes_.data() + start, &attribute_header, sizeof(attribute_header));
    std::memcpy(bytes_.data() + start + RTA_LENGTH(0), data, length);
  }
  void attribute(uint16_t type, uint32_t value) { attribute(type, &value, sizeof(value)); }
  void attribute(uint16_t type, const net::IpAddress& address) {
    attribute(type, address.bytes().data(), address.bytes().size());
  }
  std::vector<uint8_t> finish() {
    reinterpret_cast<nlmsghdr*>(bytes_.data())->nlmsg_len = static_cast<uint32_t>(bytes_.size());
    return std::move(bytes_);
  }

 private:
  std::vector<uint8_t> bytes_;
};

uint8_t family_of(const net::IpAddress& address) { return address.is_v4() ? AF_INET : AF_INET6; }

// A table number goes in the header when it fits, and always in RTA_TABLE.
Request route_request(uint16_t type, uint16_t flags, const Route& route) {
  rtmsg header{};
  header.rtm_family = family_of(route.destination.address);
  header.rtm_dst_len = route.destination.length;
  header.rtm_table =
      route.table < 256 ? static_cast<uint8_t>(route.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
  // A delete that names a protocol only matches routes of that protocol.
  header.rtm_protocol = type == RTM_DELROUTE ? RTPROT_UNSPEC : RTPROT_STATIC;
  header.rtm_scope = type == RTM_DELROUTE ? RT_SCOPE_NOWHERE
                     : route.gateway      ? RT_SCOPE_UNIVERSE
                                          : RT_SCOPE_LINK;
  header.rtm_type = RTN_UNICAST;
  Request request(type, flags, header);
  request.attribute(RTA_TABLE, route.table);
  if (route.destination.length > 0) request.attribute(RTA_DST, route.destination.address);
  if (route.gateway) request.attribute(RTA_GATEWAY, *route.gateway);
  if (route.output_interface) {
    request.attribute(RTA_OIF, static_cast<uint32_t>(route.output_interface));
  }
  if (route.preferred_source) request.attribute(RTA_PREFSRC, *route.preferred_source);
  request.attribute(RTA_PRIORITY, route.metric);
  return request;
}

Request rule_request(uint16_t type, uint16_t flags, const Rule& rule) {
  fib_rule_hdr header{};
  header.family = family_of(rule.source.address);
  header.src_len = rule.source.length;
  header.action = FR_ACT_TO_TBL;
  header.table =
      rule.table < 256 ? static_cast<uint8_t>(rule.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
  Request request(type, flags, header);
  request.attribute(FRA_SRC, rule.source.address);
  request.attribute(FRA_TABLE, rule.table);
  request.attribute(FRA_PRIORITY, rule.priority);
  return request;
}

// Calls `each` for every whole netlink message in `length` bytes (NLMSG_OK
// and NLMSG_NEXT, without their signed length).
template <class Each>
void for_each_message(uint8_t* buffer, size_t length, Each each) {
  size_t offset = 0;
  while (length - offset >= sizeof(nlmsghdr)) {
    auto* message = reinterpret_cast<nlmsghdr*>(buffer + offset);
    if (message->nlmsg_len < sizeof(nlmsghdr) || message->nlmsg_len > length - offset) return;
    if (!each(message)) return;
    offset += NLMSG_ALIGN(message->nlmsg_len);
  }
}

}  // namespace

absl::StatusOr<Rtnetlink> Rtnetlink::open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return absl::InternalError(absl::StrCat("netlink socket: ", std::strerror(errno)));
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("netlink bind: ", std::strerror(error)));
  }
  timeval timeout{1, 0};  // the kernel answers at once; never hang the daemon
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return Rtnetlink(fd);
}

Rtnetlink::~Rtnetlink() {
  if (fd_ >= 0) close(fd_);
}

absl::Status Rtnetlink::request(std::vector<uint8_t> message, const char* what) {
  auto* header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_flags |= NLM_F_ACK;
  header->nlmsg_seq = ++sequence_;
  if (send(fd_, message.data(), message.size(), 0) < 0) {
    return absl::InternalError(absl::StrCat(what, ": send: ", std::strerror(errno)));
  }
  std::array<uint8_t, 8192> buffer;
  while (true) {
    const ssize_t length = recv(fd_, buffer.data(), buffer.size(), 0);
    if (length < 0) {
      return absl::InternalError(absl::StrCat(what, ": recv: ", std::strerror(errno)));
    }
    std::optional<int> error;
    for_each_message(buffer.data(), static_cast<size_t>(length), [&](const nlmsghdr* reply) {
      if (reply->nlmsg_seq != sequence_ || reply->nlmsg_type != NLMSG_ERROR) return true;
      error = -static_cast<const nlmsgerr*>(NLMSG_DATA(reply))->error;
      return false;
    });
    if (!error) continue;
    // Idempotent: adding what exists, or deleting what is gone, is done.
    const bool adding = header->nlmsg_type == RTM_NEWROUTE || header->nlmsg_type == RTM_NEWRULE ||
                        header->nlmsg_type == RTM_NEWADDR;
    if (*error == 0 || (adding && *error == EEXIST) ||
        (!adding && (*error == ESRCH || *error == ENOENT || *error == EADDRNOTAVAIL))) {
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(absl::StrCat(what, ": ", std::strerror(*error)));
  }
}

absl::StatusOr<int> Rtnetlink::interface_index(const std::string& name) {
  const unsigned index = if_nametoindex(name.c_str());
  if (index == 0) return absl::NotFoundError(absl::StrCat("no interface ", name));
  return static_cast<int>(index);
}

absl::Status Rtnetlink::set_link_up(int index, bool noarp) {
  ifinfomsg header{};
  header.ifi_family = AF_UNSPEC;
  header.ifi_index = index;
  header.ifi_flags = IFF_UP | (noarp ? IFF_NOARP : 0);
  header.ifi_change = IFF_UP | IFF_NOARP;
  return request(Request(RTM_NEWLINK, 0, header).finish(), "set link up");
}

absl::Status Rtnetlink::add_address(int index, const net::IpPrefix& address) {
  ifaddrmsg header{};
  header.ifa_family = family_of(address.address);
  header.ifa_prefixlen = address.length;
  header.ifa_index = static_cast<uint32_t>(index);
  // No duplicate address detection: the address is lispd's alone (an EID
  // the mapping system gives one node), and until DAD ended an IPv6
  // address would be tentative, so a route naming it as source fails.
  if (address.address.is_v6()) header.ifa_flags = IFA_F_NODAD;
  Request message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, header);
  message.attribute(IFA_LOCAL, address.address);
  message.attribute(IFA_ADDRESS, address.address);
  return request(message.finish(), "add address");
}

absl::Status Rtnetlink::delete_address(int index, const net::IpPrefix& address) {
  ifaddrmsg header{};
  header.ifa_family = family_of(address.address);
  header.ifa_prefixlen = address.length;
  header.ifa_index = static_cast<uint32_t>(index);
  Request message(RTM_DELADDR, 0, header);
  message.attribute(IFA_LOCAL, address.address);
  return request(message.finish(), "delete address");
}

absl::Status Rtnetlink::delete_neighbour(int index, const net::IpAddress& address) {
  ndmsg header{};
  header.ndm_family = family_of(address);
  header.ndm_ifindex = index;
  Request message(RTM_DELNEIGH, 0, header);
  message.attribute(NDA_DST, address);
  return request(message.finish(), "delete neighbour");
}

absl::Status Rtnetlink::replace_route(const Route& route) {
  return request(route_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, route).finish(),
                 "replace route");
}

absl::Status Rtnetlink::delete_route(const Route& route) {
  return request(route_request(RTM_DELROUTE, 0, route).finish(), "delete route");
}

absl::Status Rtnetlink::add_rule(const Rule& rule) {
  return request(rule_request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule).finish(), "add rule");
}

absl::Status Rtnetlink::delete_rule(const Rule& rule) {
  return request(rule_request(RTM_DELRULE, 0, rule).finish(), "delete rule");
}

template <class Each>
absl::Status Rtnetlink::dump(std::vector<uint8_t> message, uint16_t type, const char* what,
                             Each each) {
  auto* netlink = reinterpret_cast<nlmsghdr*>(message.data());
  netlink->nlmsg_seq = ++sequence_;
  dump_requests.fetch_add(1, std::memory_order_relaxed);
  if (send(fd_, message.data(), message.size(), 0) < 0) {
    return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
  }
  std::array<uint8_t, 32768> buffer;
  while (true) {
    const ssize_t length = recv(fd_, buffer.data(), buffer.size(), 0);
    if (length < 0) return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
    std::optional<absl::Status> done;
    for_each_message(buffer.data(), static_cast<size_t>(length), [&](const nlmsghdr* reply) {
      if (reply->nlmsg_seq != sequence_) return true;
      if (reply->nlmsg_type == NLMSG_DONE) {
        done = absl::OkStatus();
        return false;
      }
      if (reply->nlmsg_type == NLMSG_ERROR) {
        done = absl::InternalError(absl::StrCat(what, ": refused"));
        return false;
      }
      if (reply->nlmsg_type == type) each(reply);
      return true;
    });
    if (done) return *done;
  }
}

uint64_t dump_requests_sent() { return dump_requests.load(std::memory_order_relaxed); }

absl::Status Rtnetlink::dump_into(KernelState& state) {
  state.clear();
  auto feed = [&state](const nlmsghdr* reply) {
    state.apply({reinterpret_cast<const uint8_t*>(reply), reply->nlmsg_len});
  };
  ifinfomsg link{};
  link.ifi_family = AF_UNSPEC;
  if (auto status =
          dump(Request(RTM_GETLINK, NLM_F_DUMP, link).finish(), RTM_NEWLINK, "link dump", feed);
      !status.ok()) {
    return status;
  }
  ifaddrmsg address{};
  address.ifa_family = AF_UNSPEC;
  if (auto status = dump(Request(RTM_GETADDR, NLM_F_DUMP, address).finish(), RTM_NEWADDR,
                         "address dump", feed);
      !status.ok()) {
    return status;
  }
  rtmsg route{};
  route.rtm_family = AF_UNSPEC;
  if (auto status =
          dump(Request(RTM_GETROUTE, NLM_F_DUMP, route).finish(), RTM_NEWROUTE, "route dump", feed);
      !status.ok()) {
    return status;
  }
  ndmsg neighbour{};
  neighbour.ndm_family = AF_UNSPEC;
  return dump(Request(RTM_GETNEIGH, NLM_F_DUMP, neighbour).finish(), RTM_NEWNEIGH, "neighbour dump",
              feed);
}

}  // namespace lispmob::kni
