// The Map-Server role on the wire: UDP 4342 sockets (IPv4 and IPv6) and
// the MapServer state machine, wired onto the control runtime's event loop
// with a once-a-second expiry timer and lispctl's commands, until
// SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "control/ms/map_server.h"
#include "control/operator_endpoints.h"
#include "control/runtime/command_registry.h"
#include "control/runtime/counter_registry.h"
#include "control/udp_socket.h"

namespace lispmob::control {

class MapServerService {
 public:
  // `operators`: lispctl's socket, /metrics and readiness.
  static absl::StatusOr<std::unique_ptr<MapServerService>> create(const MapServerConfig& config,
                                                                  uint16_t port,
                                                                  OperatorOptions operators);
  // The config again, for a reload; an error names file:line:key.
  using Reload = std::function<absl::StatusOr<MapServerConfig>()>;
  // Serves until a SIGINT or SIGTERM arrives. SIGHUP reloads: the new
  // config's sites replace the old (registrations they still cover stay);
  // a config that does not load changes nothing.
  absl::Status run(const Reload& reload = nullptr);
  const MapServer& server() const { return server_; }
  // lispctl's commands: "show sites", "show registrations", "show counters".
  std::string answer(const std::string& command) const { return commands_.answer(command); }

 private:
  MapServerService(MapServer server, std::optional<UdpSocket> v4, std::optional<UdpSocket> v6);
  void drain(UdpSocket& socket);
  // `from`: our address to send from (the one the request came to).
  void send(const Outgoing& message, const std::optional<net::IpAddress>& from);
  void log_refusal(const MapServerCounters& before, const Endpoint& source, TimePoint now);
  void add_counters();
  void add_commands();

  MapServer server_;
  std::optional<UdpSocket> v4_;
  std::optional<UdpSocket> v6_;
  std::unique_ptr<OperatorEndpoints> operators_;
  CounterRegistry counters_;
  CommandRegistry commands_;
  TimePoint last_refusal_log_{};
  std::string control_interface_;  // as started; a reload cannot change it
};

}  // namespace lispmob::control
