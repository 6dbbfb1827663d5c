// The control thread's time. Roles never read the system clock themselves:
// they are handed a Clock, so a test drives them with a ManualClock.
#pragma once

#include <chrono>

namespace lispmob::control {

using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{} + std::chrono::hours(1)) : now_(start) {}
  TimePoint now() const override { return now_; }
  void advance(std::chrono::steady_clock::duration by) { now_ += by; }

 private:
  TimePoint now_;
};

}  // namespace lispmob::control
