#include "common/lisp/mapping_record.h"

#include "absl/strings/str_cat.h"
#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

namespace {

// The 16-bit word after the EID mask-len: ACT(3) | A(1) | Reserved(12).
constexpr uint16_t kActionShift = 13;
constexpr uint16_t kAuthoritativeBit = 0x1000;
constexpr uint16_t kReserved12Mask = 0x0fff;
// The 16-bit word before the EID-AFI: Rsvd(4) | Map-Version(12).
constexpr uint16_t kMapVersionMask = 0x0fff;

absl::Status decode_locator(wire::Reader& reader, Locator& out) {
  const size_t start = reader.position();
  if (!reader.read_u8(out.priority) || !reader.read_u8(out.weight) ||
      !reader.read_u8(out.multicast_priority) || !reader.read_u8(out.multicast_weight) ||
      !reader.read_u16(out.flags)) {
    return decode_error("truncated locator", start);
  }
  return decode_address(reader, out.address);
}

}  // namespace

absl::Status decode_mapping_record(wire::Reader& reader, MappingRecord& out) {
  const size_t start = reader.position();
  uint8_t locator_count = 0;
  uint16_t action_word = 0, version_word = 0;
  if (!reader.read_u32(out.ttl_minutes) || !reader.read_u8(locator_count) ||
      !reader.read_u8(out.eid_mask_len) || !reader.read_u16(action_word) ||
      !reader.read_u16(version_word)) {
    return decode_error("truncated mapping record", start);
  }
  out.action = static_cast<uint8_t>(action_word >> kActionShift);
  out.authoritative = action_word & kAuthoritativeBit;
  out.reserved = action_word & kReserved12Mask;
  out.reserved_high = static_cast<uint8_t>(version_word >> 12);
  out.map_version = version_word & kMapVersionMask;
  if (auto status = decode_address(reader, out.eid); !status.ok()) return status;
  return decode_records(reader, locator_count, out.locators, decode_locator);
}

void encode_mapping_record(wire::Writer& writer, const MappingRecord& record) {
  writer.write_u32(record.ttl_minutes);
  writer.write_u8(static_cast<uint8_t>(record.locators.size()));
  writer.write_u8(record.eid_mask_len);
  writer.write_u16(static_cast<uint16_t>((record.action & 0x7) << kActionShift |
                                         (record.authoritative ? kAuthoritativeBit : 0) |
                                         (record.reserved & kReserved12Mask)));
  writer.write_u16(static_cast<uint16_t>((record.reserved_high & 0xf) << 12 |
                                         (record.map_version & kMapVersionMask)));
  encode_address(writer, record.eid);
  for (const auto& locator : record.locators) {
    writer.write_u8(locator.priority);
    writer.write_u8(locator.weight);
    writer.write_u8(locator.multicast_priority);
    writer.write_u8(locator.multicast_weight);
    writer.write_u16(locator.flags);
    encode_address(writer, locator.address);
  }
}

absl::Status validate_mapping_record(const MappingRecord& record) {
  if (record.locators.size() > 255) return absl::InvalidArgumentError("more than 255 locators");
  if (record.action > 7) return absl::InvalidArgumentError("ACT does not fit 3 bits");
  if (record.map_version > kMapVersionMask) {
    return absl::InvalidArgumentError("map-version does not fit 12 bits");
  }
  return absl::OkStatus();
}

absl::Status decode_eid_record(wire::Reader& reader, EidRecord& out) {
  const size_t start = reader.position();
  if (!reader.read_u8(out.reserved) || !reader.read_u8(out.eid_mask_len)) {
    return decode_error("truncated EID record", start);
  }
  return decode_address(reader, out.eid);
}

void encode_eid_record(wire::Writer& writer, const EidRecord& record) {
  writer.write_u8(record.reserved);
  writer.write_u8(record.eid_mask_len);
  encode_address(writer, record.eid);
}

std::string prefix_to_string(const Address& eid, uint8_t mask_len) {
  return absl::StrCat(eid.to_string(), "/", mask_len);
}

std::string to_string(const MappingRecord& record) {
  std::string text =
      absl::StrCat(prefix_to_string(record.eid, record.eid_mask_len), " ttl ", record.ttl_minutes);
  if (record.locators.empty()) absl::StrAppend(&text, " act ", record.action);
  for (const auto& locator : record.locators) {
    absl::StrAppend(&text, " rloc ", locator.address.to_string(), " p", locator.priority, " w",
                    locator.weight, locator.reachable() ? "" : " down");
  }
  return text;
}

}  // namespace lispmob::lisp
