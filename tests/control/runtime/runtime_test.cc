// The control runtime: timers in order and cancellable, the event loop
// waking for a descriptor and for a timer, and the one description of a
// command's answer rendered as text and as JSON.
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <thread>

#include "control/api_socket.h"
#include "control/runtime/command_registry.h"
#include "control/runtime/counter_registry.h"
#include "control/runtime/event_loop.h"
#include "control/runtime/table.h"
#include "control/runtime/timer_queue.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;

TEST(TimerQueue, RunsWhatIsDueInOrderAndSkipsCancelled) {
  TimerQueue timers;
  const TimePoint t0{};
  std::string ran;
  timers.add(t0 + milliseconds(30), [&] { ran += "c"; });
  timers.add(t0 + milliseconds(10), [&] { ran += "a"; });
  const auto cancelled = timers.add(t0 + milliseconds(20), [&] { ran += "x"; });
  timers.add(t0 + milliseconds(20), [&] { ran += "b"; });
  EXPECT_TRUE(timers.cancel(cancelled));
  EXPECT_FALSE(timers.cancel(cancelled));
  EXPECT_EQ(timers.next_due(), t0 + milliseconds(10));
  EXPECT_EQ(timers.run_due(t0 + milliseconds(25)), 2u);
  EXPECT_EQ(ran, "ab");
  EXPECT_EQ(timers.next_due(), t0 + milliseconds(30));
  EXPECT_EQ(timers.run_due(t0 + milliseconds(30)), 1u);
  EXPECT_EQ(ran, "abc");
  EXPECT_FALSE(timers.next_due().has_value());
}

TEST(TimerQueue, ATimerThatRearmsItselfRunsOncePerCall) {
  TimerQueue timers;
  const TimePoint t0{};
  int fired = 0;
  Timer timer(timers, [&] { fired++; });
  timer.arm(t0 + milliseconds(5));
  timer.arm(t0 + milliseconds(8));  // moved, not doubled
  EXPECT_EQ(timers.size(), 1u);
  timers.run_due(t0 + milliseconds(10));
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(timer.due().has_value());
  timer.arm(t0 + milliseconds(20));
  timer.arm_no_later_than(t0 + milliseconds(30));  // already earlier
  EXPECT_EQ(timer.due(), t0 + milliseconds(20));
  timer.disarm();
  EXPECT_EQ(timers.run_due(t0 + milliseconds(40)), 0u);
}

TEST(EventLoop, WakesForADescriptorAndForTheFirstTimer) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.ok());
  const int fd = eventfd(0, EFD_NONBLOCK);
  int readable = 0;
  ASSERT_TRUE((*loop)
                  ->watch(fd,
                          [&] {
                            eventfd_t value;
                            eventfd_read(fd, &value);
                            readable++;
                          })
                  .ok());
  eventfd_write(fd, 1);
  ASSERT_TRUE((*loop)->run_once(milliseconds(1000)).ok());
  EXPECT_EQ(readable, 1);
  int ticks = 0;
  (*loop)->every(milliseconds(5), [&] {
    if (++ticks == 3) (*loop)->stop();
  });
  ASSERT_TRUE((*loop)->run().ok());  // returns only after the third tick
  EXPECT_EQ(ticks, 3);
  (*loop)->unwatch(fd);
  close(fd);
}

TEST(Table, OneDescriptionRendersAlignedTextAndJson) {
  Table table({{"instance", 9}, {"eid-prefix", 12}, {"rlocs", 0}});
  table.add_row({0, "10.0.0.0/8", Cell("a b", Json::array({"a", "b"}))});
  table.add_row({7u, "say \"hi\"\n", ""});
  EXPECT_EQ(table.text(),
            "instance  eid-prefix   rlocs\n"
            "0         10.0.0.0/8   a b\n"
            "7         say \"hi\"\n    \n");
  EXPECT_EQ(table.json(),
            "[{\"instance\":0,\"eid-prefix\":\"10.0.0.0/8\",\"rlocs\":[\"a\",\"b\"]},"
            "{\"instance\":7,\"eid-prefix\":\"say \\\"hi\\\"\\n\",\"rlocs\":\"\"}]\n");
}

TEST(Fields, ARepeatedNameBecomesAnArray) {
  Fields fields(6);
  fields.add("rloc", "192.0.2.5");
  fields.add("mtu", 1500);
  fields.add("rloc", "2001:db8::5");
  fields.add("up", true);
  EXPECT_EQ(fields.text(), "rloc   192.0.2.5\nmtu    1500\nrloc   2001:db8::5\nup     yes\n");
  EXPECT_EQ(fields.json(), "{\"rloc\":[\"192.0.2.5\",\"2001:db8::5\"],\"mtu\":1500,\"up\":true}\n");
  EXPECT_EQ(json_text(std::string("\x01\t", 2)), "\"\\u0001\\t\"");
  // A client's bytes that are not UTF-8 cannot break the answer.
  EXPECT_EQ(Reply::error("unknown command '\xff'").json,
            "{\"error\":\"unknown command '\xef\xbf\xbd'\"}\n");
}

TEST(CounterRegistry, TextJsonAndPrometheusFromOneDeclaration) {
  CounterRegistry counters;
  uint64_t sent = 3;
  counters.add("xtr", "requests_sent", "Map-Requests sent", [&] { return sent; });
  counters.add(
      "xtr", "outstanding", "waiting", [] { return uint64_t{1}; }, CounterRegistry::Kind::kGauge);
  counters.add("map_server", "registrations", "registered", [] { return uint64_t{9}; });
  sent = 4;  // read when rendered, not when declared
  EXPECT_EQ(counters.fields("xtr", 14).text(), "requests_sent  4\noutstanding    1\n");
  EXPECT_EQ(counters.fields("xtr", 0).json(), "{\"requests_sent\":4,\"outstanding\":1}\n");
  EXPECT_EQ(counters.prometheus(),
            "# HELP lispmob_xtr_requests_sent_total Map-Requests sent\n"
            "# TYPE lispmob_xtr_requests_sent_total counter\nlispmob_xtr_requests_sent_total 4\n"
            "# HELP lispmob_xtr_outstanding waiting\n"
            "# TYPE lispmob_xtr_outstanding gauge\nlispmob_xtr_outstanding 1\n"
            "# HELP lispmob_map_server_registrations_total registered\n"
            "# TYPE lispmob_map_server_registrations_total counter\n"
            "lispmob_map_server_registrations_total 9\n");
}

TEST(CommandRegistry, LongestMatchJsonFormHelpAndRefusal) {
  CommandRegistry commands;
  commands.add("show", "", "everything", [](auto&) { return Reply::message("all"); });
  commands.add("show sites", "", "sites", [](auto&) { return Reply::message("sites"); });
  commands.add("lookup", "EID", "one EID", [](const std::vector<std::string>& words) {
    return words.size() == 1 ? Reply::message("found " + words[0])
                             : Reply::error("usage: lookup EID");
  });
  EXPECT_EQ(commands.answer("show sites"), "sites\n");
  EXPECT_EQ(commands.answer("show"), "all\n");
  EXPECT_EQ(commands.answer("lookup  10.0.0.1"), "found 10.0.0.1\n");
  EXPECT_EQ(commands.answer("json lookup 10.0.0.1"), "{\"message\":\"found 10.0.0.1\"}\n");
  EXPECT_EQ(commands.answer("json lookup"), "{\"error\":\"usage: lookup EID\"}\n");
  EXPECT_TRUE(commands.reply("frobnicate").failed);
  EXPECT_EQ(commands.answer("frobnicate"),
            "error: unknown command 'frobnicate': show | show sites | lookup EID\n");
  const std::string help = commands.answer("help");
  EXPECT_NE(help.find("lookup EID                       one EID\n"), std::string::npos) << help;
}

// lispctl's socket on the event loop: a request line that comes in two
// pieces, late, is still answered, a second server on the same path is
// refused, and the loop never blocks on a client that sends nothing.
TEST(ApiSocket, AnswersWithoutBlockingTheLoop) {
  const std::string path = ::testing::TempDir() + "/api_socket_test.sock";
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.ok());
  auto api = ApiSocket::listen(path);
  ASSERT_TRUE(api.ok()) << api.status();
  api->serve(**loop, [](const std::string& line) { return "got " + line + "\n"; });
  EXPECT_FALSE(ApiSocket::listen(path).ok()) << "a running server's socket is not taken over";
  std::atomic<bool> done{false};
  std::thread server([&] {
    while (!done) (void)(*loop)->run_once(milliseconds(10));
  });
  // A client that connects and says nothing holds nothing up.
  const int silent = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(connect(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(api_request(path, "show counters").value_or(""), "got show counters\n");
  // A request in two pieces.
  const int slow = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_EQ(connect(slow, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(send(slow, "show ", 5, 0), 5);
  std::this_thread::sleep_for(milliseconds(200));
  ASSERT_EQ(send(slow, "local\n", 6, 0), 6);
  char buffer[64] = {};
  size_t got = 0;
  while (got < sizeof(buffer) - 1) {
    const ssize_t n = recv(slow, buffer + got, sizeof(buffer) - 1 - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  EXPECT_STREQ(buffer, "got show local\n");
  done = true;
  server.join();
  close(slow);
  close(silent);
}

}  // namespace
}  // namespace lispmob::control
