#include "control/ms/map_server_service.h"

#include <net/if.h>

#include <csignal>

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"
#include "control/runtime/event_loop.h"

namespace lispmob::control {

absl::StatusOr<std::unique_ptr<MapServerService>> MapServerService::create(
    const MapServerConfig& config, uint16_t port, OperatorOptions operators) {
  auto endpoints = OperatorEndpoints::open(std::move(operators));
  if (!endpoints.ok()) return endpoints.status();
  // Answers leave from the address each request came to (drain), so a
  // Map-Server with several addresses answers from the one it was asked on.
  const std::string& device = config.control_interface;
  if (!device.empty() && if_nametoindex(device.c_str()) == 0) {
    return absl::NotFoundError("control-iface " + device + ": no such interface on this host");
  }
  auto v4 = UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, port, device);
  auto v6 = UdpSocket::bind(net::IpFamily::kIpv6, std::nullopt, port, device);
  if (!v4.ok() && !v6.ok()) return v4.status();
  std::optional<UdpSocket> socket4, socket6;
  if (v4.ok()) socket4 = std::move(*v4);
  if (v6.ok()) socket6 = std::move(*v6);  // a host without IPv6 serves IPv4 only
  MapServer server(config.sites, config.options);
  server.set_static(config.static_registrations);
  std::unique_ptr<MapServerService> service(
      new MapServerService(std::move(server), std::move(socket4), std::move(socket6)));
  service->control_interface_ = device;
  service->operators_ = std::move(*endpoints);
  return service;
}

MapServerService::MapServerService(MapServer server, std::optional<UdpSocket> v4,
                                   std::optional<UdpSocket> v6)
    : server_(std::move(server)), v4_(std::move(v4)), v6_(std::move(v6)) {
  add_counters();
  add_commands();
}

void MapServerService::send(const Outgoing& message, const std::optional<net::IpAddress>& from) {
  auto& socket = message.destination.address.is_v4() ? v4_ : v6_;
  if (socket) socket->send(message.destination, message.bytes, from);
}

void MapServerService::drain(UdpSocket& socket) {
  std::array<uint8_t, 9000> buffer;
  Endpoint source;
  std::optional<net::IpAddress> asked;  // the address the request came to
  // A bounded batch, so one busy socket cannot starve the other or the timer.
  for (int i = 0; i < 256; ++i) {
    auto length = socket.receive(buffer, source, &asked);
    if (!length) return;
    const auto now = std::chrono::steady_clock::now();
    const MapServerCounters before = server_.counters();
    for (const auto& out : server_.handle({buffer.data(), *length}, source, now)) {
      send(out, asked);
    }
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

absl::Status MapServerService::run(const Reload& reload) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  if (!loop.ok()) return loop.status();
  EventLoop& events = **loop;
  absl::Status watched = absl::OkStatus();
  if (v4_) watched = events.watch(v4_->fd(), [this] { drain(*v4_); });
  if (watched.ok() && v6_) watched = events.watch(v6_->fd(), [this] { drain(*v6_); });
  if (!watched.ok()) return watched;
  events.every(std::chrono::seconds(1), [this, &clock] {
    server_.expire(clock.now());
    if (!log::enabled(log::Level::kDebug)) return;
    std::vector<std::string> parts;
    const Fields counters = counters_.fields("map_server", 0);
    for (const auto& item : counters.items()) {
      if (item.second.text != "0") parts.push_back(item.first + " " + item.second.text);
    }
    log::debug("ms", "%s", parts.empty() ? "idle" : absl::StrJoin(parts, ", "));
  });
  OperatorEndpoints::Reload on_reload;
  if (reload)
    on_reload = [&]() -> absl::StatusOr<std::vector<std::string>> {
      auto config = reload();
      if (!config.ok()) return config.status();
      std::vector<std::string> restart_only;
      if (config->control_interface != control_interface_) {
        restart_only.push_back("control-iface " + (config->control_interface.empty()
                                                       ? std::string("(none)")
                                                       : config->control_interface));
      }
      const size_t dropped = server_.set_sites(std::move(config->sites));
      server_.set_options(config->options);
      server_.set_static(config->static_registrations);
      log::info("ms",
                "reload applied: %d sites, %d registrations outside them dropped, %d static "
                "registrations, %g replies/s per requester (0: no limit)",
                server_.sites().size(), dropped, config->static_registrations.size(),
                server_.options().replies_per_second);
      return restart_only;
    };
  if (auto status = operators_->serve(events, commands_, counters_, on_reload); !status.ok()) {
    return status;
  }
  return events.run();
}

void MapServerService::add_counters() {
  const MapServer& server = server_;
  counters_.add(
      "map_server", "registrations", "EID-prefixes registered now",
      [&server] { return server.registration_count(); }, CounterRegistry::Kind::kGauge);
  static constexpr CounterRegistry::Field<MapServerCounters> kRows[] = {
      {"registers_accepted", "Map-Registers accepted", &MapServerCounters::registers_accepted},
      {"auth_failures", "Map-Registers refused: bad key ID or HMAC",
       &MapServerCounters::auth_failures},
      {"outside_site", "Map-Registers refused: a prefix outside the site",
       &MapServerCounters::outside_site},
      {"malformed", "messages that did not decode", &MapServerCounters::malformed},
      {"notifies_sent", "Map-Notifies sent", &MapServerCounters::notifies_sent},
      {"requests", "Map-Requests received", &MapServerCounters::requests},
      {"requests_forwarded", "Map-Requests forwarded to the registering ETR",
       &MapServerCounters::requests_forwarded},
      {"proxy_replies", "Map-Replies sent for a proxy-reply registration",
       &MapServerCounters::proxy_replies},
      {"negative_replies", "negative Map-Replies sent", &MapServerCounters::negative_replies},
      {"rate_limited", "Map-Requests not answered: over the per-requester limit",
       &MapServerCounters::rate_limited},
      {"expired", "registrations that lapsed", &MapServerCounters::expired},
      {"registrations_refused", "Map-Registers refused: the table or the site's share was full",
       &MapServerCounters::registrations_refused},
      {"static_overlaps", "Map-Registers refused: a prefix of ms-static-registered-site",
       &MapServerCounters::static_overlaps},
      {"contributors_refused", "Map-Registers refused: a merged prefix had its most xTRs",
       &MapServerCounters::contributors_refused},
  };
  counters_.add_fields<MapServer, MapServerCounters>("map_server", server, kRows);
}

namespace {

// Who registered a prefix: each xTR of a merged one.
std::string registrants(const Registration& registration) {
  std::vector<std::string> each;
  for (const auto& contributor : registration.contributors) {
    each.push_back(absl::StrCat(contributor.registered_by.address.to_string(), ":",
                                contributor.registered_by.port));
  }
  return absl::StrJoin(each, " ");
}

}  // namespace

void MapServerService::add_commands() {
  commands_.add("show sites", "", "the configured sites", [this](auto&) {
    Table table({{"instance", 9},
                 {"eid-prefix", 24},
                 {"keys", 5},
                 {"more-specifics", 15},
                 {"proxy-reply", 12},
                 {"merge", 0}});
    for (const auto& site : server_.sites()) {
      table.add_row({site.instance_id, site.prefix.to_string(), site.keys.size(),
                     site.accept_more_specifics, site.proxy_reply, site.merge});
    }
    return Reply(table);
  });
  commands_.add("show registrations", "", "what the ETRs registered", [this](auto&) {
    const auto now = std::chrono::steady_clock::now();
    Table table({{"instance", 9},
                 {"eid-prefix", 24},
                 {"last-seen", 10},
                 {"registered-by", 28},
                 {"rlocs", 0}});
    for (const Registration* registration : server_.registrations()) {
      std::vector<std::string> text;
      Json json = Json::array();
      for (const auto& locator : registration->record.locators) {
        text.push_back(absl::StrFormat("%s (p%d w%d)", locator.address.to_string(),
                                       locator.priority, locator.weight));
        json.push_back({{"rloc", locator.address.to_string()},
                        {"priority", locator.priority},
                        {"weight", locator.weight}});
      }
      const int64_t age =
          std::chrono::duration_cast<std::chrono::seconds>(now - registration->last_seen()).count();
      // A configured (ms-static-registered-site) mapping was seen by no
      // one: "static", JSON null for its age.
      const bool configured = registration->configured;
      table.add_row(
          {registration->instance_id, registration->prefix.to_string(),
           configured ? Cell("never", Json(nullptr)) : Cell(absl::StrCat(age, "s ago"), Json(age)),
           configured ? std::string("static") : registrants(*registration),
           Cell(absl::StrJoin(text, ", "), std::move(json))});
    }
    return Reply(table);
  });
  commands_.add("show counters", "", "the Map-Server's counters",
                [this](auto&) { return Reply(counters_.fields("map_server", 20)); });
  add_metrics_commands(commands_, counters_);
}

}  // namespace lispmob::control
