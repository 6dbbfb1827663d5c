#include "kni/host_offload.h"

#include <algorithm>
#include <cstring>

#include "common/net/headers.h"

namespace lispmob::kni {
namespace {

// The virtio-net header (VIRTIO 1.2 §5.1.6, linux/virtio_net.h, which C++
// cannot include: a member there is named `class`), in the host's order.
struct VnetHeader {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t header_length;
  uint16_t gso_size;
  uint16_t checksum_start;
  uint16_t checksum_offset;
};
static_assert(sizeof(VnetHeader) == kVnetHeaderSize);
constexpr uint8_t kNeedsChecksum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
constexpr uint8_t kGsoNone = 0;        // VIRTIO_NET_HDR_GSO_NONE
constexpr uint8_t kGsoTcp4 = 1;        // VIRTIO_NET_HDR_GSO_TCPV4
constexpr uint8_t kGsoTcp6 = 4;        // VIRTIO_NET_HDR_GSO_TCPV6
constexpr uint8_t kGsoEcn = 0x80;      // VIRTIO_NET_HDR_GSO_ECN

constexpr size_t kEthernetHeader = 14;
constexpr size_t kIpv6Header = 40;
constexpr size_t kTcpMinHeader = 20;
constexpr uint8_t kTcpProtocol = 6;
constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpCwr = 0x80;

uint16_t load16(const uint8_t* at) { return static_cast<uint16_t>(at[0] << 8 | at[1]); }
uint32_t load32(const uint8_t* at) {
  return static_cast<uint32_t>(at[0]) << 24 | static_cast<uint32_t>(at[1]) << 16 |
         static_cast<uint32_t>(at[2]) << 8 | at[3];
}
void store16(uint8_t* at, uint16_t value) {
  at[0] = static_cast<uint8_t>(value >> 8);
  at[1] = static_cast<uint8_t>(value);
}
void store32(uint8_t* at, uint32_t value) {
  store16(at, static_cast<uint16_t>(value >> 16));
  store16(at + 2, static_cast<uint16_t>(value));
}

uint16_t checksum_of(const uint8_t* bytes, size_t length, uint32_t initial = 0) {
  return static_cast<uint16_t>(
      ~net::fold_checksum(net::ones_complement_sum(std::span(bytes, length), initial)));
}

}  // namespace

std::optional<HostFrame> HostFrame::parse(std::span<const uint8_t, kVnetHeaderSize> vnet_header,
                                          std::span<const uint8_t> frame) {
  VnetHeader header;
  std::memcpy(&header, vnet_header.data(), sizeof(header));
  if (frame.size() < kEthernetHeader) return std::nullopt;
  HostFrame out;
  out.frame_ = frame;
  const unsigned type = header.gso_type & ~kGsoEcn;
  if (type == kGsoNone) {
    if (header.flags & kNeedsChecksum) {
      const size_t field = size_t{header.checksum_start} + header.checksum_offset;
      if (field + 2 > frame.size()) return std::nullopt;
      out.checksum_start_ = header.checksum_start;
      out.checksum_field_ = field;
    }
    return out;
  }
  if ((type != kGsoTcp4 && type != kGsoTcp6) || header.gso_size == 0 ||
      frame.size() < kEthernetHeader + kIpv6Header) {
    return std::nullopt;
  }
  const uint8_t* ip = frame.data() + kEthernetHeader;
  const uint16_t ether_type = load16(frame.data() + 12);
  out.ipv6_ = type == kGsoTcp6;
  out.ip_offset_ = kEthernetHeader;
  if (!out.ipv6_) {
    // IPv4 (RFC 791): no options beyond what the header length says, not
    // a fragment, TCP.
    const size_t header_length = size_t{ip[0]} % 16 * 4;
    if (ether_type != 0x0800 || (ip[0] >> 4) != 4 || header_length < 20 || ip[9] != kTcpProtocol ||
        (load16(ip + 6) & 0x3fff) != 0) {
      return std::nullopt;
    }
    out.tcp_offset_ = kEthernetHeader + header_length;
  } else {
    // IPv6 (RFC 8200) with TCP as its next header: the host's TSO packets
    // carry no extension headers.
    if (ether_type != 0x86dd || (ip[0] >> 4) != 6 || ip[6] != kTcpProtocol) return std::nullopt;
    out.tcp_offset_ = kEthernetHeader + kIpv6Header;
  }
  if (out.tcp_offset_ + kTcpMinHeader > frame.size()) return std::nullopt;
  const size_t tcp_header = size_t{frame[out.tcp_offset_ + 12]} >> 4 << 2;
  out.headers_end_ = out.tcp_offset_ + tcp_header;
  if (tcp_header < kTcpMinHeader || out.headers_end_ > frame.size()) return std::nullopt;
  out.segment_payload_ = header.gso_size;
  const size_t payload = frame.size() - out.headers_end_;
  out.segment_count_ = static_cast<unsigned>(
      std::max<size_t>(1, (payload + out.segment_payload_ - 1) / out.segment_payload_));
  return out;
}

size_t HostFrame::segment_length(unsigned index) const {
  if (!segmented()) return frame_.size();
  const size_t payload = frame_.size() - headers_end_;
  return headers_end_ + std::min(segment_payload_, payload - index * segment_payload_);
}

void HostFrame::write_segment(unsigned index, std::span<uint8_t> out) const {
  if (segmented()) return write_tcp_segment(index, out);
  std::memcpy(out.data(), frame_.data(), frame_.size());
  if (!checksum_start_) return;
  // The field holds the pseudo-header sum; the host left the rest to us
  // (VIRTIO 1.2 §5.1.6.2). A zero result goes as 0xffff, as the kernel's
  // own skb_checksum_help sends it (a UDP checksum of 0 means none).
  const size_t start = std::min(*checksum_start_, frame_.size());
  uint16_t checksum = checksum_of(out.data() + start, frame_.size() - start);
  if (checksum == 0) checksum = 0xffff;
  store16(out.data() + checksum_field_, checksum);
}

// Segment `index` of a TCP super-packet, as the host's own GSO would make
// it (RFC 9293 §3.1, RFC 7323 for the options carried unchanged): the
// headers of the super-packet with the lengths, IPv4 identification and
// sequence number of this segment, FIN and PSH on the last segment only,
// CWR on the first only (RFC 3168 §6.1.2), and every checksum computed.
void HostFrame::write_tcp_segment(unsigned index, std::span<uint8_t> out) const {
  const size_t payload_start = headers_end_ + index * segment_payload_;
  const size_t payload = segment_length(index) - headers_end_;
  std::memcpy(out.data(), frame_.data(), headers_end_);
  std::memcpy(out.data() + headers_end_, frame_.data() + payload_start, payload);
  uint8_t* ip = out.data() + ip_offset_;
  uint8_t* tcp = out.data() + tcp_offset_;
  const size_t tcp_length = headers_end_ - tcp_offset_ + payload;
  uint32_t pseudo_header = kTcpProtocol + static_cast<uint32_t>(tcp_length);
  if (!ipv6_) {
    const size_t ip_header = tcp_offset_ - ip_offset_;
    store16(ip + 2, static_cast<uint16_t>(ip_header + tcp_length));
    store16(ip + 4, static_cast<uint16_t>(load16(ip + 4) + index));
    store16(ip + 10, 0);
    store16(ip + 10, checksum_of(ip, ip_header));
    pseudo_header = net::ones_complement_sum(std::span<const uint8_t>(ip + 12, 8), pseudo_header);
  } else {
    store16(ip + 4, static_cast<uint16_t>(tcp_length));
    pseudo_header = net::ones_complement_sum(std::span<const uint8_t>(ip + 8, 32), pseudo_header);
  }
  store32(tcp + 4, load32(tcp + 4) + static_cast<uint32_t>(index * segment_payload_));
  if (index + 1 != segment_count_) tcp[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
  if (index != 0) tcp[13] &= static_cast<uint8_t>(~kTcpCwr);
  store16(tcp + 16, 0);
  store16(tcp + 16, checksum_of(tcp, tcp_length, pseudo_header));
}

TcpTrain::Segment TcpTrain::examine(std::span<const uint8_t> frame) {
  Segment out;
  if (frame.size() < kEthernetHeader + 20 + kTcpMinHeader) return out;
  const uint8_t* ip = frame.data() + kEthernetHeader;
  const uint16_t ether_type = load16(frame.data() + 12);
  size_t tcp_length;
  uint32_t pseudo_header;
  if (ether_type == 0x0800) {
    // IPv4 without options, not a fragment, TCP.
    if (ip[0] != 0x45 || ip[9] != kTcpProtocol || (load16(ip + 6) & 0x3fff) != 0) return out;
    if (load16(ip + 2) < 20) return out;
    tcp_length = load16(ip + 2) - 20u;
    out.tcp_offset = kEthernetHeader + 20;
    pseudo_header = net::ones_complement_sum(std::span<const uint8_t>(ip + 12, 8));
  } else if (ether_type == 0x86dd) {
    if (frame.size() < kEthernetHeader + kIpv6Header + kTcpMinHeader || (ip[0] >> 4) != 6 ||
        ip[6] != kTcpProtocol) {
      return out;
    }
    tcp_length = load16(ip + 4);
    out.tcp_offset = kEthernetHeader + kIpv6Header;
    pseudo_header = net::ones_complement_sum(std::span<const uint8_t>(ip + 8, 32));
  } else {
    return out;
  }
  if (out.tcp_offset + tcp_length != frame.size() || tcp_length < kTcpMinHeader) return out;
  const uint8_t* tcp = frame.data() + out.tcp_offset;
  const size_t tcp_header = size_t{tcp[12]} >> 4 << 2;
  if (tcp_header < kTcpMinHeader || tcp_header >= tcp_length) return out;  // no payload
  out.flags = tcp[13];
  constexpr uint8_t kAck = 0x10;
  if ((out.flags & ~(kAck | kTcpPsh)) != 0 || (out.flags & kAck) == 0) return out;
  pseudo_header += kTcpProtocol + static_cast<uint32_t>(tcp_length);
  if (net::fold_checksum(net::ones_complement_sum(std::span(tcp, tcp_length), pseudo_header)) !=
      0xffff) {
    return out;
  }
  out.ipv6 = ether_type == 0x86dd;
  out.headers_end = out.tcp_offset + tcp_header;
  out.payload = tcp_length - tcp_header;
  out.sequence = load32(tcp + 4);
  out.ok = true;
  return out;
}

bool TcpTrain::start(std::span<const uint8_t> frame) {
  segments_ = 0;
  const Segment segment = examine(frame);
  if (!segment.ok) return false;
  first_ = frame;
  ipv6_ = segment.ipv6;
  tcp_offset_ = segment.tcp_offset;
  headers_end_ = segment.headers_end;
  segment_payload_ = last_payload_ = total_payload_ = segment.payload;
  next_sequence_ = segment.sequence + static_cast<uint32_t>(segment.payload);
  last_flags_ = segment.flags;
  segments_ = 1;
  return true;
}

bool TcpTrain::extend(std::span<const uint8_t> frame) {
  if (segments_ == 0 || segments_ >= kMaxSegments || (last_flags_ & kTcpPsh) != 0 ||
      last_payload_ != segment_payload_ || frame.size() < headers_end_) {
    return false;
  }
  // The fields that may differ: IP lengths, IPv4 identification and
  // checksum, the TCP sequence number, flags (checked) and checksum.
  const uint8_t* a = first_.data();
  const uint8_t* b = frame.data();
  const auto same = [&](size_t from, size_t to) {
    return std::memcmp(a + from, b + from, to - from) == 0;
  };
  const size_t ip = kEthernetHeader;
  const bool same_ip = ipv6_ ? same(0, ip + 4) && same(ip + 6, ip + kIpv6Header)
                             : same(0, ip + 2) && same(ip + 6, ip + 10) && same(ip + 12, ip + 20);
  const size_t tcp = tcp_offset_;
  if (!same_ip || !same(tcp, tcp + 4) || !same(tcp + 8, tcp + 13) || !same(tcp + 14, tcp + 16) ||
      !same(tcp + 18, headers_end_)) {
    return false;
  }
  const Segment segment = examine(frame);
  if (!segment.ok || segment.headers_end != headers_end_ || segment.payload > segment_payload_ ||
      segment.sequence != next_sequence_ ||
      headers_end_ - kEthernetHeader + total_payload_ + segment.payload > 65535) {
    return false;
  }
  segments_++;
  last_payload_ = segment.payload;
  total_payload_ += segment.payload;
  next_sequence_ += static_cast<uint32_t>(segment.payload);
  last_flags_ = segment.flags;
  return true;
}

void TcpTrain::write_header(std::span<uint8_t, kVnetHeaderSize> vnet_header,
                            std::span<uint8_t> headers) const {
  std::memcpy(headers.data(), first_.data(), headers_end_);
  uint8_t* ip = headers.data() + kEthernetHeader;
  uint8_t* tcp = headers.data() + tcp_offset_;
  const size_t tcp_length = headers_end_ - tcp_offset_ + total_payload_;
  uint32_t pseudo_header = kTcpProtocol + static_cast<uint32_t>(tcp_length);
  if (!ipv6_) {
    store16(ip + 2, static_cast<uint16_t>(20 + tcp_length));
    store16(ip + 10, 0);
    store16(ip + 10, checksum_of(ip, 20));
    pseudo_header = net::ones_complement_sum(std::span<const uint8_t>(ip + 12, 8), pseudo_header);
  } else {
    store16(ip + 4, static_cast<uint16_t>(tcp_length));
    pseudo_header = net::ones_complement_sum(std::span<const uint8_t>(ip + 8, 32), pseudo_header);
  }
  tcp[13] = static_cast<uint8_t>(tcp[13] | (last_flags_ & kTcpPsh));
  // A partial checksum: the pseudo-header sum, not inverted, for the host
  // to take as checked (VIRTIO 1.2 §5.1.6.2).
  store16(tcp + 16, net::fold_checksum(pseudo_header));
  const VnetHeader header = {kNeedsChecksum,
                             ipv6_ ? kGsoTcp6 : kGsoTcp4,
                             static_cast<uint16_t>(headers_end_),
                             static_cast<uint16_t>(segment_payload_),
                             static_cast<uint16_t>(tcp_offset_),
                             16};
  std::memcpy(vnet_header.data(), &header, sizeof(header));
}

}  // namespace lispmob::kni
