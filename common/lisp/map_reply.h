// Map-Reply (type 2), RFC 9301 §5.4.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "common/lisp/mapping_record.h"

namespace lispmob::lisp {

// |Type=2 |P|E|S|          Reserved               | Record Count  |
struct MapReply {
  static constexpr uint32_t kProbe = 0x08000000;             // P: RLOC-probe reply
  static constexpr uint32_t kEchoNonceCapable = 0x04000000;  // E
  static constexpr uint32_t kSecurity = 0x02000000;          // S: LISP-SEC
  static constexpr uint32_t kDerivedBits = 0xf00000ff;       // type and record count

  bool probe = false;
  bool echo_nonce_capable = false;
  bool security = false;
  uint32_t reserved_bits = 0;
  uint64_t nonce = 0;
  std::vector<MappingRecord> records;

  friend bool operator==(const MapReply&, const MapReply&) = default;
};

absl::Status decode_map_reply(std::span<const uint8_t> bytes, MapReply& out);
absl::Status validate(const MapReply& reply);
void encode(wire::Writer& writer, const MapReply& reply);

}  // namespace lispmob::lisp
