// The mapping record and its locators, shared by Map-Reply, Map-Register and
// Map-Notify (RFC 9301 §5.4), and the EID record of a Map-Request (§5.2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/lisp/address.h"
#include "common/wire/reader.h"
#include "common/wire/writer.h"

namespace lispmob::lisp {

// IANA "LISP ACT Values" (RFC 9301 §5.4). Values above kDropAuthFailure are
// carried through unchanged but have no meaning to us.
enum class MapReplyAction : uint8_t {
  kNoAction = 0,
  kNativelyForward = 1,
  kSendMapRequest = 2,
  kDrop = 3,
  kDropPolicyDenied = 4,
  kDropAuthFailure = 5,
};

// RFC 9301 §5.4 locator: | Priority | Weight | M Priority | M Weight |
//                        | Unused Flags |L|p|R| Loc-AFI | Locator |
struct Locator {
  static constexpr uint16_t kLocal = 0x0004;      // L: the sender's own locator
  static constexpr uint16_t kProbed = 0x0002;     // p: answers an RLOC probe
  static constexpr uint16_t kReachable = 0x0001;  // R

  uint8_t priority = 1;  // 255: not to be used for unicast
  uint8_t weight = 100;
  uint8_t multicast_priority = 255;
  uint8_t multicast_weight = 0;
  uint16_t flags = kReachable;  // kept whole so unused bits re-encode unchanged
  Address address;

  bool local() const { return flags & kLocal; }
  bool probed() const { return flags & kProbed; }
  bool reachable() const { return flags & kReachable; }
  friend bool operator==(const Locator&, const Locator&) = default;
};

// RFC 9301 §5.4 record: | TTL | Loc Count | EID mask-len | ACT|A| Rsvd |
//                       | Rsvd | Map-Version | EID-AFI | EID-Prefix | locators |
struct MappingRecord {
  uint32_t ttl_minutes = 0;
  uint8_t eid_mask_len = 0;
  uint8_t action = 0;  // MapReplyAction, 3 bits
  bool authoritative = false;
  uint16_t reserved = 0;      // the 12 bits after A
  uint8_t reserved_high = 0;  // the 4 bits before Map-Version
  uint16_t map_version = 0;   // 12 bits
  Address eid;
  std::vector<Locator> locators;

  friend bool operator==(const MappingRecord&, const MappingRecord&) = default;
};

// RFC 9301 §5.2 record: | Reserved | EID mask-len | EID-Prefix-AFI | EID-Prefix |
struct EidRecord {
  uint8_t reserved = 0;
  uint8_t eid_mask_len = 0;
  Address eid;
  friend bool operator==(const EidRecord&, const EidRecord&) = default;
};

absl::Status decode_mapping_record(wire::Reader& reader, MappingRecord& out);
void encode_mapping_record(wire::Writer& writer, const MappingRecord& record);
// Locator and field counts that fit their wire widths; Status names the field that does not.
absl::Status validate_mapping_record(const MappingRecord& record);

absl::Status decode_eid_record(wire::Reader& reader, EidRecord& out);
void encode_eid_record(wire::Writer& writer, const EidRecord& record);

// "203.0.113.0/24" or "[7]2001:db8::/64"
std::string prefix_to_string(const Address& eid, uint8_t mask_len);
std::string to_string(const MappingRecord& record);

// Records are a list prefixed by an 8-bit count in the message header.
template <class Record, class Decode>
absl::Status decode_records(wire::Reader& reader, unsigned count, std::vector<Record>& out,
                            Decode decode) {
  out.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    Record record;
    if (auto status = decode(reader, record); !status.ok()) return status;
    out.push_back(std::move(record));
  }
  return absl::OkStatus();
}

}  // namespace lispmob::lisp
