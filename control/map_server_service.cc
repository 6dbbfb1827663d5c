#include "control/map_server_service.h"

#include "control/stop_signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log/log.h"

namespace lispmob::control {

absl::StatusOr<std::unique_ptr<MapServerService>> MapServerService::create(
    const config::Config& config, uint16_t port, const std::string& api_path) {
  MapServer::Options options;
  options.replies_per_second = config.ms_replies_per_second;  // 0: no limit
  options.reply_burst = std::max(1.0, options.replies_per_second / 10);
  auto v4 = UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, port);
  auto v6 = UdpSocket::bind(net::IpFamily::kIpv6, std::nullopt, port);
  if (!v4.ok() && !v6.ok()) return v4.status();
  std::optional<UdpSocket> socket4, socket6;
  if (v4.ok()) socket4 = std::move(*v4);
  if (v6.ok()) socket6 = std::move(*v6);  // a host without IPv6 serves IPv4 only
  std::unique_ptr<MapServerService> service(
      new MapServerService(MapServer(MapServer::sites_from_config(config), options),
                           std::move(socket4), std::move(socket6), config.debug));
  if (!api_path.empty()) {
    auto api = ApiSocket::listen(api_path);
    if (!api.ok()) return api.status();
    service->api_.emplace(std::move(*api));
  }
  return service;
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
    const auto now = std::chrono::steady_clock::now();
    const MapServerCounters before = server_.counters();
    for (const auto& out : server_.handle({buffer.data(), *length}, source, now)) send(out);
    log_refusal(before, source, now);
  }
}

// A refused Map-Register is a security event: logged whatever the debug
// level, at most once a second so a flood cannot fill the log.
void MapServerService::log_refusal(const MapServerCounters& before, const Endpoint& source,
                                   TimePoint now) {
  const auto& after = server_.counters();
  const char* reason = after.auth_failures != before.auth_failures ? "authentication failed"
                       : after.outside_site != before.outside_site ? "prefix outside its site"
                                                                   : nullptr;
  if (reason == nullptr || now - last_refusal_log_ < std::chrono::seconds(1)) return;
  last_refusal_log_ = now;
  log::warning(
      "ms",
      "Map-Register from %s refused: %s (%d authentication failures, %d outside a site so far)",
      source.address.to_string(), reason, after.auth_failures, after.outside_site);
}

absl::Status MapServerService::run() {
  const int signal_fd = stop_signal_fd();
  if (signal_fd < 0) return absl::InternalError("signalfd failed");
  std::vector<pollfd> fds = {{signal_fd, POLLIN, 0}, {api_ ? api_->fd() : -1, POLLIN, 0}};
  if (v4_) fds.push_back({v4_->fd(), POLLIN, 0});
  if (v6_) fds.push_back({v6_->fd(), POLLIN, 0});
  auto last_expiry = std::chrono::steady_clock::now();
  while (true) {
    const int ready = poll(fds.data(), fds.size(), 1000);
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) break;  // SIGINT or SIGTERM
    if (api_ && (fds[1].revents & POLLIN)) {
      api_->serve_one([this](const std::string& command) { return answer(command); });
    }
    if (v4_ && (fds[2].revents & POLLIN)) drain(*v4_);
    if (v6_ && (fds.back().revents & POLLIN)) drain(*v6_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_expiry >= std::chrono::seconds(1)) {
      server_.expire(now);
      last_expiry = now;
      if (debug_ > 0) {
        const auto& c = server_.counters();
        log::debug("ms",
                   "%d registrations; registers %lu, auth failures %lu, outside site %lu, "
                   "requests %lu (forwarded %lu, proxy %lu, negative %lu, rate-limited %lu)",
                   server_.registration_count(), static_cast<unsigned long>(c.registers_accepted),
                   static_cast<unsigned long>(c.auth_failures),
                   static_cast<unsigned long>(c.outside_site),
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

std::string MapServerService::answer(const std::string& command) const {
  std::string out;
  if (command == "show sites") {
    out = absl::StrFormat("%-9s %-24s %-5s %-15s %s\n", "instance", "eid-prefix", "keys",
                          "more-specifics", "proxy-reply");
    for (const auto& site : server_.sites()) {
      absl::StrAppendFormat(&out, "%-9d %-24s %-5d %-15s %s\n", site.instance_id,
                            site.prefix.to_string(), site.keys.size(),
                            site.accept_more_specifics ? "yes" : "no",
                            site.proxy_reply ? "yes" : "no");
    }
  } else if (command == "show registrations") {
    const auto now = std::chrono::steady_clock::now();
    out = absl::StrFormat("%-9s %-24s %-10s %-28s %s\n", "instance", "eid-prefix", "last-seen",
                          "registered-by", "rlocs");
    for (const Registration* registration : server_.registrations()) {
      std::string rlocs;
      for (const auto& locator : registration->record.locators) {
        absl::StrAppendFormat(&rlocs, "%s%s (p%d w%d)", rlocs.empty() ? "" : ", ",
                              locator.address.to_string(), locator.priority, locator.weight);
      }
      const auto age =
          std::chrono::duration_cast<std::chrono::seconds>(now - registration->last_seen).count();
      absl::StrAppendFormat(&out, "%-9d %-24s %-10s %-28s %s\n", registration->instance_id,
                            registration->prefix.to_string(), absl::StrCat(age, "s ago"),
                            absl::StrCat(registration->registered_by.address.to_string(), ":",
                                         registration->registered_by.port),
                            rlocs);
    }
  } else if (command == "show counters") {
    const auto& c = server_.counters();
    const std::pair<const char*, uint64_t> rows[] = {
        {"registrations", server_.registration_count()},
        {"registers_accepted", c.registers_accepted},
        {"auth_failures", c.auth_failures},
        {"outside_site", c.outside_site},
        {"malformed", c.malformed},
        {"notifies_sent", c.notifies_sent},
        {"requests", c.requests},
        {"requests_forwarded", c.requests_forwarded},
        {"proxy_replies", c.proxy_replies},
        {"negative_replies", c.negative_replies},
        {"rate_limited", c.rate_limited},
        {"expired", c.expired},
    };
    for (const auto& [name, value] : rows) absl::StrAppendFormat(&out, "%-20s %d\n", name, value);
  } else {
    out = "unknown command '" + command + "': show sites | show registrations | show counters\n";
  }
  return out;
}

}  // namespace lispmob::control
