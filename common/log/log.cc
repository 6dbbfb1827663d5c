#include "common/log/log.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

#include <execinfo.h>
#include <signal.h>
#include <syslog.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace lispmob::log {
namespace {

// The logger's settings and sink. Lines come from the control thread (and
// the EAL's start-up thread); the mutex keeps a line whole. Workers never log.
struct Logger {
  std::mutex mutex;
  std::string program = "lispd";
  int threshold = static_cast<int>(Level::kInfo);
  FILE* sink = stderr;
  bool syslog = false;  // the sink is syslog(3), not `sink`
  bool starting = true;
};

Logger& logger() {
  static Logger* instance = new Logger;  // never destroyed: logging works until exit
  return *instance;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
    case Level::kTrace:
      return "trace";
  }
  return "?";
}

std::string timestamp() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  return absl::StrFormat("%s.%03dZ", text, static_cast<int>(now.tv_nsec / 1000000));
}

int syslog_priority(Level level) {
  switch (level) {
    case Level::kError:
      return LOG_ERR;
    case Level::kWarning:
      return LOG_WARNING;
    case Level::kInfo:
      return LOG_INFO;
    default:
      return LOG_DEBUG;
  }
}

// Read by the fatal-signal handler, which may not take the mutex.
std::atomic<int> fatal_fd{STDERR_FILENO};

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written <= 0) return;
    text.remove_prefix(static_cast<size_t>(written));
  }
}

void on_fatal_signal(int number) {
  const int fd = fatal_fd.load(std::memory_order_relaxed);
  // Only async-signal-safe calls: no snprintf, no strsignal (sigabbrev_np
  // reads a constant table).
  const char* name = sigabbrev_np(number);
  const char digits[2] = {static_cast<char>('0' + number / 10 % 10),
                          static_cast<char>('0' + number % 10)};
  write_all(fd, "lispd fatal: SIG");
  write_all(fd, name != nullptr ? name : "?");
  write_all(fd, " (signal ");
  write_all(fd, number >= 10 ? std::string_view(digits, 2) : std::string_view(digits + 1, 1));
  write_all(fd, "), backtrace:\n");
  void* frames[48];
  backtrace_symbols_fd(frames, backtrace(frames, 48), fd);
  ::signal(number, SIG_DFL);
  ::raise(number);
}

}  // namespace

void report_fatal_signals() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;  // the sanitizer's own handler reports better
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return;
#endif
#endif
  // backtrace() loads libgcc on its first call, which allocates: done here,
  // not in the handler.
  void* frame[1];
  backtrace(frame, 1);
  static char alternate_stack[64 * 1024];  // a stack overflow still reports
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof(alternate_stack);
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int number : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(number, &action, nullptr);
}

absl::Status configure(std::string program, int debug, const std::string& file, bool syslog) {
  Logger& state = logger();
  std::lock_guard lock(state.mutex);
  state.program = std::move(program);
  state.threshold = static_cast<int>(Level::kInfo) + debug;
  fatal_fd.store(STDERR_FILENO, std::memory_order_relaxed);
  if (state.sink != stderr) std::fclose(state.sink);
  state.sink = stderr;
  if (state.syslog) closelog();
  state.syslog = false;
  absl::Status status = absl::OkStatus();
  if (!file.empty()) {
    FILE* opened = std::fopen(file.c_str(), "a");
    if (opened != nullptr) {
      std::setvbuf(opened, nullptr, _IOLBF, 0);
      state.sink = opened;
      fatal_fd.store(fileno(opened), std::memory_order_relaxed);
      return status;
    }
    status = absl::UnavailableError(
        absl::StrCat("log-file ", file, ": ", std::strerror(errno),
                     syslog ? "; logging to syslog" : "; logging to stderr"));
  }
  if (syslog) {
    // openlog keeps the pointer: the program name lives in the Logger.
    openlog(state.program.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
    state.syslog = true;
  }
  return status;
}

void end_start_up() {
  Logger& state = logger();
  std::lock_guard lock(state.mutex);
  state.starting = false;
}

bool enabled(Level level) { return static_cast<int>(level) <= logger().threshold; }

void write(Level level, std::string_view component, std::string_view message) {
  if (!enabled(level)) return;
  Logger& state = logger();
  std::string line = timestamp();
  line.append(" ").append(state.program).append(" ").append(level_name(level)).append(" ");
  const size_t text_start = line.size();
  line.append(component).append(": ").append(message).append("\n");
  std::lock_guard lock(state.mutex);
  const bool elsewhere = state.syslog || state.sink != stderr;
  if (elsewhere && state.starting && level <= Level::kWarning) {
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  if (state.syslog) {  // syslog stamps the time and the program itself
    const std::string text =
        absl::StrCat(level_name(level), " ", line.substr(text_start, line.size() - text_start - 1));
    ::syslog(syslog_priority(level), "%s", text.c_str());
    return;
  }
  std::fwrite(line.data(), 1, line.size(), state.sink);
}

bool RateLimit::allow(std::chrono::steady_clock::time_point now, uint64_t& dropped) {
  if (logger().threshold >= static_cast<int>(Level::kTrace) + 1) {  // debug 3: everything
    dropped = dropped_;
    dropped_ = 0;
    return true;
  }
  if (now - window_ >= std::chrono::seconds(1)) {
    window_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= per_second_) {
    dropped_++;
    return false;
  }
  in_window_++;
  dropped = dropped_;
  dropped_ = 0;
  return true;
}

}  // namespace lispmob::log
