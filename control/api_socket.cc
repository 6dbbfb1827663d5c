#include "control/api_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

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
  // Root-only: the socket changes the running node (lispctl add/clear).
  ::chmod(path.c_str(), 0600);
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
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
}

void ApiSocket::serve(EventLoop& loop, Handler handler) {
  clients_.serve(loop, fd_,
                 [handler = std::move(handler)](std::string_view request,
                                                bool ended) -> std::optional<std::string> {
                   const size_t end = request.find('\n');
                   if (end == std::string_view::npos && !ended) return std::nullopt;
                   std::string command(request.substr(0, end));
                   while (!command.empty() && (command.back() == '\r' || command.back() == '\n')) {
                     command.pop_back();
                   }
                   if (command.empty()) return std::string();
                   return handler(command);
                 });
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
