// The control socket lispctl talks to: a Unix stream socket; a client sends
// one command line and reads the answer until the daemon closes.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "control/stream_service.h"

namespace lispmob::control {

class EventLoop;

class ApiSocket {
 public:
  using Handler = std::function<std::string(const std::string& command)>;
  // Refuses a path a running lispd still answers on.
  static absl::StatusOr<ApiSocket> listen(const std::string& path);
  // True if a process answers on `path`: another lispd is running there.
  static bool in_use(const std::string& path);
  ApiSocket(ApiSocket&& other) noexcept
      : fd_(other.fd_), path_(std::move(other.path_)), clients_(std::move(other.clients_)) {
    other.fd_ = -1;
  }
  ~ApiSocket();
  int fd() const { return fd_; }
  // Serves clients from `loop` (StreamService): each request is one
  // line. The loop must outlive the serving.
  void serve(EventLoop& loop, Handler handler);

 private:
  ApiSocket(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
  StreamService clients_;
};

// lispctl's side: sends `command` and returns the whole answer.
absl::StatusOr<std::string> api_request(const std::string& path, const std::string& command);

}  // namespace lispmob::control
