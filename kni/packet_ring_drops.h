// Frames the kernel dropped at a full af_packet receive ring. net_af_packet
// (DPDK 22.11) reports no such count (its imissed stays 0), yet the ring
// is where a preempted worker loses a burst: before its ring grew to 4096
// frames, a TCP transfer lost 3% of its segments there with every counter
// at 0. The kernel counts them per socket (PACKET_STATISTICS, tp_drops);
// this finds the process's own AF_PACKET sockets bound to the interface
// (one per queue of the port) and reads them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lispmob::kni {

class PacketRingDrops {
 public:
  // This process's AF_PACKET sockets on interface `name` now (after the
  // port started); none if there are none, or no such interface.
  static PacketRingDrops for_interface(const std::string& name);

  size_t sockets() const { return sockets_.size(); }
  // Drops since for_interface. PACKET_STATISTICS resets the kernel's count
  // on each read, so the sum is kept here; one reader (the control thread).
  uint64_t total();

 private:
  std::vector<int> sockets_;  // not owned: the port's
  uint64_t total_ = 0;
};

}  // namespace lispmob::kni
