#include "control/stream_service.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "control/runtime/event_loop.h"

namespace lispmob::control {

// The loop may be gone already (it is the caller's, and often a local of
// its run function): the clients are closed without touching it.
StreamService::~StreamService() {
  for (const auto& [client, state] : clients_) ::close(client);
}

void StreamService::serve(EventLoop& loop, int listen_fd, Answer answer) {
  loop_ = &loop;
  listen_fd_ = listen_fd;
  answer_ = std::move(answer);
  (void)loop.watch(listen_fd_, [this] { accept_clients(); });
}

void StreamService::accept_clients() {
  while (true) {
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) return;
    if (clients_.size() >= kMaxClients ||
        !loop_->watch(client, [this, client] { read_client(client); }).ok()) {
      ::close(client);
      continue;
    }
    Client& state = clients_[client];
    state.timer =
        loop_->timers().add(loop_->clock().now() + std::chrono::seconds(1), [this, client] {
          clients_[client].timer = 0;
          drop(client);
        });
  }
}

void StreamService::drop(int client) {
  auto found = clients_.find(client);
  if (found == clients_.end()) return;
  if (found->second.timer) loop_->timers().cancel(found->second.timer);
  loop_->unwatch(client);
  ::close(client);
  clients_.erase(found);
}

void StreamService::read_client(int client) {
  Client& state = clients_[client];
  char buffer[1024];
  const size_t room = kMaxRequest - state.request.size();
  const ssize_t length = ::recv(client, buffer, std::min(sizeof(buffer), room), 0);
  if (length < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (length > 0) state.request.append(buffer, static_cast<size_t>(length));
  const bool ended = length <= 0 || state.request.size() >= kMaxRequest;
  const std::optional<std::string> answer = answer_(state.request, ended);
  if (!answer && !ended) return;
  if (answer && !answer->empty()) {
    // The answer goes out blocking, with a send timeout: a client that
    // stops reading costs the loop at most that.
    const int flags = fcntl(client, F_GETFL);
    fcntl(client, F_SETFL, flags & ~O_NONBLOCK);
    timeval timeout{1, 0};
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    size_t sent = 0;
    while (sent < answer->size()) {
      const ssize_t n = ::send(client, answer->data() + sent, answer->size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  }
  drop(client);
}

}  // namespace lispmob::control
