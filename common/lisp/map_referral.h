// Map-Referral (type 6), RFC 8111 §5.1 (LISP-DDT).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "common/lisp/mapping_record.h"

namespace lispmob::lisp {

// RFC 8111 §5.1 referral ACT values.
enum class ReferralAction : uint8_t {
  kNodeReferral = 0,
  kMsReferral = 1,
  kMsAck = 2,
  kMsNotRegistered = 3,
  kDelegationHole = 4,
  kNotAuthoritative = 5,
};

// RFC 8111 §5.1 signature section entry.
struct ReferralSignature {
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;
  uint32_t inception = 0;
  uint16_t key_tag = 0;
  uint8_t algorithm = 0;
  uint8_t reserved1 = 0;
  uint16_t reserved2 = 0;
  std::vector<uint8_t> signature;
  friend bool operator==(const ReferralSignature&, const ReferralSignature&) = default;
};

// A referral record has the mapping record's layout with two differences: the
// 4 bits before Map-Version are the signature count, and the reserved bits after
// A hold the I (incomplete) flag. `record.reserved_high` is derived from
// `signatures` when encoding.
struct ReferralRecord {
  static constexpr uint16_t kIncomplete = 0x0800;  // I, within MappingRecord::reserved
  MappingRecord record;                            // locators are the referral set
  std::vector<ReferralSignature> signatures;

  bool incomplete() const { return record.reserved & kIncomplete; }
  friend bool operator==(const ReferralRecord&, const ReferralRecord&) = default;
};

// |Type=6 |                Reserved               | Record Count  |
struct MapReferral {
  uint32_t reserved_bits = 0;
  uint64_t nonce = 0;
  std::vector<ReferralRecord> records;
  friend bool operator==(const MapReferral&, const MapReferral&) = default;
};

absl::Status decode_map_referral(std::span<const uint8_t> bytes, MapReferral& out);
absl::Status validate(const MapReferral& referral);
void encode(wire::Writer& writer, const MapReferral& referral);

}  // namespace lispmob::lisp
