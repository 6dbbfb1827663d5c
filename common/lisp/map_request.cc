#include "common/lisp/map_request.h"

#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

namespace {

constexpr uint32_t kKnownFlags = MapRequest::kAuthoritative | MapRequest::kProbe |
                                 MapRequest::kSmr | MapRequest::kPitr | MapRequest::kSmrInvoked |
                                 MapRequest::kLocalXtr | MapRequest::kDontMapReply;
constexpr unsigned kMaxItrRlocs = 32;  // IRC is 5 bits and counts from 0

}  // namespace

absl::Status decode_map_request(std::span<const uint8_t> bytes, MapRequest& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word) || !reader.read_u64(out.nonce)) {
    return decode_error("truncated Map-Request header", 0);
  }
  if (word >> 28 != 1) return decode_error("not a Map-Request", 0);
  out.authoritative = word & MapRequest::kAuthoritative;
  out.probe = word & MapRequest::kProbe;
  out.smr = word & MapRequest::kSmr;
  out.pitr = word & MapRequest::kPitr;
  out.smr_invoked = word & MapRequest::kSmrInvoked;
  out.local_xtr = word & MapRequest::kLocalXtr;
  out.dont_map_reply = word & MapRequest::kDontMapReply;
  out.reserved_bits = word & ~(kKnownFlags | MapRequest::kDerivedBits);
  const unsigned itr_rloc_count = ((word >> 8) & 0x1f) + 1;
  const unsigned record_count = word & 0xff;
  if (record_count == 0) return decode_error("Map-Request without records", 3);

  if (auto status = decode_address(reader, out.source_eid); !status.ok()) return status;
  if (auto status =
          decode_records(reader, itr_rloc_count, out.itr_rlocs,
                         [](wire::Reader& r, Address& a) { return decode_address(r, a); });
      !status.ok()) {
    return status;
  }
  if (auto status = decode_records(reader, record_count, out.records, decode_eid_record);
      !status.ok()) {
    return status;
  }
  out.map_data.reset();
  if (word & MapRequest::kMapDataPresent) {
    MappingRecord record;
    if (auto status = decode_mapping_record(reader, record); !status.ok()) return status;
    out.map_data = std::move(record);
  }
  if (!reader.empty()) return decode_error("trailing bytes after Map-Request", reader.position());
  return absl::OkStatus();
}

absl::Status validate(const MapRequest& request) {
  if (request.itr_rlocs.empty() || request.itr_rlocs.size() > kMaxItrRlocs) {
    return absl::InvalidArgumentError("Map-Request needs 1 to 32 ITR-RLOCs");
  }
  if (request.records.empty() || request.records.size() > 255) {
    return absl::InvalidArgumentError("Map-Request needs 1 to 255 records");
  }
  if (request.reserved_bits & (kKnownFlags | MapRequest::kDerivedBits)) {
    return absl::InvalidArgumentError("Map-Request reserved_bits overlap defined fields");
  }
  if (request.map_data) return validate_mapping_record(*request.map_data);
  return absl::OkStatus();
}

void encode(wire::Writer& writer, const MapRequest& request) {
  uint32_t word = 1u << 28 | request.reserved_bits;
  if (request.authoritative) word |= MapRequest::kAuthoritative;
  if (request.map_data) word |= MapRequest::kMapDataPresent;
  if (request.probe) word |= MapRequest::kProbe;
  if (request.smr) word |= MapRequest::kSmr;
  if (request.pitr) word |= MapRequest::kPitr;
  if (request.smr_invoked) word |= MapRequest::kSmrInvoked;
  if (request.local_xtr) word |= MapRequest::kLocalXtr;
  if (request.dont_map_reply) word |= MapRequest::kDontMapReply;
  word |= static_cast<uint32_t>((request.itr_rlocs.size() - 1) & 0x1f) << 8;
  word |= static_cast<uint32_t>(request.records.size() & 0xff);
  writer.write_u32(word);
  writer.write_u64(request.nonce);
  encode_address(writer, request.source_eid);
  for (const auto& rloc : request.itr_rlocs) encode_address(writer, rloc);
  for (const auto& record : request.records) encode_eid_record(writer, record);
  if (request.map_data) encode_mapping_record(writer, *request.map_data);
}

}  // namespace lispmob::lisp
