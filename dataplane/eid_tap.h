// lmn0 as lispd's own tap (/dev/net/tun, IFF_TAP | IFF_VNET_HDR |
// IFF_MULTI_QUEUE), the EID port of a mobile node and of an xTR without a
// LAN port, instead of DPDK's net_tap. Why our own: net_tap takes no
// offloads from the kernel (no IFF_VNET_HDR), so the host's stack segments
// every TCP stream into MTU-sized packets itself and hands them over one
// read() and one SIGIO (net_tap's receive trigger) each; perf put the
// signal alone at 11% of the worker's samples under a TCP transfer. With
// TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 one read brings a whole TCP
// super-packet (up to 64 KiB) that HostFrame segments, and no signal.
//
// One queue (one file descriptor) per worker: the kernel spreads the
// host's flows over them by flow hash, so a flow stays on one worker.
// Frames to the host go out one writev() each: consecutive segments of one
// TCP flow as one super-packet (kni::TcpTrain), the rest whole with an
// empty virtio-net header, the host checking their checksums itself.
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dataplane/counters.h"
#include "kni/host_offload.h"

namespace lispmob::dataplane {

// One worker's queue of the tap; used by that worker alone.
class TapQueue {
 public:
  TapQueue(int fd, rte_mempool* pool);
  ~TapQueue();
  TapQueue(const TapQueue&) = delete;
  TapQueue& operator=(const TapQueue&) = delete;

  // Up to `wanted` wire-ready frames from the host (a super-packet's
  // segments may span several calls). Never blocks.
  uint16_t receive(rte_mbuf** packets, uint16_t wanted, LcoreCounters& counters);
  // Hands `count` frames to the host and frees them; returns how many the
  // kernel took. Consecutive segments of one TCP flow go as one train
  // (kni::TcpTrain).
  uint16_t transmit(rte_mbuf** packets, uint16_t count, LcoreCounters& counters);

 private:
  // The next frame from the host into pending_; false: none waiting.
  bool read_frame(LcoreCounters& counters);
  // Segment `index` of the pending frame into a new mbuf (a chain if it
  // exceeds one mbuf's room); nullptr: no mbufs.
  rte_mbuf* take_segment(unsigned index);
  bool write_whole(rte_mbuf* packet);
  // The frames of train_, from packets[0], as one super-packet.
  bool write_train(rte_mbuf** packets);

  int fd_;
  rte_mempool* pool_;
  // A frame as read: the virtio-net header, then up to 64 KiB of frame.
  std::unique_ptr<uint8_t[]> frame_buffer_;
  // A segment that does not fit one mbuf, before it is spread over a chain.
  std::unique_ptr<uint8_t[]> segment_buffer_;
  std::optional<kni::HostFrame> pending_;
  unsigned next_segment_ = 0;
  kni::TcpTrain train_;
  // The train's Ethernet, IP and TCP headers (IPv6 and 60 bytes of TCP at most).
  std::array<uint8_t, 14 + 40 + 60> train_headers_{};
};

class EidTap {
 public:
  // Creates (or attaches to) tap `name` with `queues` queues, offloads on,
  // and brings it up. Needs CAP_NET_ADMIN.
  static absl::StatusOr<std::unique_ptr<EidTap>> open(const std::string& name, unsigned queues,
                                                      rte_mempool* pool);
  // Closing the last queue removes the interface.
  ~EidTap() = default;

  TapQueue* queue(unsigned index) { return queues_[index].get(); }
  // The kernel interface's MAC: what frames to the host go to.
  const std::array<uint8_t, 6>& mac() const { return mac_; }

 private:
  EidTap() = default;
  std::vector<std::unique_ptr<TapQueue>> queues_;
  std::array<uint8_t, 6> mac_{};
};

}  // namespace lispmob::dataplane
