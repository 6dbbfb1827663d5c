#include "control/api_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "control/runtime/event_loop.h"

namespace lispmob::control {
namespace {

bool make_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace

absl::StatusOr<ApiSocket> ApiSocket::listen(const std::string& path) {
  sockaddr_un address;
  if (!make_address(path, address)) return absl::InvalidArgumentError("socket path too long");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  // A socket someone still answers on belongs to a running lispd: refuse
  // rather than take it over. One nobody answers on is left from a crash.
  if (in_use(path)) {
    ::close(fd);
    return absl::AlreadyExistsError(
        absl::StrCat("another lispd is running: its control socket ", path, " answers"));
  }
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 16) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("control socket ", path, ": ", error));
  }
  ::chmod(path.c_str(), 0660);
  return ApiSocket(fd, path);
}

bool ApiSocket::in_use(const std::string& path) {
  sockaddr_un address;
  if (!make_address(path, address)) return false;
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool alive = ::connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(probe);
  return alive;
}

ApiSocket::~ApiSocket() {
  for (const auto& [client, state] : clients_) ::close(client);
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
}

void ApiSocket::serve(EventLoop& loop, Handler handler) {
  loop_ = &loop;
  handler_ = std::move(handler);
  (void)loop.watch(fd_, [this] { accept_clients(); });
}

void ApiSocket::accept_clients() {
  while (true) {
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
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

void ApiSocket::drop(int client) {
  auto found = clients_.find(client);
  if (found == clients_.end()) return;
  if (found->second.timer) loop_->timers().cancel(found->second.timer);
  loop_->unwatch(client);
  ::close(client);
  clients_.erase(found);
}

void ApiSocket::read_client(int client) {
  Client& state = clients_[client];
  char buffer[512];
  const ssize_t length = ::recv(client, buffer, sizeof(buffer), 0);
  if (length < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (length > 0) state.line.append(buffer, static_cast<size_t>(length));
  const size_t end = state.line.find('\n');
  // Answered at the end of the line or of the stream; a line longer than
  // any command is cut, not buffered.
  if (end == std::string::npos && length > 0 && state.line.size() < 511) return;
  std::string command = state.line.substr(0, std::min(end, size_t{511}));
  while (!command.empty() && (command.back() == '\r' || command.back() == '\n')) {
    command.pop_back();
  }
  if (!command.empty()) {
    const std::string answer = handler_(command);
    // The answer goes out blocking, with a send timeout: a client that
    // stops reading costs the loop at most that.
    const int flags = fcntl(client, F_GETFL);
    fcntl(client, F_SETFL, flags & ~O_NONBLOCK);
    timeval timeout{1, 0};
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    size_t sent = 0;
    while (sent < answer.size()) {
      const ssize_t n = ::send(client, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  }
  drop(client);
}

absl::StatusOr<std::string> api_request(const std::string& path, const std::string& command) {
  sockaddr_un address;
  if (!make_address(path, address)) return absl::InvalidArgumentError("socket path too long");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot reach lispd at ", path, ": ", error));
  }
  const std::string line = command + "\n";
  ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[65536];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0)
    answer.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

}  // namespace lispmob::control
