#include "kni/kernel_state.h"

#include <net/if.h>  // before the linux/ headers, which it conflicts with otherwise

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace lispmob::kni {
namespace {

constexpr uint32_t kMainTable = RT_TABLE_MAIN;

template <class T>
std::optional<T> read_struct(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

// The attributes after a message's fixed header, each (type, payload);
// false if a length runs past the end.
template <class Each>
bool for_each_attribute(std::span<const uint8_t> bytes, Each each) {
  while (bytes.size() >= sizeof(rtattr)) {
    const auto header = *read_struct<rtattr>(bytes);
    if (header.rta_len < sizeof(rtattr) || header.rta_len > bytes.size()) return false;
    each(header.rta_type, bytes.subspan(RTA_LENGTH(0), header.rta_len - RTA_LENGTH(0)));
    const size_t advance = RTA_ALIGN(header.rta_len);
    if (advance >= bytes.size()) return true;
    bytes = bytes.subspan(advance);
  }
  return true;
}

std::optional<net::IpAddress> address_of(uint8_t family, std::span<const uint8_t> payload) {
  if (family == AF_INET && payload.size() == 4) {
    return net::IpAddress::v4(std::span<const uint8_t, 4>(payload.data(), 4));
  }
  if (family == AF_INET6 && payload.size() == 16) {
    return net::IpAddress::v6(std::span<const uint8_t, 16>(payload.data(), 16));
  }
  return std::nullopt;
}

std::optional<uint32_t> u32_of(std::span<const uint8_t> payload) {
  return read_struct<uint32_t>(payload);
}

std::span<const uint8_t> after_header(std::span<const uint8_t> body, size_t header) {
  const size_t aligned = NLMSG_ALIGN(header);
  return body.size() > aligned ? body.subspan(aligned) : std::span<const uint8_t>();
}

net::IpPrefix any_prefix(net::IpFamily family) {
  return {family == net::IpFamily::kIpv4 ? net::IpAddress::v4(0u)
                                         : net::IpAddress::v6(std::array<uint8_t, 16>{}),
          0};
}

}  // namespace

bool KernelState::apply(std::span<const uint8_t> datagram) {
  bool changed = false;
  while (datagram.size() >= sizeof(nlmsghdr)) {
    const auto header = *read_struct<nlmsghdr>(datagram);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > datagram.size()) {
      counters_.malformed++;
      return changed;
    }
    const auto body = datagram.subspan(NLMSG_HDRLEN, header.nlmsg_len - NLMSG_HDRLEN);
    if (apply_message(header.nlmsg_type, body)) {
      counters_.applied++;
      changed = true;
    }
    const size_t advance = NLMSG_ALIGN(header.nlmsg_len);
    if (advance >= datagram.size()) break;
    datagram = datagram.subspan(advance);
  }
  return changed;
}

void KernelState::clear() {
  links_.clear();
  addresses_.clear();
  defaults_.clear();
  neighbours_.clear();
}

void KernelState::take_tables(KernelState&& other) {
  links_ = std::move(other.links_);
  addresses_ = std::move(other.addresses_);
  defaults_ = std::move(other.defaults_);
  neighbours_ = std::move(other.neighbours_);
  counters_.applied += other.counters_.applied;
  counters_.malformed += other.counters_.malformed;
  counters_.table_full += other.counters_.table_full;
}

bool KernelState::apply_message(uint16_t type, std::span<const uint8_t> body) {
  switch (type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
      return apply_link(type == RTM_NEWLINK, body);
    case RTM_NEWADDR:
    case RTM_DELADDR:
      return apply_address(type == RTM_NEWADDR, body);
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      return apply_route(type == RTM_NEWROUTE, body);
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH:
      return apply_neighbour(type == RTM_NEWNEIGH, body);
    default:
      return false;  // NLMSG_DONE, errors, and what we do not follow
  }
}

bool KernelState::apply_link(bool add, std::span<const uint8_t> body) {
  const auto header = read_struct<ifinfomsg>(body);
  if (!header) {
    counters_.malformed++;
    return false;
  }
  if (!add) return links_.erase(header->ifi_index) > 0;
  Link link;
  link.index = header->ifi_index;
  link.up = (header->ifi_flags & IFF_UP) != 0;
  link.running = (header->ifi_flags & IFF_RUNNING) != 0;
  if (!for_each_attribute(after_header(body, sizeof(ifinfomsg)),
                          [&](uint16_t type, std::span<const uint8_t> payload) {
                            if (type == IFLA_IFNAME) {
                              const auto* text = reinterpret_cast<const char*>(payload.data());
                              link.name.assign(text, strnlen(text, payload.size()));
                            } else if (type == IFLA_MTU) {
                              link.mtu = u32_of(payload).value_or(0);
                            }
                          })) {
    counters_.malformed++;
    return false;
  }
  auto found = links_.find(link.index);
  if (found == links_.end()) {
    if (links_.size() >= kMaxLinks) {
      counters_.table_full++;
      return false;
    }
    links_.emplace(link.index, link);
    return true;
  }
  // A notification may leave out what did not change.
  if (link.name.empty()) link.name = found->second.name;
  if (link.mtu == 0) link.mtu = found->second.mtu;
  if (found->second == link) return false;
  found->second = link;
  return true;
}

bool KernelState::apply_address(bool add, std::span<const uint8_t> body) {
  const auto header = read_struct<ifaddrmsg>(body);
  if (!header) {
    counters_.malformed++;
    return false;
  }
  std::optional<net::IpAddress> local, peer;
  if (!for_each_attribute(after_header(body, sizeof(ifaddrmsg)),
                          [&](uint16_t type, std::span<const uint8_t> payload) {
                            if (type == IFA_LOCAL) local = address_of(header->ifa_family, payload);
                            if (type == IFA_ADDRESS) peer = address_of(header->ifa_family, payload);
                          })) {
    counters_.malformed++;
    return false;
  }
  // IFA_LOCAL is the interface's own address where it differs (IPv4
  // point-to-point); IPv6 gives only IFA_ADDRESS.
  const auto address = local ? local : peer;
  if (!address) return false;
  const InterfaceAddress entry{static_cast<int>(header->ifa_index), *address,
                               header->ifa_prefixlen};
  auto same = [&](const InterfaceAddress& item) {
    return item.interface == entry.interface && item.address == entry.address;
  };
  auto found = std::find_if(addresses_.begin(), addresses_.end(), same);
  if (!add) {
    if (found == addresses_.end()) return false;
    addresses_.erase(found);
    if (entry.address.is_v4()) drop_unreachable_defaults(entry);
    return true;
  }
  if (found != addresses_.end()) {
    if (*found == entry) return false;
    *found = entry;
    return true;
  }
  if (addresses_.size() >= kMaxAddresses) {
    counters_.table_full++;
    return false;
  }
  addresses_.push_back(entry);  // in the kernel's order: a move's new address comes last
  return true;
}

// The kernel flushes an IPv4 route whose gateway the interface no longer
// reaches on-link (the address whose subnet held it went) and says nothing
// of it: no RTM_DELROUTE comes. The table follows it here, or it would keep
// a default route that is gone (and the RLOC tables built from it). A
// gateway the subnet never held (an "onlink" one) is left alone.
void KernelState::drop_unreachable_defaults(const InterfaceAddress& gone) {
  auto subnet = [](const InterfaceAddress& a) {
    return net::IpPrefix{a.address.masked(a.prefix_length), a.prefix_length};
  };
  std::erase_if(defaults_, [&](const Route& route) {
    if (route.output_interface != gone.interface || !route.gateway ||
        !subnet(gone).contains(*route.gateway)) {
      return false;
    }
    return std::none_of(addresses_.begin(), addresses_.end(), [&](const InterfaceAddress& a) {
      return a.interface == gone.interface && a.address.is_v4() &&
             subnet(a).contains(*route.gateway);
    });
  });
}

bool KernelState::apply_route(bool add, std::span<const uint8_t> body) {
  const auto header = read_struct<rtmsg>(body);
  if (!header) {
    counters_.malformed++;
    return false;
  }
  if (header->rtm_dst_len != 0 || header->rtm_type != RTN_UNICAST ||
      (header->rtm_family != AF_INET && header->rtm_family != AF_INET6)) {
    return false;
  }
  const auto family = header->rtm_family == AF_INET ? net::IpFamily::kIpv4 : net::IpFamily::kIpv6;
  Route route;
  route.table = header->rtm_table;
  route.destination = any_prefix(family);
  if (!for_each_attribute(
          after_header(body, sizeof(rtmsg)), [&](uint16_t type, std::span<const uint8_t> payload) {
            switch (type) {
              case RTA_TABLE:
                route.table = u32_of(payload).value_or(route.table);
                break;
              case RTA_GATEWAY:
                route.gateway = address_of(header->rtm_family, payload);
                break;
              case RTA_OIF:
                route.output_interface = static_cast<int>(u32_of(payload).value_or(0));
                break;
              case RTA_PREFSRC:
                route.preferred_source = address_of(header->rtm_family, payload);
                break;
              case RTA_PRIORITY:
                route.metric = u32_of(payload).value_or(0);
                break;
              default:
                break;
            }
          })) {
    counters_.malformed++;
    return false;
  }
  if (route.table != kMainTable) return false;
  // The kernel's key for a route: table, destination, metric (and for
  // IPv6 the next hop too, since it keeps one route per gateway).
  auto same = [&](const Route& item) {
    return item.destination == route.destination && item.metric == route.metric &&
           (family == net::IpFamily::kIpv4 ||
            (item.gateway == route.gateway && item.output_interface == route.output_interface));
  };
  auto found = std::find_if(defaults_.begin(), defaults_.end(), same);
  if (!add) {
    if (found == defaults_.end()) return false;
    defaults_.erase(found);
    return true;
  }
  if (found != defaults_.end()) {
    if (*found == route) return false;
    *found = route;
    return true;
  }
  if (defaults_.size() >= kMaxDefaults) {
    counters_.table_full++;
    return false;
  }
  defaults_.push_back(route);
  return true;
}

bool KernelState::apply_neighbour(bool add, std::span<const uint8_t> body) {
  const auto header = read_struct<ndmsg>(body);
  if (!header) {
    counters_.malformed++;
    return false;
  }
  Neighbour neighbour;
  neighbour.interface = header->ndm_ifindex;
  neighbour.usable = header->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
                                          NUD_PERMANENT | NUD_NOARP);
  std::optional<net::IpAddress> address;
  bool has_mac = false;
  if (!for_each_attribute(after_header(body, sizeof(ndmsg)),
                          [&](uint16_t type, std::span<const uint8_t> payload) {
                            if (type == NDA_DST) address = address_of(header->ndm_family, payload);
                            if (type == NDA_LLADDR && payload.size() == neighbour.mac.size()) {
                              std::memcpy(neighbour.mac.data(), payload.data(), 6);
                              has_mac = true;
                            }
                          })) {
    counters_.malformed++;
    return false;
  }
  if (!address) return false;
  neighbour.address = *address;
  const std::pair<int, net::IpAddress> key{neighbour.interface, *address};
  auto found = neighbours_.find(key);
  // An entry without a MAC (incomplete, failed) is as good as none.
  if (!add || !has_mac) {
    if (found == neighbours_.end()) return false;
    neighbours_.erase(found);
    return true;
  }
  if (found != neighbours_.end()) {
    const bool same =
        found->second.mac == neighbour.mac && found->second.usable == neighbour.usable;
    found->second = neighbour;
    return !same;
  }
  if (neighbours_.size() >= kMaxNeighbours) {
    counters_.table_full++;
    return false;
  }
  neighbours_.emplace(key, neighbour);
  return true;
}

const Link* KernelState::link_named(const std::string& name) const {
  for (const auto& [index, link] : links_) {
    if (link.name == name) return &link;
  }
  return nullptr;
}

std::vector<Route> KernelState::defaults(net::IpFamily family) const {
  std::vector<Route> out;
  for (const auto& route : defaults_) {
    if (route.destination.address.family() == family) out.push_back(route);
  }
  return out;
}

std::vector<Neighbour> KernelState::neighbours() const {
  std::vector<Neighbour> out;
  for (const auto& [key, neighbour] : neighbours_) out.push_back(neighbour);
  return out;
}

}  // namespace lispmob::kni
