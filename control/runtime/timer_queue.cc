#include "control/runtime/timer_queue.h"

namespace lispmob::control {

TimerQueue::Id TimerQueue::add(TimePoint due, Callback callback) {
  const Id id = next_id_++;
  callbacks_.emplace(id, std::move(callback));
  heap_.push({due, id});
  return id;
}

bool TimerQueue::cancel(Id id) { return callbacks_.erase(id) > 0; }

void TimerQueue::drop_cancelled() {
  while (!heap_.empty() && !callbacks_.count(heap_.top().id)) heap_.pop();
}

std::optional<TimePoint> TimerQueue::next_due() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().at;
}

size_t TimerQueue::run_due(TimePoint now) {
  size_t ran = 0;
  while (true) {
    drop_cancelled();
    if (heap_.empty() || heap_.top().at > now) return ran;
    const Id id = heap_.top().id;
    heap_.pop();
    auto found = callbacks_.find(id);
    Callback callback = std::move(found->second);
    callbacks_.erase(found);
    callback();
    ran++;
  }
}

void Timer::arm(TimePoint due) {
  disarm();
  due_ = due;
  id_ = queue_.add(due, [this] {
    id_.reset();
    due_.reset();
    callback_();
  });
}

void Timer::arm_no_later_than(TimePoint due) {
  if (due_ && *due_ <= due) return;
  arm(due);
}

void Timer::disarm() {
  if (id_) queue_.cancel(*id_);
  id_.reset();
  due_.reset();
}

}  // namespace lispmob::control
