#include "kni/local_node.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace lispmob::kni {

absl::StatusOr<LocalNode> LocalNode::open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return absl::InternalError(absl::StrCat("netlink socket: ", std::strerror(errno)));
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
                      RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("netlink bind: ", std::strerror(error)));
  }
  // A larger receive buffer makes an overrun (and the dump it costs) rarer
  // when many changes come at once; without the right to, the default.
  const int buffer = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer));
  LocalNode node(fd);
  if (auto status = node.dump(); !status.ok()) return status;
  return node;
}

LocalNode::LocalNode(LocalNode&& other) noexcept
    : fd_(other.fd_), state_(std::move(other.state_)), counters_(other.counters_) {
  other.fd_ = -1;
}

LocalNode::~LocalNode() {
  if (fd_ >= 0) close(fd_);
}

absl::Status LocalNode::dump() {
  auto netlink = Rtnetlink::open();
  if (!netlink.ok()) return netlink.status();
  counters_.dumps++;
  // Into a fresh table, taken only whole: a dump that fails halfway leaves
  // the tables as they were rather than empty.
  KernelState fresh;
  if (auto status = netlink->dump_into(fresh); !status.ok()) return status;
  state_.take_tables(std::move(fresh));
  return absl::OkStatus();
}

bool LocalNode::on_readable() {
  std::array<uint8_t, 32768> buffer;
  bool changed = false;
  // Bounded: a storm of notifications yields to the rest of the loop, and
  // what is left makes the socket readable again.
  for (int i = 0; i < 256; ++i) {
    const ssize_t length = recv(fd_, buffer.data(), buffer.size(), 0);
    if (length < 0 && errno == ENOBUFS) {
      counters_.overruns++;
      (void)dump();  // on failure the next notification or overrun tries again
      changed = true;
      continue;
    }
    if (length <= 0) break;
    counters_.notifications++;
    if (state_.apply({buffer.data(), static_cast<size_t>(length)})) {
      counters_.changes++;
      changed = true;
    }
  }
  return changed;
}

}  // namespace lispmob::kni
