// lispd's Prometheus endpoint (config key metrics-listen): a TCP port on
// which "GET /metrics" answers every counter in the text exposition format
// 0.0.4, HTTP/1.1 with one request per connection. Served from the control
// loop by StreamService, so a scrape never waits on anything but the loop
// and a slow or idle client is dropped after a second.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "control/messages.h"
#include "control/stream_service.h"

namespace lispmob::control {

class MetricsHttp {
 public:
  using Render = std::function<std::string()>;
  // Listens on `where` (port 0: one the kernel picks, see port()).
  static absl::StatusOr<MetricsHttp> listen(const Endpoint& where);
  MetricsHttp(MetricsHttp&& other) noexcept
      : fd_(other.fd_), port_(other.port_), clients_(std::move(other.clients_)) {
    other.fd_ = -1;
  }
  ~MetricsHttp();
  uint16_t port() const { return port_; }
  // Serves from `loop`, which must outlive the serving.
  void serve(EventLoop& loop, Render metrics);

  // The HTTP answer to what a client sent so far (nullopt: the request's
  // header is not whole yet): 200 with the metrics for GET or HEAD of
  // /metrics, 404 for another path, 405 for another method, 400 for
  // something that is not an HTTP request.
  static std::optional<std::string> answer(std::string_view request, bool ended,
                                           const Render& metrics);

 private:
  MetricsHttp(int fd, uint16_t port) : fd_(fd), port_(port) {}
  int fd_ = -1;
  uint16_t port_ = 0;
  StreamService clients_;
};

}  // namespace lispmob::control
