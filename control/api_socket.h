// The control socket lispctl talks to: a Unix stream socket; a client sends
// one command line and reads the answer until the daemon closes.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace lispmob::control {

class EventLoop;

class ApiSocket {
 public:
  using Handler = std::function<std::string(const std::string& command)>;
  // Refuses a path a running lispd still answers on.
  static absl::StatusOr<ApiSocket> listen(const std::string& path);
  // True if a process answers on `path`: another lispd is running there.
  static bool in_use(const std::string& path);
  ApiSocket(ApiSocket&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  ~ApiSocket();
  int fd() const { return fd_; }
  // Serves clients from `loop`: each is accepted and read without
  // blocking (its request line may come in pieces, or late), answered
  // when its line is whole, and dropped after a second without one. At
  // most kMaxClients at a time. The loop must outlive the serving.
  void serve(EventLoop& loop, Handler handler);
  static constexpr size_t kMaxClients = 16;

 private:
  struct Client {
    std::string line;
    uint64_t timer = 0;
  };
  ApiSocket(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void accept_clients();
  void read_client(int client);
  void drop(int client);

  int fd_ = -1;
  std::string path_;
  EventLoop* loop_ = nullptr;
  Handler handler_;
  std::map<int, Client> clients_;
};

// lispctl's side: sends `command` and returns the whole answer.
absl::StatusOr<std::string> api_request(const std::string& path, const std::string& command);

}  // namespace lispmob::control
