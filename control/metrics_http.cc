#include "control/metrics_http.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "control/udp_socket.h"

namespace lispmob::control {
namespace {

std::string response(const char* status, const char* content_type, const std::string& body,
                     bool with_body, const char* extra_header = "") {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", content_type,
                      "\r\nContent-Length: ", body.size(), "\r\n", extra_header,
                      "Connection: close\r\n\r\n", with_body ? body : std::string());
}

// The request line's words: METHOD TARGET VERSION.
std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < line.size()) {
    const size_t end = std::min(line.find(' ', start), line.size());
    if (end > start) words.emplace_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

}  // namespace

absl::StatusOr<MetricsHttp> MetricsHttp::listen(const Endpoint& where) {
  const bool v4 = where.address.is_v4();
  const int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("metrics socket: ", std::strerror(errno)));
  const int on = 1;
  // A restarted lispd must get its port back while the old connections
  // linger in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (!v4) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  sockaddr_storage storage;
  const socklen_t length = to_sockaddr(where, storage);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, 16) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("metrics-listen ", where.address.to_string(),
                                               " port ", where.port, ": ", error));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  return MetricsHttp(fd, from_sockaddr(bound).port);
}

MetricsHttp::~MetricsHttp() {
  if (fd_ >= 0) ::close(fd_);
}

void MetricsHttp::serve(EventLoop& loop, Render metrics) {
  clients_.serve(loop, fd_, [metrics = std::move(metrics)](std::string_view request, bool ended) {
    return answer(request, ended, metrics);
  });
}

std::optional<std::string> MetricsHttp::answer(std::string_view request, bool ended,
                                               const Render& metrics) {
  if (request.find("\r\n\r\n") == std::string_view::npos &&
      request.find("\n\n") == std::string_view::npos) {
    if (!ended) return std::nullopt;
    if (request.empty()) return std::string();  // connected and left
  }
  const std::string_view line = request.substr(0, request.find_first_of("\r\n"));
  const std::vector<std::string> words = words_of(line);
  if (words.size() != 3 || !words[2].starts_with("HTTP/1.")) {
    return response("400 Bad Request", "text/plain; charset=utf-8", "not an HTTP request\n", true);
  }
  const bool head = words[0] == "HEAD";
  if (words[0] != "GET" && !head) {
    return response("405 Method Not Allowed", "text/plain; charset=utf-8", "GET /metrics\n", true,
                    "Allow: GET, HEAD\r\n");
  }
  const std::string path = words[1].substr(0, words[1].find('?'));
  if (path != "/metrics") {
    return response("404 Not Found", "text/plain; charset=utf-8", "the metrics are at /metrics\n",
                    !head);
  }
  return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics(), !head);
}

}  // namespace lispmob::control
