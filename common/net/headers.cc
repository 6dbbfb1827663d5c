#include "common/net/headers.h"

#include "common/wire/errors.h"

namespace lispmob::net {
namespace {

using wire::decode_error;

constexpr size_t kIpv4MinHeaderSize = 20;
constexpr size_t kUdpHeaderSize = 8;

absl::Status decode_ipv4(wire::Reader& reader, Ipv4Header& out) {
  const size_t start = reader.position();
  uint8_t version_ihl = 0, ttl = 0, protocol = 0;
  uint16_t total_length = 0, checksum = 0;
  std::array<uint8_t, 4> source{}, destination{};
  if (!reader.read_u8(version_ihl) || !reader.read_u8(out.tos) || !reader.read_u16(total_length) ||
      !reader.read_u16(out.identification) || !reader.read_u16(out.flags_fragment) ||
      !reader.read_u8(ttl) || !reader.read_u8(protocol) || !reader.read_u16(checksum) ||
      !reader.read_bytes(source) || !reader.read_bytes(destination)) {
    return decode_error("truncated IPv4 header", start);
  }
  const size_t header_size = static_cast<size_t>(version_ihl & 0x0f) * 4;
  if (header_size < kIpv4MinHeaderSize) return decode_error("IPv4 IHL below 5", start);
  out.options.resize(header_size - kIpv4MinHeaderSize);
  if (!reader.read_bytes(out.options)) return decode_error("truncated IPv4 options", start);
  out.total_length = total_length;
  out.ttl = ttl;
  out.protocol = protocol;
  out.checksum = checksum;
  out.source = IpAddress::v4(source);
  out.destination = IpAddress::v4(destination);
  return absl::OkStatus();
}

absl::Status decode_ipv6(wire::Reader& reader, Ipv6Header& out) {
  const size_t start = reader.position();
  uint32_t first_word = 0;
  uint16_t payload_length = 0;
  std::array<uint8_t, 16> source{}, destination{};
  if (!reader.read_u32(first_word) || !reader.read_u16(payload_length) ||
      !reader.read_u8(out.next_header) || !reader.read_u8(out.hop_limit) ||
      !reader.read_bytes(source) || !reader.read_bytes(destination)) {
    return decode_error("truncated IPv6 header", start);
  }
  out.traffic_class = static_cast<uint8_t>(first_word >> 20);
  out.flow_label = first_word & 0xfffff;
  out.payload_length = payload_length;
  out.source = IpAddress::v6(source);
  out.destination = IpAddress::v6(destination);
  return absl::OkStatus();
}

uint8_t protocol_of(const IpHeader& ip) {
  if (const auto* v4 = std::get_if<Ipv4Header>(&ip)) return v4->protocol;
  return std::get<Ipv6Header>(ip).next_header;
}

// RFC 768 / RFC 8200 §8.1 pseudo-header sum.
uint32_t pseudo_header_sum(const IpHeader& ip, uint32_t udp_length) {
  uint32_t sum = ones_complement_sum(source_of(ip).bytes());
  sum = ones_complement_sum(destination_of(ip).bytes(), sum);
  return sum + kIpProtocolUdp + (udp_length >> 16) + (udp_length & 0xffff);
}

}  // namespace

uint32_t ones_complement_sum(std::span<const uint8_t> bytes, uint32_t initial) {
  uint64_t sum = initial;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<uint32_t>(bytes[i] << 8);
  while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
  return static_cast<uint32_t>(sum);
}

uint16_t fold_checksum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

const IpAddress& source_of(const IpHeader& ip) {
  return std::visit([](const auto& header) -> const IpAddress& { return header.source; }, ip);
}

const IpAddress& destination_of(const IpHeader& ip) {
  return std::visit([](const auto& header) -> const IpAddress& { return header.destination; }, ip);
}

absl::Status decode_ip_udp(wire::Reader& reader, UdpDatagramView& out) {
  const size_t start = reader.position();
  uint8_t first_byte = 0;
  if (!reader.peek_u8(first_byte)) return decode_error("missing IP header", start);
  absl::Status status;
  if (first_byte >> 4 == 4) {
    Ipv4Header v4;
    status = decode_ipv4(reader, v4);
    out.ip = std::move(v4);
  } else if (first_byte >> 4 == 6) {
    Ipv6Header v6;
    status = decode_ipv6(reader, v6);
    out.ip = std::move(v6);
  } else {
    return decode_error("IP version is neither 4 nor 6", start);
  }
  if (!status.ok()) return status;
  if (protocol_of(out.ip) != kIpProtocolUdp) return decode_error("not UDP", start);
  uint16_t length = 0, checksum = 0;
  const size_t udp_start = reader.position();
  if (!reader.read_u16(out.udp.source_port) || !reader.read_u16(out.udp.destination_port) ||
      !reader.read_u16(length) || !reader.read_u16(checksum)) {
    return decode_error("truncated UDP header", udp_start);
  }
  out.udp.length = length;
  out.udp.checksum = checksum;
  out.payload = reader.read_rest();
  return absl::OkStatus();
}

void encode_ip_udp(wire::Writer& writer, const IpHeader& ip, const UdpHeader& udp,
                   std::span<const uint8_t> payload) {
  const uint32_t udp_length = static_cast<uint32_t>(kUdpHeaderSize + payload.size());
  if (const auto* v4 = std::get_if<Ipv4Header>(&ip)) {
    const size_t header_start = writer.position();
    const size_t header_size = kIpv4MinHeaderSize + v4->options.size();
    writer.write_u8(static_cast<uint8_t>(0x40 | (header_size / 4)));
    writer.write_u8(v4->tos);
    writer.write_u16(v4->total_length.value_or(static_cast<uint16_t>(header_size + udp_length)));
    writer.write_u16(v4->identification);
    writer.write_u16(v4->flags_fragment);
    writer.write_u8(v4->ttl);
    writer.write_u8(v4->protocol);
    const size_t checksum_at = writer.reserve_u16();
    writer.write_bytes(v4->source.bytes());
    writer.write_bytes(v4->destination.bytes());
    writer.write_bytes(v4->options);
    const uint16_t checksum = v4->checksum.value_or(static_cast<uint16_t>(~fold_checksum(
        ones_complement_sum(std::span(writer.buffer()).subspan(header_start, header_size)))));
    writer.patch_u16(checksum_at, checksum);
  } else {
    const auto& v6 = std::get<Ipv6Header>(ip);
    writer.write_u32(6u << 28 | static_cast<uint32_t>(v6.traffic_class) << 20 |
                     (v6.flow_label & 0xfffff));
    writer.write_u16(v6.payload_length.value_or(static_cast<uint16_t>(udp_length)));
    writer.write_u8(v6.next_header);
    writer.write_u8(v6.hop_limit);
    writer.write_bytes(v6.source.bytes());
    writer.write_bytes(v6.destination.bytes());
  }
  const size_t udp_start = writer.position();
  writer.write_u16(udp.source_port);
  writer.write_u16(udp.destination_port);
  writer.write_u16(udp.length.value_or(static_cast<uint16_t>(udp_length)));
  const size_t checksum_at = writer.reserve_u16();
  writer.write_bytes(payload);
  uint16_t checksum = 0;
  if (udp.checksum) {
    checksum = *udp.checksum;
  } else {
    const uint32_t sum = ones_complement_sum(std::span(writer.buffer()).subspan(udp_start),
                                             pseudo_header_sum(ip, udp_length));
    checksum = static_cast<uint16_t>(~fold_checksum(sum));
    if (checksum == 0) checksum = 0xffff;  // RFC 768: 0 means "no checksum"
  }
  writer.patch_u16(checksum_at, checksum);
}

}  // namespace lispmob::net
