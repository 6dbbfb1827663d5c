// What a UDP payload on a LISP port holds: a control message (4342) or a
// data packet (4341: LISP header + inner packet). Used by lispdump and tests
// to take captures apart and put them back together.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "common/lisp/data_header.h"
#include "common/lisp/message.h"

namespace lispmob::lisp {

struct DataPacket {
  DataHeader header;
  std::vector<uint8_t> inner;  // the encapsulated packet, opaque here
  friend bool operator==(const DataPacket&, const DataPacket&) = default;
};

struct LispPayload {
  std::variant<Message, DataPacket> value;
  friend bool operator==(const LispPayload&, const LispPayload&) = default;
};

enum class LispPort { kNone, kData, kControl };

// Control when either port is 4342 (a Map-Reply goes back to the request's
// source port), data when either is 4341.
LispPort classify_ports(uint16_t source_port, uint16_t destination_port);

absl::StatusOr<DataPacket> decode_data_packet(std::span<const uint8_t> bytes);
absl::StatusOr<LispPayload> decode_payload(LispPort port, std::span<const uint8_t> bytes);
absl::StatusOr<std::vector<uint8_t>> encode_payload(const LispPayload& payload);
std::string summarize(const LispPayload& payload);

}  // namespace lispmob::lisp
