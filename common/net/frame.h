// Finds the UDP datagram in an Ethernet frame (optionally 802.1Q-tagged),
// for reading captures. The IP packet is bounded by its own length field so
// Ethernet padding is not taken for payload.
#pragma once

#include <cstddef>
#include <span>

#include "absl/status/status.h"
#include "common/net/headers.h"

namespace lispmob::net {

struct UdpFrame {
  UdpDatagramView datagram;
  size_t payload_offset = 0;  // of datagram.payload within the frame
};

// An error when the frame is not IPv4/IPv6 + UDP or is truncated.
absl::Status dissect_udp_frame(std::span<const uint8_t> frame, UdpFrame& out);

}  // namespace lispmob::net
