// The /metrics endpoint: what it answers to each request, and that it
// serves a real scrape over TCP from the event loop.
#include "control/metrics_http.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "control/runtime/event_loop.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;

const MetricsHttp::Render kMetrics = [] { return std::string("lispmob_ms_requests 7\n"); };

TEST(MetricsHttp, AnswersGetOfMetricsWithTheExpositionFormat) {
  const auto answer =
      MetricsHttp::answer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", false, kMetrics);
  ASSERT_TRUE(answer);
  EXPECT_EQ(*answer,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: 22\r\nConnection: close\r\n\r\nlispmob_ms_requests 7\n");
  // A query string, as Prometheus may add, is the same path.
  EXPECT_EQ(
      MetricsHttp::answer("GET /metrics?x=1 HTTP/1.0\r\n\r\n", false, kMetrics)->substr(0, 15),
      "HTTP/1.1 200 OK");
  // HEAD: the headers with the body's length, no body.
  const auto head = MetricsHttp::answer("HEAD /metrics HTTP/1.1\r\n\r\n", false, kMetrics);
  EXPECT_TRUE(head->ends_with("Content-Length: 22\r\nConnection: close\r\n\r\n")) << *head;
}

TEST(MetricsHttp, WaitsForTheWholeHeaderAndRefusesTheRest) {
  EXPECT_FALSE(MetricsHttp::answer("GET /metrics HTTP/1.1\r\nHost:", false, kMetrics));
  EXPECT_TRUE(MetricsHttp::answer("GET / HTTP/1.1\r\n\r\n", false, kMetrics)
                  ->starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_TRUE(MetricsHttp::answer("POST /metrics HTTP/1.1\r\n\r\n", false, kMetrics)
                  ->starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_NE(MetricsHttp::answer("DELETE /metrics HTTP/1.1\r\n\r\n", false, kMetrics)
                ->find("Allow: GET, HEAD\r\n"),
            std::string::npos);
  EXPECT_TRUE(MetricsHttp::answer("show counters\n\n", false, kMetrics)
                  ->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  // A client that ends (or reaches the request bound) without a whole
  // header gets an answer, not a wait.
  EXPECT_TRUE(MetricsHttp::answer(std::string(8192, 'A'), true, kMetrics)
                  ->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_EQ(MetricsHttp::answer("", true, kMetrics), std::string());
}

std::string scrape(uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return "";
  send(fd, request.data(), request.size(), 0);
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) answer.append(buffer, n);
  close(fd);
  return answer;
}

TEST(MetricsHttp, ServesAScrapeOverTcpFromTheLoop) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.ok());
  auto http = MetricsHttp::listen({*net::IpAddress::parse("127.0.0.1"), 0});
  ASSERT_TRUE(http.ok()) << http.status();
  ASSERT_NE(http->port(), 0);
  // A large exposition (20 000 series) goes out whole.
  std::string big;
  for (int i = 0; i < 20000; ++i)
    big += "lispmob_test_counter{n=\"" + std::to_string(i) + "\"} 1\n";
  http->serve(**loop, [&big] { return big; });
  std::atomic<bool> done{false};
  std::thread server([&] {
    while (!done) (void)(*loop)->run_once(milliseconds(10));
  });
  // A client that connects and says nothing holds no one up.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(http->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const std::string answer = scrape(http->port(), "GET /metrics HTTP/1.1\r\nHost: lispd\r\n\r\n");
  done = true;
  server.join();
  close(silent);
  ASSERT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer.substr(0, 200);
  EXPECT_TRUE(answer.ends_with(big));
  EXPECT_NE(answer.find("Content-Length: " + std::to_string(big.size()) + "\r\n"),
            std::string::npos);
  // A second listener on the same port is refused, naming it.
  auto second = MetricsHttp::listen({*net::IpAddress::parse("127.0.0.1"), http->port()});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("Address already in use"), std::string::npos);
}

}  // namespace
}  // namespace lispmob::control
