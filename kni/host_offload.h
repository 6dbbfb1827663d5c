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

// The other way (GRO): in-order segments of one TCP flow that the data
// plane decapsulated for the host, handed over as one super-packet with a
// virtio-net header asking the host to take it as TSO output, so its stack
// runs once per train instead of once per segment. Each segment's checksum
// is verified here first: the train goes with a partial checksum, which
// the host takes as already checked.
class TcpTrain {
 public:
  // Most segments in one train (and the iovec it makes).
  static constexpr unsigned kMaxSegments = 32;

  // Starts a train with `frame`; false (and no train) if it cannot take
  // part: not TCP over IPv4 (no options, not a fragment) or IPv6 (TCP
  // next), flags other than ACK and PSH, no payload, lengths that disagree
  // with the frame, or a bad checksum.
  bool start(std::span<const uint8_t> frame);
  // Adds `frame` if it continues the train: the same flow, addresses,
  // TCP header but for the sequence number (which must follow on), IP
  // fields, and a payload no longer than the first's after full ones only,
  // before any PSH. False: the train is unchanged.
  bool extend(std::span<const uint8_t> frame);
  unsigned segments() const { return segments_; }
  // Where each frame's payload starts: its headers are as long as the
  // first's.
  size_t headers_length() const { return headers_end_; }
  // For a train of two or more: the virtio-net header and the headers of
  // the super-packet (the first frame's, with the lengths, PSH of the last
  // and a partial checksum), headers_length() bytes, which the frames'
  // payloads follow.
  void write_header(std::span<uint8_t, kVnetHeaderSize> vnet_header,
                    std::span<uint8_t> headers) const;

 private:
  struct Segment {
    bool ok = false;
    bool ipv6 = false;
    size_t tcp_offset = 0;
    size_t headers_end = 0;
    size_t payload = 0;
    uint32_t sequence = 0;
    uint8_t flags = 0;
  };
  static Segment examine(std::span<const uint8_t> frame);

  std::span<const uint8_t> first_;
  bool ipv6_ = false;
  size_t tcp_offset_ = 0;
  size_t headers_end_ = 0;
  size_t segment_payload_ = 0;  // the first's: the host's MSS for the train
  size_t last_payload_ = 0;
  size_t total_payload_ = 0;
  uint32_t next_sequence_ = 0;
  uint8_t last_flags_ = 0;
  unsigned segments_ = 0;
};

}  // namespace lispmob::kni
