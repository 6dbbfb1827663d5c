#include "common/lisp/map_register.h"

#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

namespace {

constexpr uint32_t kRegisterFlags =
    MapRegister::kProxyReply | MapRegister::kSecurityCapable | MapRegister::kWantMapNotify;

absl::Status decode_identity(wire::Reader& reader, XtrIdentity& out) {
  if (!reader.read_bytes(out.xtr_id) || !reader.read_u64(out.site_id)) {
    return decode_error("truncated xTR-ID/site-ID", reader.position());
  }
  return absl::OkStatus();
}

void encode_identity(wire::Writer& writer, const XtrIdentity& identity) {
  writer.write_bytes(identity.xtr_id);
  writer.write_u64(identity.site_id);
}

// Nonce, authentication and records: the part every registration message shares.
absl::Status decode_registration_body(wire::Reader& reader, uint32_t word, uint64_t& nonce,
                                      Authentication& auth, std::vector<MappingRecord>& records) {
  if (!reader.read_u64(nonce)) return decode_error("truncated nonce", reader.position());
  if (auto status = decode_authentication(reader, auth); !status.ok()) return status;
  return decode_records(reader, word & 0xff, records, decode_mapping_record);
}

void encode_registration_body(wire::Writer& writer, uint32_t word, uint64_t nonce,
                              const Authentication& auth,
                              const std::vector<MappingRecord>& records) {
  writer.write_u32(word | static_cast<uint32_t>(records.size()));
  writer.write_u64(nonce);
  encode_authentication(writer, auth);
  for (const auto& record : records) encode_mapping_record(writer, record);
}

absl::Status validate_registration_body(const Authentication& auth,
                                        const std::vector<MappingRecord>& records) {
  if (auth.data.size() > 0xffff) return absl::InvalidArgumentError("authentication data too long");
  if (records.size() > 255) return absl::InvalidArgumentError("more than 255 records");
  for (const auto& record : records) {
    if (auto status = validate_mapping_record(record); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status decode_authentication(wire::Reader& reader, Authentication& out) {
  uint16_t length = 0;
  std::span<const uint8_t> data;
  if (!reader.read_u8(out.key_id) || !reader.read_u8(out.algorithm_id) ||
      !reader.read_u16(length) || !reader.read_span(length, data)) {
    return decode_error("truncated authentication data", reader.position());
  }
  out.data.assign(data.begin(), data.end());
  return absl::OkStatus();
}

void encode_authentication(wire::Writer& writer, const Authentication& auth) {
  writer.write_u8(auth.key_id);
  writer.write_u8(auth.algorithm_id);
  writer.write_u16(static_cast<uint16_t>(auth.data.size()));
  writer.write_bytes(auth.data);
}

std::optional<MapRegisterKeying> peek_map_register_keying(std::span<const uint8_t> bytes) {
  wire::Reader reader(bytes);
  MapRegisterKeying keying;
  uint32_t word = 0;
  uint64_t nonce = 0;
  uint16_t auth_length = 0;
  std::span<const uint8_t> auth_data;
  if (!reader.read_u32(word) || word >> 28 != 3 || (word & 0xff) == 0 || !reader.read_u64(nonce) ||
      !reader.read_u8(keying.key_id) || !reader.read_u8(keying.algorithm_id) ||
      !reader.read_u16(auth_length) || !reader.read_span(auth_length, auth_data)) {
    return std::nullopt;
  }
  // | Record TTL (32) | Locator Count (8) | EID mask-len (8) | ACT|A|Rsvd (16) |
  // | Rsvd|Map-Version (16) | EID-Prefix-AFI (16) | EID-Prefix |
  uint32_t ttl = 0;
  uint8_t locator_count = 0;
  uint16_t flags = 0;
  uint16_t version = 0;
  uint16_t afi = 0;
  if (!reader.read_u32(ttl) || !reader.read_u8(locator_count) ||
      !reader.read_u8(keying.first_eid_mask_len) || !reader.read_u16(flags) ||
      !reader.read_u16(version) || !reader.read_u16(afi)) {
    return std::nullopt;
  }
  if (afi == static_cast<uint16_t>(Afi::kLcaf)) {
    // | Rsvd1 | Flags | Type=2 | IID mask-len | Length (16) | Instance ID (32) | AFI | address |
    uint8_t reserved1 = 0, lcaf_flags = 0, type = 0, iid_mask_len = 0;
    uint16_t length = 0;
    if (!reader.read_u8(reserved1) || !reader.read_u8(lcaf_flags) || !reader.read_u8(type) ||
        type != static_cast<uint8_t>(LcafType::kInstanceId) || !reader.read_u8(iid_mask_len) ||
        !reader.read_u16(length) || !reader.read_u32(keying.instance_id) || !reader.read_u16(afi)) {
      return std::nullopt;
    }
  }
  if (!read_ip_address(reader, afi, keying.first_eid)) return std::nullopt;
  return keying;
}

absl::Status decode_map_register(std::span<const uint8_t> bytes, MapRegister& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word)) return decode_error("truncated Map-Register header", 0);
  if (word >> 28 != 3) return decode_error("not a Map-Register", 0);
  out.proxy_reply = word & MapRegister::kProxyReply;
  out.security_capable = word & MapRegister::kSecurityCapable;
  out.want_map_notify = word & MapRegister::kWantMapNotify;
  out.reserved_bits = word & ~(kRegisterFlags | MapRegister::kDerivedBits);
  if (auto status = decode_registration_body(reader, word, out.nonce, out.auth, out.records);
      !status.ok()) {
    return status;
  }
  out.identity.reset();
  if (word & MapRegister::kIdentityPresent) {
    if (auto status = decode_identity(reader, out.identity.emplace()); !status.ok()) return status;
  }
  if (!reader.empty()) return decode_error("trailing bytes after Map-Register", reader.position());
  return absl::OkStatus();
}

absl::Status validate(const MapRegister& message) {
  if (message.reserved_bits & (kRegisterFlags | MapRegister::kDerivedBits)) {
    return absl::InvalidArgumentError("Map-Register reserved_bits overlap defined fields");
  }
  return validate_registration_body(message.auth, message.records);
}

void encode(wire::Writer& writer, const MapRegister& message) {
  uint32_t word = 3u << 28 | message.reserved_bits;
  if (message.proxy_reply) word |= MapRegister::kProxyReply;
  if (message.security_capable) word |= MapRegister::kSecurityCapable;
  if (message.want_map_notify) word |= MapRegister::kWantMapNotify;
  if (message.identity) word |= MapRegister::kIdentityPresent;
  encode_registration_body(writer, word, message.nonce, message.auth, message.records);
  if (message.identity) encode_identity(writer, *message.identity);
}

absl::Status decode_map_notify(std::span<const uint8_t> bytes, MapNotify& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word)) return decode_error("truncated Map-Notify header", 0);
  const unsigned type = word >> 28;
  if (type != 4 && type != 5) return decode_error("not a Map-Notify", 0);
  out.ack = type == 5;
  out.reserved_bits = word & ~MapNotify::kDerivedBits;
  if (auto status = decode_registration_body(reader, word, out.nonce, out.auth, out.records);
      !status.ok()) {
    return status;
  }
  out.identity.reset();
  if (word & MapNotify::kIdentityPresent) {
    if (auto status = decode_identity(reader, out.identity.emplace()); !status.ok()) return status;
  }
  out.ms_rtr_auth.reset();
  if (word & MapNotify::kMsRtrAuthPresent) {
    auto& ms_rtr = out.ms_rtr_auth.emplace();
    uint16_t length = 0;
    std::span<const uint8_t> data;
    if (!reader.read_u16(ms_rtr.key_id) || !reader.read_u16(length) ||
        !reader.read_span(length, data)) {
      return decode_error("truncated MS-RTR authentication", reader.position());
    }
    ms_rtr.data.assign(data.begin(), data.end());
  }
  if (!reader.empty()) return decode_error("trailing bytes after Map-Notify", reader.position());
  return absl::OkStatus();
}

absl::Status validate(const MapNotify& message) {
  if (message.reserved_bits & MapNotify::kDerivedBits) {
    return absl::InvalidArgumentError("Map-Notify reserved_bits overlap defined fields");
  }
  if (message.ms_rtr_auth && message.ms_rtr_auth->data.size() > 0xffff) {
    return absl::InvalidArgumentError("MS-RTR authentication data too long");
  }
  return validate_registration_body(message.auth, message.records);
}

void encode(wire::Writer& writer, const MapNotify& message) {
  uint32_t word = (message.ack ? 5u : 4u) << 28 | message.reserved_bits;
  if (message.identity) word |= MapNotify::kIdentityPresent;
  if (message.ms_rtr_auth) word |= MapNotify::kMsRtrAuthPresent;
  encode_registration_body(writer, word, message.nonce, message.auth, message.records);
  if (message.identity) encode_identity(writer, *message.identity);
  if (message.ms_rtr_auth) {
    writer.write_u16(message.ms_rtr_auth->key_id);
    writer.write_u16(static_cast<uint16_t>(message.ms_rtr_auth->data.size()));
    writer.write_bytes(message.ms_rtr_auth->data);
  }
}

}  // namespace lispmob::lisp
