#include "common/net/frame.h"

#include "common/wire/errors.h"

namespace lispmob::net {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr size_t kIpv6FixedHeader = 40;

}  // namespace

absl::Status dissect_udp_frame(std::span<const uint8_t> frame, UdpFrame& out) {
  wire::Reader reader(frame);
  uint16_t ether_type = 0;
  if (!reader.skip(12) || !reader.read_u16(ether_type)) {
    return wire::decode_error("truncated Ethernet header", 0);
  }
  if (ether_type == kEtherTypeVlan && (!reader.skip(2) || !reader.read_u16(ether_type))) {
    return wire::decode_error("truncated 802.1Q tag", reader.position());
  }
  if (ether_type != kEtherTypeIpv4 && ether_type != kEtherTypeIpv6) {
    return wire::decode_error("not IP", reader.position());
  }
  const size_t ip_start = reader.position();
  // Bound the packet by its IP length when that length fits the frame.
  wire::Reader peek = reader;
  size_t ip_length = reader.remaining();
  uint16_t length_field = 0;
  if (ether_type == kEtherTypeIpv4 && peek.skip(2) && peek.read_u16(length_field)) {
    if (length_field <= reader.remaining()) ip_length = length_field;
  } else if (ether_type == kEtherTypeIpv6 && peek.skip(4) && peek.read_u16(length_field)) {
    if (kIpv6FixedHeader + length_field <= reader.remaining()) {
      ip_length = kIpv6FixedHeader + length_field;
    }
  }
  wire::Reader ip;
  if (!reader.read_sub(ip_length, ip)) return wire::decode_error("truncated IP", ip_start);
  if (auto status = decode_ip_udp(ip, out.datagram); !status.ok()) return status;
  out.payload_offset = static_cast<size_t>(out.datagram.payload.data() - frame.data());
  return absl::OkStatus();
}

}  // namespace lispmob::net
