#include "control/udp_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace lispmob::control {
socklen_t to_sockaddr(const Endpoint& endpoint, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof(storage));
  if (endpoint.address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(endpoint.port);
    std::memcpy(&v4->sin_addr, endpoint.address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(endpoint.port);
  std::memcpy(&v6->sin6_addr, endpoint.address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

Endpoint from_sockaddr(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    return {net::IpAddress::v4(ntohl(v4->sin_addr.s_addr)), ntohs(v4->sin_port)};
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
  std::array<uint8_t, 16> bytes;
  std::memcpy(bytes.data(), &v6->sin6_addr, 16);
  return {net::IpAddress::v6(bytes), ntohs(v6->sin6_port)};
}

namespace {

// "held by lispd, pid 1234": the process with a UDP socket bound to `port`
// in this network namespace (/proc/net/udp{,6}, then each process's fds),
// or "" if it cannot be found (another user's process, without root).
std::string holder_of_udp_port(uint16_t port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream file(table);
    std::string line;
    std::getline(file, line);  // the header
    while (std::getline(file, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      const size_t colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port) inodes.insert(inode);
    }
  }
  if (inodes.empty()) return "";
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = process.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    for (const auto& fd : std::filesystem::directory_iterator(process.path() / "fd", error)) {
      const std::string target = std::filesystem::read_symlink(fd.path(), error).string();
      if (target.rfind("socket:[", 0) != 0) continue;
      if (!inodes.contains(target.substr(8, target.size() - 9))) continue;
      std::ifstream comm(process.path() / "comm");
      std::string name;
      std::getline(comm, name);
      return absl::StrCat("held by ", name, ", pid ", pid);
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<UdpSocket> UdpSocket::bind(net::IpFamily family,
                                          std::optional<net::IpAddress> address, uint16_t port,
                                          const std::string& device) {
  const bool v6 = family == net::IpFamily::kIpv6;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  UdpSocket socket(fd);
  const int one = 1;
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  // Each datagram's local destination address, for answering from it.
  setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVPKTINFO : IP_PKTINFO, &one,
             sizeof(one));
  if (!device.empty() &&
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), device.size()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("control-iface ", device, ": ", std::strerror(errno)));
  }
  // No SO_REUSEADDR: with it a second lispd on the host could bind UDP
  // 4342 too and silently take part of the traffic.
  const int buffer = 4 << 20;  // a burst of registrations must not be dropped by the kernel
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer));
  const net::IpAddress any = v6 ? *net::IpAddress::parse("::") : net::IpAddress::v4(0u);
  sockaddr_storage storage;
  const socklen_t length = to_sockaddr({address.value_or(any), port}, storage);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    const int bind_error = errno;
    // A second lispd is told which process already has the port.
    const std::string holder = bind_error == EADDRINUSE ? holder_of_udp_port(port) : "";
    return absl::UnavailableError(absl::StrCat("bind ", address.value_or(any).to_string(), " port ",
                                               port, ": ", std::strerror(bind_error),
                                               holder.empty() ? "" : " (" + holder + ")"));
  }
  return socket;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t UdpSocket::local_port() const {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  return from_sockaddr(storage).port;
}

std::optional<size_t> UdpSocket::receive(std::span<uint8_t> buffer, Endpoint& source,
                                         std::optional<net::IpAddress>* to) {
  sockaddr_storage storage{};
  iovec data{buffer.data(), buffer.size()};
  alignas(cmsghdr)
      uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))];
  msghdr message{};
  message.msg_name = &storage;
  message.msg_namelen = sizeof(storage);
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  const ssize_t received = ::recvmsg(fd_, &message, 0);
  if (received < 0) return std::nullopt;
  source = from_sockaddr(storage);
  if (to != nullptr) {
    to->reset();
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
        in_pktinfo info;
        std::memcpy(&info, CMSG_DATA(header), sizeof(info));
        *to = net::IpAddress::v4(ntohl(info.ipi_addr.s_addr));
      } else if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info;
        std::memcpy(&info, CMSG_DATA(header), sizeof(info));
        std::array<uint8_t, 16> bytes;
        std::memcpy(bytes.data(), &info.ipi6_addr, 16);
        *to = net::IpAddress::v6(bytes);
      }
    }
  }
  return static_cast<size_t>(received);
}

bool UdpSocket::send(const Endpoint& destination, std::span<const uint8_t> bytes,
                     const std::optional<net::IpAddress>& source) {
  sockaddr_storage storage;
  const socklen_t length = to_sockaddr(destination, storage);
  iovec data{const_cast<uint8_t*>(bytes.data()), bytes.size()};
  msghdr message{};
  message.msg_name = &storage;
  message.msg_namelen = length;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  // The source address rides in IP_PKTINFO / IPV6_PKTINFO (ip(7), ipv6(7)).
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  if (source && source->family() == destination.address.family()) {
    message.msg_control = control;
    cmsghdr* header = reinterpret_cast<cmsghdr*>(control);
    if (source->is_v4()) {
      in_pktinfo info{};
      std::memcpy(&info.ipi_spec_dst, source->bytes().data(), 4);
      header->cmsg_level = IPPROTO_IP;
      header->cmsg_type = IP_PKTINFO;
      header->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(header), &info, sizeof(info));
      message.msg_controllen = CMSG_SPACE(sizeof(info));
    } else {
      in6_pktinfo info{};
      std::memcpy(&info.ipi6_addr, source->bytes().data(), 16);
      header->cmsg_level = IPPROTO_IPV6;
      header->cmsg_type = IPV6_PKTINFO;
      header->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(header), &info, sizeof(info));
      message.msg_controllen = CMSG_SPACE(sizeof(info));
    }
  }
  return ::sendmsg(fd_, &message, 0) == static_cast<ssize_t>(bytes.size());
}

std::optional<net::IpAddress> local_address_towards(const net::IpAddress& destination) {
  auto socket = UdpSocket::bind(destination.family(), std::nullopt, 0);
  if (!socket.ok()) return std::nullopt;
  sockaddr_storage storage;
  const socklen_t length = to_sockaddr({destination, lisp::kControlPort}, storage);
  if (::connect(socket->fd(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return std::nullopt;
  }
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  if (getsockname(socket->fd(), reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    return std::nullopt;
  }
  return from_sockaddr(local).address;
}

}  // namespace lispmob::control
