// The control thread's one event loop, for every role: file descriptors
// (epoll), timers (TimerQueue), signals (signalfd) and a stop request. It
// sleeps until a descriptor is readable or the first timer is due; nothing
// is polled on a fixed tick. Callbacks must not block: sockets are
// non-blocking and each reader takes a bounded batch per wake-up.
#pragma once

#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "control/runtime/clock.h"
#include "control/runtime/timer_queue.h"

namespace lispmob::control {

class EventLoop {
 public:
  using Callback = std::function<void()>;

  static absl::StatusOr<std::unique_ptr<EventLoop>> create(Clock& clock);
  ~EventLoop();

  Clock& clock() { return clock_; }
  TimerQueue& timers() { return timers_; }

  // Calls `on_readable` whenever `fd` has something to read.
  absl::Status watch(int fd, Callback on_readable);
  void unwatch(int fd);
  // Blocks `signals` for the thread and calls `on_signal(signo)` when one
  // arrives (SIGINT/SIGTERM to stop, SIGHUP to reload, ...). Call once.
  absl::Status handle_signals(std::vector<int> signals, std::function<void(int)> on_signal);
  // Calls `callback` every `interval`, the first time one interval from now.
  void every(std::chrono::milliseconds interval, Callback callback);

  // Runs until stop().
  absl::Status run();
  // One wait of at most `max_wait` and whatever is ready then.
  absl::Status run_once(std::chrono::milliseconds max_wait);
  void stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }

 private:
  EventLoop(Clock& clock, int epoll_fd) : clock_(clock), epoll_fd_(epoll_fd) {}
  int wait_milliseconds(std::chrono::milliseconds max_wait);

  Clock& clock_;
  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  TimerQueue timers_;
  std::map<int, std::shared_ptr<Callback>> watchers_;
  std::vector<std::unique_ptr<Timer>> periodic_;
  bool stopping_ = false;
};

}  // namespace lispmob::control
