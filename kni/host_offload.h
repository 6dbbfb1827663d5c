// What the host's stack leaves undone in a frame it hands lmn0 when the tap
// takes offloads (IFF_VNET_HDR with TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6):
// the checksum it did not fill in, and for a TCP super-packet of up to
// 64 KiB, the segmentation into MSS-sized segments (TSO). A tap without
// offloads makes the kernel do both per packet and hand us one packet per
// read; with them one read brings up to 45 segments' worth, and the host
// spends no cycles segmenting what we would encapsulate anyway.
//
// The header before each frame is the virtio-net header (VIRTIO 1.2
// §5.1.6, linux/virtio_net.h), in the host's byte order as tun's legacy
// header is. No DPDK here: the data plane copies the segments into mbufs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace lispmob::kni {

// sizeof(struct virtio_net_hdr): what a tap with IFF_VNET_HDR puts first.
inline constexpr size_t kVnetHeaderSize = 10;

// One frame from the host, checked against its virtio-net header, and the
// wire-ready frames it becomes: its segments, each with every checksum.
class HostFrame {
 public:
  // nullopt: shorter than an Ethernet header, or the header asks for
  // what this frame cannot be given (an unknown segmentation type, a
  // super-packet that is not plain TCP over IPv4/IPv6 behind an Ethernet
  // header, a checksum position outside the frame).
  static std::optional<HostFrame> parse(std::span<const uint8_t, kVnetHeaderSize> vnet_header,
                                        std::span<const uint8_t> frame);

  bool segmented() const { return segment_payload_ != 0; }
  unsigned segment_count() const { return segment_count_; }
  // The length of wire-ready frame `index`.
  size_t segment_length(unsigned index) const;
  // Writes wire-ready frame `index` to `out` (at least segment_length).
  void write_segment(unsigned index, std::span<uint8_t> out) const;

 private:
  HostFrame() = default;
  void write_tcp_segment(unsigned index, std::span<uint8_t> out) const;

  std::span<const uint8_t> frame_;
  // A frame to pass whole: where its checksum goes, if the host left it.
  std::optional<size_t> checksum_start_;
  size_t checksum_field_ = 0;
  // A TCP super-packet: where its IP and TCP headers start and end, and
  // the payload each segment takes.
  bool ipv6_ = false;
  size_t ip_offset_ = 0;
  size_t tcp_offset_ = 0;
  size_t headers_end_ = 0;
  size_t segment_payload_ = 0;
  unsigned segment_count_ = 1;
};

}  // namespace lispmob::kni
