// Map-Request (type 1), RFC 9301 §5.2-§5.3.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "common/lisp/mapping_record.h"

namespace lispmob::lisp {

// |Type=1 |A|M|P|S|p|s|R|R| Rsvd |L|D| IRC | Record Count |
struct MapRequest {
  static constexpr uint32_t kAuthoritative = 0x08000000;   // A
  static constexpr uint32_t kMapDataPresent = 0x04000000;  // M (derived from map_data)
  static constexpr uint32_t kProbe = 0x02000000;           // P
  static constexpr uint32_t kSmr = 0x01000000;             // S
  static constexpr uint32_t kPitr = 0x00800000;            // p
  static constexpr uint32_t kSmrInvoked = 0x00400000;      // s
  static constexpr uint32_t kLocalXtr = 0x00004000;        // L
  static constexpr uint32_t kDontMapReply = 0x00002000;    // D
  // Type, M, IRC and Record Count are derived from the fields below.
  static constexpr uint32_t kDerivedBits = 0xf0000000 | kMapDataPresent | 0x1f00 | 0xff;

  bool authoritative = false;
  bool probe = false;
  bool smr = false;
  bool pitr = false;
  bool smr_invoked = false;
  bool local_xtr = false;
  bool dont_map_reply = false;
  uint32_t reserved_bits = 0;  // any other bits of the first word, re-encoded as they came
  uint64_t nonce = 0;
  Address source_eid;
  std::vector<Address> itr_rlocs;         // 1..32
  std::vector<EidRecord> records;         // 1..255
  std::optional<MappingRecord> map_data;  // the requester's own mapping when M is set

  friend bool operator==(const MapRequest&, const MapRequest&) = default;
};

absl::Status decode_map_request(std::span<const uint8_t> bytes, MapRequest& out);
absl::Status validate(const MapRequest& request);
// Appends the message; `request` must pass validate().
void encode(wire::Writer& writer, const MapRequest& request);

}  // namespace lispmob::lisp
