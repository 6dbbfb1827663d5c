// Every LISP control message (UDP 4342): one variant, one decoder that
// dispatches on the type nibble, one encoder.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/lisp/info.h"
#include "common/lisp/map_referral.h"
#include "common/lisp/map_register.h"
#include "common/lisp/map_reply.h"
#include "common/lisp/map_request.h"
#include "common/lisp/ports.h"
#include "common/net/headers.h"
#include "common/wire/box.h"

namespace lispmob::lisp {

// IANA "LISP Packet Types" (RFC 9301 §5.1, RFC 8111, NAT-traversal draft).
enum class MessageType : uint8_t {
  kMapRequest = 1,
  kMapReply = 2,
  kMapRegister = 3,
  kMapNotify = 4,
  kMapNotifyAck = 5,
  kMapReferral = 6,
  kInfo = 7,
  kEncapsulatedControl = 8,
};

struct Message;

// RFC 9301 §5.8: |Type=8 |S|D|E|M|  Reserved | inner IP | inner UDP | message |
// The NAT-traversal draft's R and N bits (bits 9-10 in OOR) stay in reserved_bits.
struct EncapsulatedControlMessage {
  static constexpr uint32_t kSecurity = 0x08000000;     // S: LISP-SEC
  static constexpr uint32_t kFromDdt = 0x04000000;      // D
  static constexpr uint32_t kToEtr = 0x02000000;        // E
  static constexpr uint32_t kToMapServer = 0x01000000;  // M
  static constexpr uint32_t kDerivedBits = 0xf0000000;

  bool security = false;
  bool from_ddt = false;
  bool to_etr = false;
  bool to_map_server = false;
  uint32_t reserved_bits = 0;
  net::IpHeader inner_ip;
  net::UdpHeader inner_udp;
  wire::Box<Message> inner;  // never itself an ECM

  friend bool operator==(const EncapsulatedControlMessage&,
                         const EncapsulatedControlMessage&) = default;
};

struct Message {
  std::variant<MapRequest, MapReply, MapRegister, MapNotify, MapReferral, InfoMessage,
               EncapsulatedControlMessage>
      value;

  Message() = default;
  template <class T>
  Message(T message) : value(std::move(message)) {}  // NOLINT: any message is a Message

  MessageType type() const;
  friend bool operator==(const Message&, const Message&) = default;
};

// Decodes one control message occupying all of `bytes`.
absl::StatusOr<Message> decode_message(std::span<const uint8_t> bytes);
// Checks the message fits its wire fields, then encodes it.
absl::StatusOr<std::vector<uint8_t>> encode_message(const Message& message);

const char* message_type_name(MessageType type);
// One line, tcpdump style: type, flags, nonce, EID-prefixes, RLOCs.
std::string summarize(const Message& message);

}  // namespace lispmob::lisp
