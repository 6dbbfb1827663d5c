// Map-Register (type 3), Map-Notify (type 4) and Map-Notify-Ack (type 5),
// RFC 9301 §5.6-§5.7. They share the authentication block, mapping records
// and the optional xTR-ID/site-ID trailer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "common/lisp/mapping_record.h"

namespace lispmob::lisp {

// IANA "LISP Algorithm ID Numbers".
enum class AuthAlgorithm : uint8_t {
  kNone = 0,
  kHmacSha1_96 = 1,
  kHmacSha256_128 = 2,
};

// | Key ID (8) | Algorithm ID (8) | Authentication Data Length (16) | data |
// Older implementations write one 16-bit Key ID of 1 or 2, the same bytes as
// Key ID 0 with Algorithm ID 1 or 2.
struct Authentication {
  uint8_t key_id = 0;
  uint8_t algorithm_id = 0;
  std::vector<uint8_t> data;
  friend bool operator==(const Authentication&, const Authentication&) = default;
};

absl::Status decode_authentication(wire::Reader& reader, Authentication& out);
void encode_authentication(wire::Writer& writer, const Authentication& auth);

// Offset of the authentication data in Map-Register, Map-Notify and
// Info-Request/Reply: type word (4) + nonce (8) + key/alg/length (4).
inline constexpr size_t kAuthDataOffset = 16;

// Present when the I bit is set: | xTR-ID (128) | site-ID (64) |.
struct XtrIdentity {
  std::array<uint8_t, 16> xtr_id{};
  uint64_t site_id = 0;
  friend bool operator==(const XtrIdentity&, const XtrIdentity&) = default;
};

// |Type=3 |P|S|I|  Reserved ...                 |M| Record Count |
struct MapRegister {
  static constexpr uint32_t kProxyReply = 0x08000000;       // P
  static constexpr uint32_t kSecurityCapable = 0x04000000;  // S: LISP-SEC
  static constexpr uint32_t kIdentityPresent = 0x02000000;  // I (derived from identity)
  static constexpr uint32_t kWantMapNotify = 0x00000100;    // M
  static constexpr uint32_t kDerivedBits = 0xf00000ff | kIdentityPresent;

  bool proxy_reply = false;
  bool security_capable = false;
  bool want_map_notify = false;
  uint32_t reserved_bits = 0;
  uint64_t nonce = 0;
  Authentication auth;
  std::vector<MappingRecord> records;
  std::optional<XtrIdentity> identity;

  friend bool operator==(const MapRegister&, const MapRegister&) = default;
};

// What a Map-Server needs to choose the key before it decodes a Map-Register
// (RFC 9301 §5.6, §8.2): the Key ID, the Algorithm ID and the first record's
// EID (an IP address, bare or in an Instance-ID LCAF, RFC 8060 §4.1) with its
// mask-len. Read in place, without allocating, so that a forged register
// costs one HMAC and nothing more. Nullopt for anything else.
struct MapRegisterKeying {
  uint8_t key_id = 0;
  uint8_t algorithm_id = 0;
  uint32_t instance_id = 0;
  net::IpAddress first_eid;
  uint8_t first_eid_mask_len = 0;
};
std::optional<MapRegisterKeying> peek_map_register_keying(std::span<const uint8_t> bytes);

// NAT-traversal draft §4.4 (R bit): | MS-RTR Key ID (16) | MS-RTR Auth Length (16) | data |
struct MsRtrAuthentication {
  uint16_t key_id = 0;
  std::vector<uint8_t> data;
  friend bool operator==(const MsRtrAuthentication&, const MsRtrAuthentication&) = default;
};

// |Type=4 |I|R|          Reserved                 | Record Count  |   (type 5: Map-Notify-Ack)
struct MapNotify {
  static constexpr uint32_t kIdentityPresent = 0x08000000;   // I (derived from identity)
  static constexpr uint32_t kMsRtrAuthPresent = 0x04000000;  // R (derived from ms_rtr_auth)
  static constexpr uint32_t kDerivedBits = 0xf00000ff | kIdentityPresent | kMsRtrAuthPresent;

  bool ack = false;  // type 5 Map-Notify-Ack rather than type 4
  uint32_t reserved_bits = 0;
  uint64_t nonce = 0;
  Authentication auth;
  std::vector<MappingRecord> records;
  std::optional<XtrIdentity> identity;
  std::optional<MsRtrAuthentication> ms_rtr_auth;

  friend bool operator==(const MapNotify&, const MapNotify&) = default;
};

absl::Status decode_map_register(std::span<const uint8_t> bytes, MapRegister& out);
absl::Status validate(const MapRegister& message);
void encode(wire::Writer& writer, const MapRegister& message);

absl::Status decode_map_notify(std::span<const uint8_t> bytes, MapNotify& out);
absl::Status validate(const MapNotify& message);
void encode(wire::Writer& writer, const MapNotify& message);

}  // namespace lispmob::lisp
