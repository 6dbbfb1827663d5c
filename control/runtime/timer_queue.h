// One-shot timers ordered by when they are due: a binary heap, cancelled
// timers dropped lazily when they reach the top. Roles register what they
// need (a retransmission, a refresh, an expiry) instead of being scanned
// every few milliseconds; the event loop sleeps until the first is due.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "control/runtime/clock.h"

namespace lispmob::control {

class TimerQueue {
 public:
  using Id = uint64_t;
  using Callback = std::function<void()>;

  Id add(TimePoint due, Callback callback);
  // False if it already ran or was cancelled.
  bool cancel(Id id);
  // When the earliest live timer is due, if any.
  std::optional<TimePoint> next_due();
  // Runs every timer due at `now`, earliest first; a timer a callback adds
  // that is already due runs in the same call. Returns how many ran.
  size_t run_due(TimePoint now);
  size_t size() const { return callbacks_.size(); }

 private:
  struct Due {
    TimePoint at;
    Id id;
    bool operator>(const Due& other) const {
      return at != other.at ? at > other.at : id > other.id;
    }
  };
  void drop_cancelled();

  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> heap_;
  std::unordered_map<Id, Callback> callbacks_;
  Id next_id_ = 1;
};

// A timer a role owns: armed at most once at a time; re-arming moves it;
// destroyed, it is cancelled.
class Timer {
 public:
  Timer(TimerQueue& queue, TimerQueue::Callback callback)
      : queue_(queue), callback_(std::move(callback)) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { disarm(); }

  void arm(TimePoint due);
  // Arms it for `due` unless it is already armed for earlier.
  void arm_no_later_than(TimePoint due);
  void disarm();
  std::optional<TimePoint> due() const { return due_; }

 private:
  TimerQueue& queue_;
  TimerQueue::Callback callback_;
  std::optional<TimerQueue::Id> id_;
  std::optional<TimePoint> due_;
};

}  // namespace lispmob::control
