// The client side of a listening stream socket (lispctl's Unix socket, the
// /metrics TCP port), served from the event loop: each client is accepted
// and read without blocking (its request may come in pieces, or late),
// answered once its request is whole, and dropped after a second without
// one. At most kMaxClients at a time and kMaxRequest bytes each, so a
// client that connects and never finishes cannot hold the loop or grow us.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace lispmob::control {

class EventLoop;

class StreamService {
 public:
  // The bytes a client sent so far, and whether it has ended its side or
  // reached kMaxRequest: nullopt to wait for more, else the answer, sent
  // before the connection is closed.
  using Answer = std::function<std::optional<std::string>(std::string_view request, bool ended)>;
  static constexpr size_t kMaxClients = 16;
  static constexpr size_t kMaxRequest = 8192;

  StreamService() = default;
  StreamService(StreamService&& other) noexcept = default;
  StreamService(const StreamService&) = delete;
  ~StreamService();
  // Serves clients connecting to `listen_fd` (non-blocking) from `loop`,
  // which must outlive the serving; call once, after any move.
  void serve(EventLoop& loop, int listen_fd, Answer answer);

 private:
  struct Client {
    std::string request;
    uint64_t timer = 0;
  };
  void accept_clients();
  void read_client(int client);
  void drop(int client);

  int listen_fd_ = -1;
  EventLoop* loop_ = nullptr;
  Answer answer_;
  std::map<int, Client> clients_;
};

}  // namespace lispmob::control
