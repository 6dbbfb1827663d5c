// What an operator reaches a running lispd through, the same for every
// role: lispctl's control socket, the Prometheus /metrics port
// (metrics-listen) and the signals (SIGINT/SIGTERM stop, SIGHUP reloads).
// Opened before the role sets anything up, so a second lispd or a taken
// port is refused before the first one's state is touched.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "control/api_socket.h"
#include "control/messages.h"
#include "control/metrics_http.h"
#include "control/runtime/command_registry.h"
#include "control/runtime/counter_registry.h"

namespace lispmob::control {

class EventLoop;

struct OperatorOptions {
  std::string api_path;                    // lispctl's socket; "" for none
  std::optional<Endpoint> metrics_listen;  // unset: no /metrics
  // Called once, when every endpoint is served and the role is set up:
  // lispd -D's parent exits then, and the pid file is written.
  std::function<void()> on_ready;
};

class OperatorEndpoints {
 public:
  static absl::StatusOr<std::unique_ptr<OperatorEndpoints>> open(OperatorOptions options);

  // A role's reload: loads the config again and applies it, returning
  // what it could not apply until a restart ("what: why"), or the load's
  // error (file:line:key), in which case nothing changed.
  using Reload = std::function<absl::StatusOr<std::vector<std::string>>()>;
  // Serves `commands` on the control socket and `counters` on /metrics
  // from `loop`; SIGINT and SIGTERM stop the loop, SIGHUP calls `reload`
  // (if any) and logs what it refused or could not apply. Then says the
  // daemon is ready.
  absl::Status serve(EventLoop& loop, const CommandRegistry& commands,
                     const CounterRegistry& counters, Reload reload);

 private:
  explicit OperatorEndpoints(OperatorOptions options) : options_(std::move(options)) {}
  OperatorOptions options_;
  std::optional<ApiSocket> api_;
  std::optional<MetricsHttp> metrics_;
};

// "show metrics" and "metrics": every counter in the Prometheus text
// format (JSON: one object, group_name: value).
void add_metrics_commands(CommandRegistry& commands, const CounterRegistry& counters);

}  // namespace lispmob::control
