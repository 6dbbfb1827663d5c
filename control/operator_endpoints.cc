#include "control/operator_endpoints.h"

#include <csignal>

#include "common/log/log.h"
#include "control/runtime/event_loop.h"

namespace lispmob::control {

absl::StatusOr<std::unique_ptr<OperatorEndpoints>> OperatorEndpoints::open(
    OperatorOptions options) {
  std::unique_ptr<OperatorEndpoints> endpoints(new OperatorEndpoints(std::move(options)));
  const OperatorOptions& opened = endpoints->options_;
  if (!opened.api_path.empty()) {
    auto api = ApiSocket::listen(opened.api_path);
    if (!api.ok()) return api.status();
    endpoints->api_.emplace(std::move(*api));
  }
  if (opened.metrics_listen) {
    auto metrics = MetricsHttp::listen(*opened.metrics_listen);
    if (!metrics.ok()) return metrics.status();
    endpoints->metrics_.emplace(std::move(*metrics));
  }
  return endpoints;
}

absl::Status OperatorEndpoints::serve(EventLoop& loop, const CommandRegistry& commands,
                                      const CounterRegistry& counters, Reload reload) {
  auto on_signal = [&loop, reload = std::move(reload)](int signo) {
    if (signo == SIGHUP) {
      if (!reload) return;
      auto restart_only = reload();
      if (!restart_only.ok()) {
        log::error("lispd", "reload refused, the running config stays: %s",
                   restart_only.status().message());
        return;
      }
      for (const auto& change : *restart_only) {
        log::warning("lispd", "reload: %s; it is not applied until lispd restarts", change);
      }
      return;
    }
    log::info("lispd", "%s: stopping", signo == SIGINT ? "SIGINT" : "SIGTERM");
    loop.stop();
  };
  if (auto status = loop.handle_signals({SIGINT, SIGTERM, SIGHUP}, on_signal); !status.ok()) {
    return status;
  }
  if (api_)
    api_->serve(loop, [&commands](const std::string& line) { return commands.answer(line); });
  if (metrics_) {
    metrics_->serve(loop, [&counters] { return counters.prometheus(); });
    log::info("lispd", "metrics at http://%s:%d/metrics",
              options_.metrics_listen->address.is_v4()
                  ? options_.metrics_listen->address.to_string()
                  : "[" + options_.metrics_listen->address.to_string() + "]",
              metrics_->port());
  }
  if (options_.on_ready) options_.on_ready();
  return absl::OkStatus();
}

void add_metrics_commands(CommandRegistry& commands, const CounterRegistry& counters) {
  auto metrics = [&counters](auto&) {
    Fields all(24);
    for (const auto& counter : counters.counters()) {
      all.add(counter.group + "_" + counter.name, counter.read());
    }
    return Reply(counters.prometheus(), all.json());
  };
  commands.add("show metrics", "", "every counter, in the Prometheus text format", metrics);
  commands.add("metrics", "", "the same as show metrics", metrics);
}

}  // namespace lispmob::control
