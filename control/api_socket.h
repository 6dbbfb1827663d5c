// The control socket lispctl talks to: a Unix stream socket; a client sends
// one command line and reads the answer until the daemon closes.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace lispmob::control {

class ApiSocket {
 public:
  using Handler = std::function<std::string(const std::string& command)>;
  static absl::StatusOr<ApiSocket> listen(const std::string& path);
  ApiSocket(ApiSocket&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  ~ApiSocket();
  int fd() const { return fd_; }
  // Serves one waiting client. The answer is written with a short send
  // timeout, so a stuck client cannot hold the event loop.
  void serve_one(const Handler& handler);

 private:
  ApiSocket(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// lispctl's side: sends `command` and returns the whole answer.
absl::StatusOr<std::string> api_request(const std::string& path, const std::string& command);

}  // namespace lispmob::control
