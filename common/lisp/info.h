// Info-Request / Info-Reply (type 7), draft-ermagan-lisp-nat-traversal-19
// §4.1-§4.2 (now draft-ietf-lisp-nat-traversal; not an RFC).
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "common/lisp/map_register.h"

namespace lispmob::lisp {

// |Type=7 |R|  Reserved | Nonce | Key ID | Auth Length | Auth Data |
// | TTL | Reserved | EID mask-len | EID-AFI | EID | payload address |
// The payload is AFI 0 (or a name) in a request and a NAT-Traversal LCAF in a reply.
struct InfoMessage {
  static constexpr uint32_t kReply = 0x08000000;  // R
  static constexpr uint32_t kDerivedBits = 0xf0000000 | kReply;

  bool reply = false;
  uint32_t reserved_bits = 0;
  uint64_t nonce = 0;
  Authentication auth;
  uint32_t ttl_minutes = 0;
  uint8_t reserved = 0;
  uint8_t eid_mask_len = 0;
  Address eid;
  Address payload;

  // The NAT-Traversal LCAF of an Info-Reply; null otherwise.
  const NatTraversalLcaf* nat_traversal() const;
  friend bool operator==(const InfoMessage&, const InfoMessage&) = default;
};

absl::Status decode_info(std::span<const uint8_t> bytes, InfoMessage& out);
absl::Status validate(const InfoMessage& message);
void encode(wire::Writer& writer, const InfoMessage& message);

}  // namespace lispmob::lisp
