#include "control/netlink_watch.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace lispmob::control {

absl::StatusOr<NetlinkWatch> NetlinkWatch::open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return absl::InternalError(std::string("netlink socket: ") + std::strerror(errno));
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
                      RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(std::string("netlink bind: ") + std::strerror(error));
  }
  return NetlinkWatch(fd);
}

NetlinkWatch::~NetlinkWatch() {
  if (fd_ >= 0) close(fd_);
}

bool NetlinkWatch::drain() {
  std::array<char, 16384> buffer;
  bool any = false;
  while (true) {
    const ssize_t length = recv(fd_, buffer.data(), buffer.size(), 0);
    // ENOBUFS: notifications were lost; the re-read covers them.
    if (length > 0 || (length < 0 && errno == ENOBUFS)) {
      any = true;
      continue;
    }
    return any;
  }
}

}  // namespace lispmob::control
