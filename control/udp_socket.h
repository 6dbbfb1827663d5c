// A non-blocking UDP socket for LISP control messages, IPv4 or IPv6.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "control/messages.h"

namespace lispmob::control {

class UdpSocket {
 public:
  // Binds to `address` (nullopt: any address of `family`) and `port` (0:
  // any); with `device`, to that interface only (SO_BINDTODEVICE).
  static absl::StatusOr<UdpSocket> bind(net::IpFamily family, std::optional<net::IpAddress> address,
                                        uint16_t port, const std::string& device = "");
  UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  ~UdpSocket();

  int fd() const { return fd_; }
  uint16_t local_port() const;
  // One datagram, or nullopt when none is waiting. `to`, if given, gets
  // the local address it was sent to (IP_PKTINFO), so an answer can leave
  // from the address that was asked.
  std::optional<size_t> receive(std::span<uint8_t> buffer, Endpoint& source,
                                std::optional<net::IpAddress>* to = nullptr);
  // `source`: the address to send from (a local one), else the kernel's choice.
  bool send(const Endpoint& destination, std::span<const uint8_t> bytes,
            const std::optional<net::IpAddress>& source = std::nullopt);

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// An Endpoint as a socket address and back, for any socket of ours (UDP
// here, the /metrics TCP port). Returns the address's length.
socklen_t to_sockaddr(const Endpoint& endpoint, sockaddr_storage& storage);
Endpoint from_sockaddr(const sockaddr_storage& storage);

// The local address the kernel would use to reach `destination`.
std::optional<net::IpAddress> local_address_towards(const net::IpAddress& destination);

}  // namespace lispmob::control
