#include "common/lisp/map_referral.h"

#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

namespace {

constexpr uint32_t kDerivedBits = 0xf00000ff;

absl::Status decode_signature(wire::Reader& reader, ReferralSignature& out) {
  uint16_t length = 0;
  std::span<const uint8_t> signature;
  if (!reader.read_u32(out.original_ttl) || !reader.read_u32(out.expiration) ||
      !reader.read_u32(out.inception) || !reader.read_u16(out.key_tag) ||
      !reader.read_u16(length) || !reader.read_u8(out.algorithm) ||
      !reader.read_u8(out.reserved1) || !reader.read_u16(out.reserved2) ||
      !reader.read_span(length, signature)) {
    return decode_error("truncated referral signature", reader.position());
  }
  out.signature.assign(signature.begin(), signature.end());
  return absl::OkStatus();
}

absl::Status decode_referral_record(wire::Reader& reader, ReferralRecord& out) {
  if (auto status = decode_mapping_record(reader, out.record); !status.ok()) return status;
  return decode_records(reader, out.record.reserved_high, out.signatures, decode_signature);
}

}  // namespace

absl::Status decode_map_referral(std::span<const uint8_t> bytes, MapReferral& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word) || !reader.read_u64(out.nonce)) {
    return decode_error("truncated Map-Referral header", 0);
  }
  if (word >> 28 != 6) return decode_error("not a Map-Referral", 0);
  out.reserved_bits = word & ~kDerivedBits;
  if (auto status = decode_records(reader, word & 0xff, out.records, decode_referral_record);
      !status.ok()) {
    return status;
  }
  if (!reader.empty()) return decode_error("trailing bytes after Map-Referral", reader.position());
  return absl::OkStatus();
}

absl::Status validate(const MapReferral& referral) {
  if (referral.records.size() > 255) return absl::InvalidArgumentError("more than 255 records");
  if (referral.reserved_bits & kDerivedBits) {
    return absl::InvalidArgumentError("Map-Referral reserved_bits overlap defined fields");
  }
  for (const auto& record : referral.records) {
    if (record.signatures.size() > 15) return absl::InvalidArgumentError("more than 15 signatures");
    for (const auto& signature : record.signatures) {
      if (signature.signature.size() > 0xffff) {
        return absl::InvalidArgumentError("signature too long");
      }
    }
    if (auto status = validate_mapping_record(record.record); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void encode(wire::Writer& writer, const MapReferral& referral) {
  writer.write_u32(6u << 28 | referral.reserved_bits |
                   static_cast<uint32_t>(referral.records.size()));
  writer.write_u64(referral.nonce);
  for (const auto& entry : referral.records) {
    MappingRecord record = entry.record;
    record.reserved_high = static_cast<uint8_t>(entry.signatures.size());
    encode_mapping_record(writer, record);
    for (const auto& signature : entry.signatures) {
      writer.write_u32(signature.original_ttl);
      writer.write_u32(signature.expiration);
      writer.write_u32(signature.inception);
      writer.write_u16(signature.key_tag);
      writer.write_u16(static_cast<uint16_t>(signature.signature.size()));
      writer.write_u8(signature.algorithm);
      writer.write_u8(signature.reserved1);
      writer.write_u16(signature.reserved2);
      writer.write_bytes(signature.signature);
    }
  }
}

}  // namespace lispmob::lisp
