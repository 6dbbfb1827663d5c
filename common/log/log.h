// lispmob's one logger: every line has a UTC timestamp, the program, a
// level and the component that wrote it, e.g.
//   2026-12-02T01:58:14.123Z lispd info xtr: lmn0 MTU 1444 (...)
// It goes to stderr, or appended to the config's log-file, or (lispd -D
// with no log-file) to syslog's daemon facility, which journald reads. The config's
// `debug` (0..3) sets how much: 0 errors, warnings and notices; 1 adds each
// control message; 2 and 3 more detail. Lines a remote party can cause
// go through a RateLimit, which says how many it dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace lispmob::log {

enum class Level : int { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3, kTrace = 4 };

// Where lines go and how many: `debug` as in the config; `file` appended
// to, else syslog if `syslog`, else stderr (again, if a file was set
// before). A file that cannot be opened is reported and the next sink used.
absl::Status configure(std::string program, int debug, const std::string& file = "",
                       bool syslog = false);

// Until lispd serves (end_start_up()), errors and warnings also go to
// stderr when the sink is a file or syslog, so a failed start is seen
// where lispd was started.
void end_start_up();

// A fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) writes one
// line naming it and a backtrace to the log's file or stderr (syslog is not
// async-signal-safe: stderr then), and the process then dies of it as it
// would have: a daemon whose stderr is /dev/null still leaves a trace.
void report_fatal_signals();

bool enabled(Level level);
void write(Level level, std::string_view component, std::string_view message);

template <typename... Args>
void error(std::string_view component, const absl::FormatSpec<Args...>& format,
           const Args&... args) {
  write(Level::kError, component, absl::StrFormat(format, args...));
}
template <typename... Args>
void warning(std::string_view component, const absl::FormatSpec<Args...>& format,
             const Args&... args) {
  write(Level::kWarning, component, absl::StrFormat(format, args...));
}
template <typename... Args>
void info(std::string_view component, const absl::FormatSpec<Args...>& format,
          const Args&... args) {
  write(Level::kInfo, component, absl::StrFormat(format, args...));
}
template <typename... Args>
void debug(std::string_view component, const absl::FormatSpec<Args...>& format,
           const Args&... args) {
  if (enabled(Level::kDebug)) write(Level::kDebug, component, absl::StrFormat(format, args...));
}

// At most `per_second` lines a second from one call site (the highest
// debug level, 3, lifts the limit); the next line that passes says how many
// were dropped in between.
class RateLimit {
 public:
  explicit RateLimit(unsigned per_second) : per_second_(per_second) {}
  // True if a line may be written now; `dropped` is set to how many were
  // dropped since the last one written.
  bool allow(std::chrono::steady_clock::time_point now, uint64_t& dropped);

 private:
  unsigned per_second_;
  std::chrono::steady_clock::time_point window_{};
  unsigned in_window_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace lispmob::log
