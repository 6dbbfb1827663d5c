#include "common/lisp/map_reply.h"

#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

namespace {
constexpr uint32_t kKnownFlags =
    MapReply::kProbe | MapReply::kEchoNonceCapable | MapReply::kSecurity;
}  // namespace

absl::Status decode_map_reply(std::span<const uint8_t> bytes, MapReply& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word) || !reader.read_u64(out.nonce)) {
    return decode_error("truncated Map-Reply header", 0);
  }
  if (word >> 28 != 2) return decode_error("not a Map-Reply", 0);
  out.probe = word & MapReply::kProbe;
  out.echo_nonce_capable = word & MapReply::kEchoNonceCapable;
  out.security = word & MapReply::kSecurity;
  out.reserved_bits = word & ~(kKnownFlags | MapReply::kDerivedBits);
  if (auto status = decode_records(reader, word & 0xff, out.records, decode_mapping_record);
      !status.ok()) {
    return status;
  }
  if (!reader.empty()) return decode_error("trailing bytes after Map-Reply", reader.position());
  return absl::OkStatus();
}

absl::Status validate(const MapReply& reply) {
  if (reply.records.size() > 255) return absl::InvalidArgumentError("more than 255 records");
  if (reply.reserved_bits & (kKnownFlags | MapReply::kDerivedBits)) {
    return absl::InvalidArgumentError("Map-Reply reserved_bits overlap defined fields");
  }
  for (const auto& record : reply.records) {
    if (auto status = validate_mapping_record(record); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void encode(wire::Writer& writer, const MapReply& reply) {
  uint32_t word = 2u << 28 | reply.reserved_bits | static_cast<uint32_t>(reply.records.size());
  if (reply.probe) word |= MapReply::kProbe;
  if (reply.echo_nonce_capable) word |= MapReply::kEchoNonceCapable;
  if (reply.security) word |= MapReply::kSecurity;
  writer.write_u32(word);
  writer.write_u64(reply.nonce);
  for (const auto& record : reply.records) encode_mapping_record(writer, record);
}

}  // namespace lispmob::lisp
