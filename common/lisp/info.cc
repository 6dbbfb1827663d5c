#include "common/lisp/info.h"

#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

const NatTraversalLcaf* InfoMessage::nat_traversal() const {
  const Lcaf* lcaf = payload.lcaf();
  return lcaf ? std::get_if<NatTraversalLcaf>(&lcaf->body) : nullptr;
}

absl::Status decode_info(std::span<const uint8_t> bytes, InfoMessage& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word) || !reader.read_u64(out.nonce)) {
    return decode_error("truncated Info message", 0);
  }
  if (word >> 28 != 7) return decode_error("not an Info message", 0);
  out.reply = word & InfoMessage::kReply;
  out.reserved_bits = word & ~InfoMessage::kDerivedBits;
  if (auto status = decode_authentication(reader, out.auth); !status.ok()) return status;
  if (!reader.read_u32(out.ttl_minutes) || !reader.read_u8(out.reserved) ||
      !reader.read_u8(out.eid_mask_len)) {
    return decode_error("truncated Info message", reader.position());
  }
  if (auto status = decode_address(reader, out.eid); !status.ok()) return status;
  if (auto status = decode_address(reader, out.payload); !status.ok()) return status;
  if (out.reply && !out.nat_traversal()) {
    return decode_error("Info-Reply without NAT-Traversal LCAF", reader.position());
  }
  if (!reader.empty()) return decode_error("trailing bytes after Info message", reader.position());
  return absl::OkStatus();
}

absl::Status validate(const InfoMessage& message) {
  if (message.reserved_bits & InfoMessage::kDerivedBits) {
    return absl::InvalidArgumentError("Info reserved_bits overlap defined fields");
  }
  if (message.auth.data.size() > 0xffff) {
    return absl::InvalidArgumentError("authentication data too long");
  }
  if (message.reply && !message.nat_traversal()) {
    return absl::InvalidArgumentError("Info-Reply needs a NAT-Traversal LCAF");
  }
  return absl::OkStatus();
}

void encode(wire::Writer& writer, const InfoMessage& message) {
  writer.write_u32(7u << 28 | (message.reply ? InfoMessage::kReply : 0) | message.reserved_bits);
  writer.write_u64(message.nonce);
  encode_authentication(writer, message.auth);
  writer.write_u32(message.ttl_minutes);
  writer.write_u8(message.reserved);
  writer.write_u8(message.eid_mask_len);
  encode_address(writer, message.eid);
  encode_address(writer, message.payload);
}

}  // namespace lispmob::lisp
