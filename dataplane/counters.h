// Per-lcore data-plane counters (dataplane/api/counters.h declares them):
// one writer (its worker), cache-line aligned so workers share no line,
// summed by the control thread on demand.
#pragma once

#include <rte_common.h>

#include <atomic>
#include <cstdint>

#include "dataplane/api/counters.h"

namespace lispmob::dataplane {

// One counter of one worker: written by that worker alone and read by the
// control thread, so a relaxed atomic. The increment is a relaxed load and
// store, not a locked read-modify-write (there is one writer): the fast
// path pays nothing over a plain add, a read never tears, and
// ThreadSanitizer sees no race.
class Counter {
 public:
  void operator++(int) { add(1); }
  Counter& operator++() {
    add(1);
    return *this;
  }
  Counter& operator+=(uint64_t amount) {
    add(amount);
    return *this;
  }
  uint64_t load() const { return value_.load(std::memory_order_relaxed); }
  operator uint64_t() const { return load(); }

 private:
  void add(uint64_t amount) {
    value_.store(value_.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }
  std::atomic<uint64_t> value_{0};
};

struct alignas(RTE_CACHE_LINE_SIZE) LcoreCounters {
#define LISPMOB_DECLARE_LCORE_COUNTER(name, help) Counter name;
  LISPMOB_DATAPLANE_COUNTERS(LISPMOB_DECLARE_LCORE_COUNTER)
#undef LISPMOB_DECLARE_LCORE_COUNTER

  // What the control thread reads: each counter as it is now.
  DataplaneCounters snapshot() const {
    DataplaneCounters out;
#define LISPMOB_READ_COUNTER(name, help) out.name = name.load();
    LISPMOB_DATAPLANE_COUNTERS(LISPMOB_READ_COUNTER)
#undef LISPMOB_READ_COUNTER
    return out;
  }
};

}  // namespace lispmob::dataplane
