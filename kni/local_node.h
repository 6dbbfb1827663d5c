// The one owner of what the kernel says about this host: a KernelState
// filled by one rtnetlink dump at start, then kept by applying each
// notification (links, addresses, routes, neighbours) as it arrives. The
// kernel is dumped again only when it reports that notifications were
// lost (ENOBUFS, an overrun), never per event or on a timer.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "kni/kernel_state.h"

namespace lispmob::kni {

struct LocalNodeCounters {
  uint64_t notifications = 0;  // datagrams read from the multicast groups
  uint64_t changes = 0;        // of those, ones that changed a table
  uint64_t overruns = 0;       // ENOBUFS: notifications lost, the tables dumped again
  uint64_t dumps = 0;          // full dumps: the first, and one per overrun
};

class LocalNode {
 public:
  // Subscribes, then dumps: a change between the two is in both, and
  // applying it twice changes nothing.
  static absl::StatusOr<LocalNode> open();
  LocalNode(LocalNode&& other) noexcept;
  LocalNode& operator=(LocalNode&&) = delete;
  ~LocalNode();

  int fd() const { return fd_; }
  // Reads what is waiting (a bounded batch) and applies it; true if the
  // tables changed.
  bool on_readable();
  const KernelState& state() const { return state_; }
  const LocalNodeCounters& counters() const { return counters_; }

 private:
  explicit LocalNode(int fd) : fd_(fd) {}
  absl::Status dump();

  int fd_ = -1;
  KernelState state_;
  LocalNodeCounters counters_;
};

}  // namespace lispmob::kni
