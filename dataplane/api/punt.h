// The plane contract (no DPDK): what a worker punts to the control thread:
// a destination that missed, or an ICMP report that a LISP packet of ours
// was too big for the path to an RLOC (RFC 9300 §7.2: the ITR keeps that
// RLOC's path MTU).
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace lispmob::dataplane {

enum class PuntKind : uint8_t { kMiss = 0, kPathMtu = 1 };

struct PuntRecord {
  uint32_t instance_id;  // kMiss
  uint8_t ipv6;
  PuntKind kind;
  uint16_t mtu;         // kPathMtu: the MTU the ICMP message reported
  uint8_t address[16];  // kMiss: the destination EID; kPathMtu: the RLOC
};
static_assert(sizeof(PuntRecord) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

// Wakes the control thread when a worker punts: an eventfd written only
// when the control thread has armed it, which it does each time it drains.
// A flood of misses costs the workers one write per drain, not one per
// punt, and the control thread sleeps until there is something to take.
class PuntSignal {
 public:
  PuntSignal() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  PuntSignal(const PuntSignal&) = delete;
  PuntSignal& operator=(const PuntSignal&) = delete;
  ~PuntSignal() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  // Workers: after a record went into the ring.
  void notify() {
    if (armed_.load(std::memory_order_relaxed) && armed_.exchange(false)) eventfd_write(fd_, 1);
  }
  // The control thread: before it empties the ring, so a record enqueued
  // after its last dequeue finds the signal armed.
  void rearm() {
    eventfd_t ignored;
    eventfd_read(fd_, &ignored);
    armed_.store(true);
  }

 private:
  int fd_;
  std::atomic<bool> armed_{true};
};

}  // namespace lispmob::dataplane
