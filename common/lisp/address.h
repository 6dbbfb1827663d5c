// LISP addresses: AFI-encoded addresses (RFC 9301 §5, IANA Address Family
// Numbers) and the LISP Canonical Address Format (RFC 8060).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "common/net/ip_address.h"
#include "common/wire/box.h"
#include "common/wire/reader.h"
#include "common/wire/writer.h"

namespace lispmob::lisp {

// IANA Address Family Numbers as LISP uses them.
enum class Afi : uint16_t {
  kNone = 0,
  kIpv4 = 1,
  kIpv6 = 2,
  kDistinguishedName = 17,
  kLcaf = 16387,
};

// RFC 8060 §3 LCAF types we decode; any other type is a decode error.
enum class LcafType : uint8_t {
  kAfiList = 1,
  kInstanceId = 2,
  kNatTraversal = 7,
  kExplicitLocatorPath = 10,
  kSourceDestKey = 12,
};

// LCAFs nest (an Instance-ID around a Source/Dest key around prefixes); deeper
// than this is refused so a crafted packet cannot exhaust the stack.
inline constexpr int kMaxLcafDepth = 4;

struct Address;

// AFI 0: "no address" (RFC 9301 uses it for an absent source EID).
struct NoAddress {
  friend bool operator==(const NoAddress&, const NoAddress&) = default;
};

// AFI 17 (RFC 8060 §3.1 / RFC 9301): NUL-terminated ASCII.
struct DistinguishedName {
  std::string name;
  friend bool operator==(const DistinguishedName&, const DistinguishedName&) = default;
};

// LCAF type 1, RFC 8060 §4.1.
struct AfiListLcaf {
  std::vector<Address> addresses;
  friend bool operator==(const AfiListLcaf&, const AfiListLcaf&) = default;
};

// LCAF type 2, RFC 8060 §4.2. The LCAF header's Rsvd2 byte carries the IID mask-len.
struct InstanceIdLcaf {
  uint32_t instance_id = 0;
  uint8_t mask_len = 0;
  wire::Box<Address> address;
  friend bool operator==(const InstanceIdLcaf&, const InstanceIdLcaf&) = default;
};

// LCAF type 7, RFC 8060 §4.4 (the NAT-traversal draft's Info-Reply body).
struct NatTraversalLcaf {
  uint16_t ms_udp_port = 0;
  uint16_t etr_udp_port = 0;
  wire::Box<Address> global_etr_rloc;
  wire::Box<Address> ms_rloc;
  wire::Box<Address> private_etr_rloc;
  std::vector<Address> rtr_rlocs;
  friend bool operator==(const NatTraversalLcaf&, const NatTraversalLcaf&) = default;
};

// One re-encapsulation hop of an ELP, RFC 8060 §4.9.
struct ElpHop {
  static constexpr uint16_t kLookup = 0x4;  // L
  static constexpr uint16_t kProbe = 0x2;   // P
  static constexpr uint16_t kStrict = 0x1;  // S
  uint16_t flags = 0;                       // Rsvd3 + L|P|S, kept whole for re-encoding
  wire::Box<Address> address;
  friend bool operator==(const ElpHop&, const ElpHop&) = default;
};

// LCAF type 10, RFC 8060 §4.9.
struct ElpLcaf {
  std::vector<ElpHop> hops;
  friend bool operator==(const ElpLcaf&, const ElpLcaf&) = default;
};

// LCAF type 12, RFC 8060 §4.11.
struct SourceDestLcaf {
  uint16_t reserved = 0;
  uint8_t source_mask_len = 0;
  uint8_t dest_mask_len = 0;
  wire::Box<Address> source;
  wire::Box<Address> dest;
  friend bool operator==(const SourceDestLcaf&, const SourceDestLcaf&) = default;
};

// RFC 8060 §3: | AFI=16387 | Rsvd1 | Flags | Type | Rsvd2 | Length | body |
struct Lcaf {
  uint8_t reserved1 = 0;
  uint8_t flags = 0;
  // Rsvd2 for types that do not give it a meaning (Instance-ID keeps its mask-len).
  uint8_t reserved2 = 0;
  std::variant<AfiListLcaf, InstanceIdLcaf, NatTraversalLcaf, ElpLcaf, SourceDestLcaf> body;

  LcafType type() const;
  friend bool operator==(const Lcaf&, const Lcaf&) = default;
};

struct Address {
  std::variant<NoAddress, net::IpAddress, DistinguishedName, Lcaf> value;

  Address() = default;
  Address(net::IpAddress ip) : value(ip) {}       // NOLINT: implicit, an IP is an address
  Address(Lcaf lcaf) : value(std::move(lcaf)) {}  // NOLINT
  Address(DistinguishedName name) : value(std::move(name)) {}  // NOLINT

  Afi afi() const;
  bool is_none() const { return std::holds_alternative<NoAddress>(value); }
  const net::IpAddress* ip() const { return std::get_if<net::IpAddress>(&value); }
  const Lcaf* lcaf() const { return std::get_if<Lcaf>(&value); }

  std::string to_string() const;
  friend bool operator==(const Address&, const Address&) = default;
};

// Reads the IPv4 or IPv6 address that follows an AFI of 1 or 2; false for
// any other AFI or a truncated address. Allocates nothing.
bool read_ip_address(wire::Reader& reader, uint16_t afi, net::IpAddress& out);

// Reads one AFI-prefixed address. Unknown AFIs and LCAF types are errors.
absl::Status decode_address(wire::Reader& reader, Address& out, int depth = 0);
void encode_address(wire::Writer& writer, const Address& address);
// Bytes `encode_address` writes for this address.
size_t encoded_address_size(const Address& address);

}  // namespace lispmob::lisp
