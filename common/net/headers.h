// IPv4, IPv6 and UDP headers as values, for the inner headers of an
// Encapsulated Control Message (RFC 9301 §5.8) and for dissecting captures.
// Length and checksum fields are optional: left empty, the encoder computes
// them; filled (as the decoder does), they are written as they are, so a
// decoded packet re-encodes byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "common/net/ip_address.h"
#include "common/wire/reader.h"
#include "common/wire/writer.h"

namespace lispmob::net {

inline constexpr uint8_t kIpProtocolUdp = 17;

// RFC 791 §3.1.
struct Ipv4Header {
  uint8_t tos = 0;
  std::optional<uint16_t> total_length;
  uint16_t identification = 0;
  uint16_t flags_fragment = 0x4000;  // DF
  uint8_t ttl = 64;
  uint8_t protocol = kIpProtocolUdp;
  std::optional<uint16_t> checksum;
  IpAddress source;
  IpAddress destination;
  std::vector<uint8_t> options;  // a multiple of 4 bytes

  friend bool operator==(const Ipv4Header&, const Ipv4Header&) = default;
};

// RFC 8200 §3. Extension headers are not supported.
struct Ipv6Header {
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;  // 20 bits
  std::optional<uint16_t> payload_length;
  uint8_t next_header = kIpProtocolUdp;
  uint8_t hop_limit = 64;
  IpAddress source;
  IpAddress destination;

  friend bool operator==(const Ipv6Header&, const Ipv6Header&) = default;
};

using IpHeader = std::variant<Ipv4Header, Ipv6Header>;

// RFC 768.
struct UdpHeader {
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  std::optional<uint16_t> length;
  std::optional<uint16_t> checksum;

  friend bool operator==(const UdpHeader&, const UdpHeader&) = default;
};

// An IP header, a UDP header and what the UDP header carries.
struct UdpDatagramView {
  IpHeader ip;
  UdpHeader udp;
  std::span<const uint8_t> payload;
};

// Reads an IPv4 or IPv6 header (by its version nibble) and the UDP header after it.
// The payload is the rest of the reader's buffer, whatever the length fields say.
absl::Status decode_ip_udp(wire::Reader& reader, UdpDatagramView& out);

// Writes IP + UDP + payload, computing whichever length/checksum fields are empty.
void encode_ip_udp(wire::Writer& writer, const IpHeader& ip, const UdpHeader& udp,
                   std::span<const uint8_t> payload);

const IpAddress& source_of(const IpHeader& ip);
const IpAddress& destination_of(const IpHeader& ip);

// RFC 1071 ones'-complement sum, folded, not inverted; chain with `initial`.
uint32_t ones_complement_sum(std::span<const uint8_t> bytes, uint32_t initial = 0);
uint16_t fold_checksum(uint32_t sum);

}  // namespace lispmob::net
