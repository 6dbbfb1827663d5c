#include "common/lisp/packet.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/wire/errors.h"

namespace lispmob::lisp {

namespace {

// "src > dst" of the inner IPv4/IPv6 packet, or "" if too short.
std::string inner_endpoints(std::span<const uint8_t> packet) {
  const bool v4 = (packet[0] >> 4) == 4;
  const size_t source_at = v4 ? 12 : 8;
  const size_t length = v4 ? 4 : 16;
  if (packet.size() < source_at + 2 * length) return "";
  auto address = [&](size_t at) {
    return v4 ? net::IpAddress::v4(std::span<const uint8_t, 4>(packet.data() + at, 4))
              : net::IpAddress::v6(std::span<const uint8_t, 16>(packet.data() + at, 16));
  };
  return address(source_at).to_string() + " > " + address(source_at + length).to_string();
}

}  // namespace

LispPort classify_ports(uint16_t source_port, uint16_t destination_port) {
  if (source_port == kControlPort || destination_port == kControlPort) return LispPort::kControl;
  if (source_port == kDataPort || destination_port == kDataPort) return LispPort::kData;
  return LispPort::kNone;
}

absl::StatusOr<DataPacket> decode_data_packet(std::span<const uint8_t> bytes) {
  DataPacket packet;
  switch (decode_data_header(bytes.data(), bytes.size(), packet.header)) {
    case DataHeaderStatus::kOk:
      break;
    case DataHeaderStatus::kTruncated:
      return wire::decode_error("truncated LISP data header", 0);
    case DataHeaderStatus::kNonceAndMapVersion:
      return wire::decode_error("LISP data header with both N and V", 0);
  }
  packet.inner.assign(bytes.begin() + kDataHeaderSize, bytes.end());
  return packet;
}

absl::StatusOr<LispPayload> decode_payload(LispPort port, std::span<const uint8_t> bytes) {
  if (port == LispPort::kControl) {
    auto message = decode_message(bytes);
    if (!message.ok()) return message.status();
    return LispPayload{std::move(*message)};
  }
  if (port == LispPort::kData) {
    auto packet = decode_data_packet(bytes);
    if (!packet.ok()) return packet.status();
    return LispPayload{std::move(*packet)};
  }
  return absl::InvalidArgumentError("not a LISP port");
}

absl::StatusOr<std::vector<uint8_t>> encode_payload(const LispPayload& payload) {
  if (const auto* message = std::get_if<Message>(&payload.value)) return encode_message(*message);
  const auto& packet = std::get<DataPacket>(payload.value);
  std::vector<uint8_t> bytes(kDataHeaderSize);
  encode_data_header(packet.header, bytes.data());
  bytes.insert(bytes.end(), packet.inner.begin(), packet.inner.end());
  return bytes;
}

std::string summarize(const LispPayload& payload) {
  if (const auto* message = std::get_if<Message>(&payload.value)) return summarize(*message);
  const auto& packet = std::get<DataPacket>(payload.value);
  const DataHeader& h = packet.header;
  std::string text = "LISP-data";
  if (h.has(DataHeader::kNoncePresent))
    absl::StrAppend(&text, absl::StrFormat(" nonce 0x%06x", h.nonce()));
  if (h.has(DataHeader::kMapVersion)) {
    absl::StrAppend(&text, " map-version ", h.source_map_version(), "/", h.dest_map_version());
  }
  if (h.has(DataHeader::kInstanceIdPresent)) absl::StrAppend(&text, " iid ", h.instance_id());
  if (h.has(DataHeader::kLsbEnabled)) {
    absl::StrAppend(&text, absl::StrFormat(" lsb 0x%x", h.locator_status_bits()));
  }
  if (!packet.inner.empty() && (packet.inner[0] >> 4 == 4 || packet.inner[0] >> 4 == 6)) {
    absl::StrAppend(&text, " inner ", inner_endpoints(packet.inner));
  }
  absl::StrAppend(&text, " ", packet.inner.size(), " bytes");
  return text;
}

}  // namespace lispmob::lisp
