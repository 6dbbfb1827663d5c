#include "control/map_server_service.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace lispmob::control {

absl::StatusOr<std::unique_ptr<MapServerService>> MapServerService::create(
    const config::Config& config, uint16_t port) {
  MapServer::Options options;
  options.replies_per_second = config.ms_replies_per_second ? config.ms_replies_per_second : 1e12;
  options.reply_burst = std::max(1.0, options.replies_per_second / 10);
  auto v4 = UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, port);
  auto v6 = UdpSocket::bind(net::IpFamily::kIpv6, std::nullopt, port);
  if (!v4.ok() && !v6.ok()) return v4.status();
  std::optional<UdpSocket> socket4, socket6;
  if (v4.ok()) socket4 = std::move(*v4);
  if (v6.ok()) socket6 = std::move(*v6);  // a host without IPv6 serves IPv4 only
  return std::unique_ptr<MapServerService>(
      new MapServerService(MapServer(MapServer::sites_from_config(config), options),
                           std::move(socket4), std::move(socket6), config.debug));
}

void MapServerService::send(const Outgoing& message) {
  auto& socket = message.destination.address.is_v4() ? v4_ : v6_;
  if (socket) socket->send(message.destination, message.bytes);
}

void MapServerService::drain(UdpSocket& socket) {
  std::array<uint8_t, 9000> buffer;
  Endpoint source;
  // A bounded batch, so one busy socket cannot starve the other or the timer.
  for (int i = 0; i < 256; ++i) {
    auto length = socket.receive(buffer, source);
    if (!length) return;
    for (const auto& out :
         server_.handle({buffer.data(), *length}, source, std::chrono::steady_clock::now())) {
      send(out);
    }
  }
}

absl::Status MapServerService::run() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) return absl::InternalError("signalfd failed");
  std::vector<pollfd> fds = {{signal_fd, POLLIN, 0}};
  if (v4_) fds.push_back({v4_->fd(), POLLIN, 0});
  if (v6_) fds.push_back({v6_->fd(), POLLIN, 0});
  auto last_expiry = std::chrono::steady_clock::now();
  while (true) {
    const int ready = poll(fds.data(), fds.size(), 1000);
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) break;  // SIGINT or SIGTERM
    if (v4_ && (fds[1].revents & POLLIN)) drain(*v4_);
    if (v6_ && (fds.back().revents & POLLIN)) drain(*v6_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_expiry >= std::chrono::seconds(1)) {
      server_.expire(now);
      last_expiry = now;
      if (debug_ > 0) {
        const auto& c = server_.counters();
        std::fprintf(
            stderr,
            "lispd: %zu registrations; registers %lu, auth failures %lu, outside site %lu, "
            "requests %lu (forwarded %lu, proxy %lu, negative %lu, rate-limited %lu)\n",
            server_.registration_count(), static_cast<unsigned long>(c.registers_accepted),
            static_cast<unsigned long>(c.auth_failures), static_cast<unsigned long>(c.outside_site),
            static_cast<unsigned long>(c.requests),
            static_cast<unsigned long>(c.requests_forwarded),
            static_cast<unsigned long>(c.proxy_replies),
            static_cast<unsigned long>(c.negative_replies),
            static_cast<unsigned long>(c.rate_limited));
      }
    }
  }
  close(signal_fd);
  return absl::OkStatus();
}

}  // namespace lispmob::control
