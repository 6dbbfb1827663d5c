#include "control/runtime/event_loop.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace lispmob::control {

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::create(Clock& clock) {
  const int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("epoll: ", std::strerror(errno)));
  return std::unique_ptr<EventLoop>(new EventLoop(clock, fd));
}

EventLoop::~EventLoop() {
  periodic_.clear();
  if (signal_fd_ >= 0) close(signal_fd_);
  close(epoll_fd_);
}

absl::Status EventLoop::watch(int fd, Callback on_readable) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", std::strerror(errno)));
  }
  watchers_[fd] = std::make_shared<Callback>(std::move(on_readable));
  return absl::OkStatus();
}

void EventLoop::unwatch(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  watchers_.erase(fd);
}

absl::Status EventLoop::handle_signals(std::vector<int> signals,
                                       std::function<void(int)> on_signal) {
  sigset_t set;
  sigemptyset(&set);
  for (int signo : signals) sigaddset(&set, signo);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) return absl::InternalError(absl::StrCat("signalfd: ", std::strerror(errno)));
  return watch(signal_fd_, [this, on_signal = std::move(on_signal)] {
    signalfd_siginfo info;
    while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
      on_signal(static_cast<int>(info.ssi_signo));
    }
  });
}

void EventLoop::every(std::chrono::milliseconds interval, Callback callback) {
  auto self = std::make_shared<Timer*>(nullptr);
  auto timer = std::make_unique<Timer>(timers_, [this, self, interval, callback] {
    (*self)->arm(clock_.now() + interval);
    callback();
  });
  *self = timer.get();
  timer->arm(clock_.now() + interval);
  periodic_.push_back(std::move(timer));
}

int EventLoop::wait_milliseconds(std::chrono::milliseconds max_wait) {
  auto wait = max_wait;
  if (auto due = timers_.next_due()) {
    const auto until = std::chrono::ceil<std::chrono::milliseconds>(*due - clock_.now());
    wait = std::clamp(until, std::chrono::milliseconds(0), max_wait);
  }
  return static_cast<int>(wait.count());
}

absl::Status EventLoop::run_once(std::chrono::milliseconds max_wait) {
  std::array<epoll_event, 16> events;
  const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               wait_milliseconds(max_wait));
  if (ready < 0 && errno != EINTR) {
    return absl::InternalError(absl::StrCat("epoll_wait: ", std::strerror(errno)));
  }
  for (int i = 0; i < ready; ++i) {
    auto found = watchers_.find(events[i].data.fd);
    if (found == watchers_.end()) continue;
    auto callback = found->second;  // survives an unwatch from inside itself
    (*callback)();
  }
  timers_.run_due(clock_.now());
  return absl::OkStatus();
}

absl::Status EventLoop::run() {
  while (!stopping_) {
    if (auto status = run_once(std::chrono::seconds(1)); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace lispmob::control
