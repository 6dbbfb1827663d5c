// Wakes the control loop when the kernel's view of the RLOC side changes:
// an address added or removed, a link going up or down, a neighbour
// (ARP/ND) or route change. It only says that something changed; the loop
// then re-reads the state it derives the data plane's local state from, so
// a lost or coalesced notification costs nothing but that re-read.
#pragma once

#include "absl/status/statusor.h"

namespace lispmob::control {

class NetlinkWatch {
 public:
  static absl::StatusOr<NetlinkWatch> open();
  NetlinkWatch(NetlinkWatch&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  NetlinkWatch& operator=(NetlinkWatch&&) = delete;
  ~NetlinkWatch();
  int fd() const { return fd_; }
  // Reads every pending notification; true if there was any.
  bool drain();

 private:
  explicit NetlinkWatch(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace lispmob::control
