#include "common/lisp/message.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/wire/errors.h"

namespace lispmob::lisp {

using wire::decode_error;

namespace {

constexpr uint32_t kEcmFlags =
    EncapsulatedControlMessage::kSecurity | EncapsulatedControlMessage::kFromDdt |
    EncapsulatedControlMessage::kToEtr | EncapsulatedControlMessage::kToMapServer;

absl::Status decode_any(std::span<const uint8_t> bytes, Message& out, bool inside_ecm);

absl::Status decode_ecm(std::span<const uint8_t> bytes, EncapsulatedControlMessage& out) {
  wire::Reader reader(bytes);
  uint32_t word = 0;
  if (!reader.read_u32(word)) return decode_error("truncated ECM header", 0);
  out.security = word & EncapsulatedControlMessage::kSecurity;
  out.from_ddt = word & EncapsulatedControlMessage::kFromDdt;
  out.to_etr = word & EncapsulatedControlMessage::kToEtr;
  out.to_map_server = word & EncapsulatedControlMessage::kToMapServer;
  out.reserved_bits = word & ~(kEcmFlags | EncapsulatedControlMessage::kDerivedBits);
  net::UdpDatagramView inner;
  if (auto status = net::decode_ip_udp(reader, inner); !status.ok()) {
    return decode_error(absl::StrCat("ECM inner header: ", status.message()), 4);
  }
  out.inner_ip = std::move(inner.ip);
  out.inner_udp = inner.udp;
  if (auto status = decode_any(inner.payload, *out.inner, true); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("ECM inner message: ", status.message()));
  }
  return absl::OkStatus();
}

template <class T, class Decode>
absl::Status decode_into(std::span<const uint8_t> bytes, Message& out, Decode decode) {
  T message;
  if (auto status = decode(bytes, message); !status.ok()) return status;
  out.value = std::move(message);
  return absl::OkStatus();
}

absl::Status decode_any(std::span<const uint8_t> bytes, Message& out, bool inside_ecm) {
  if (bytes.empty()) return decode_error("empty message", 0);
  switch (static_cast<MessageType>(bytes[0] >> 4)) {
    case MessageType::kMapRequest:
      return decode_into<MapRequest>(bytes, out, decode_map_request);
    case MessageType::kMapReply:
      return decode_into<MapReply>(bytes, out, decode_map_reply);
    case MessageType::kMapRegister:
      return decode_into<MapRegister>(bytes, out, decode_map_register);
    case MessageType::kMapNotify:
    case MessageType::kMapNotifyAck:
      return decode_into<MapNotify>(bytes, out, decode_map_notify);
    case MessageType::kMapReferral:
      return decode_into<MapReferral>(bytes, out, decode_map_referral);
    case MessageType::kInfo:
      return decode_into<InfoMessage>(bytes, out, decode_info);
    case MessageType::kEncapsulatedControl:
      if (inside_ecm) return decode_error("ECM inside ECM", 0);
      return decode_into<EncapsulatedControlMessage>(bytes, out, decode_ecm);
  }
  return decode_error(absl::StrCat("unknown LISP message type ", bytes[0] >> 4), 0);
}

absl::Status validate_any(const Message& message, bool inside_ecm);

absl::Status validate(const EncapsulatedControlMessage& ecm) {
  if (ecm.reserved_bits & (kEcmFlags | EncapsulatedControlMessage::kDerivedBits)) {
    return absl::InvalidArgumentError("ECM reserved_bits overlap defined fields");
  }
  return validate_any(*ecm.inner, true);
}

absl::Status validate_any(const Message& message, bool inside_ecm) {
  if (inside_ecm && message.type() == MessageType::kEncapsulatedControl) {
    return absl::InvalidArgumentError("ECM inside ECM");
  }
  return std::visit([](const auto& m) { return validate(m); }, message.value);
}

void encode_any(wire::Writer& writer, const Message& message);

void encode(wire::Writer& writer, const EncapsulatedControlMessage& ecm) {
  uint32_t word = 8u << 28 | ecm.reserved_bits;
  if (ecm.security) word |= EncapsulatedControlMessage::kSecurity;
  if (ecm.from_ddt) word |= EncapsulatedControlMessage::kFromDdt;
  if (ecm.to_etr) word |= EncapsulatedControlMessage::kToEtr;
  if (ecm.to_map_server) word |= EncapsulatedControlMessage::kToMapServer;
  writer.write_u32(word);
  std::vector<uint8_t> inner;
  wire::Writer inner_writer(inner);
  encode_any(inner_writer, *ecm.inner);
  net::encode_ip_udp(writer, ecm.inner_ip, ecm.inner_udp, inner);
}

void encode_any(wire::Writer& writer, const Message& message) {
  std::visit([&writer](const auto& m) { encode(writer, m); }, message.value);
}

std::string nonce_text(uint64_t nonce) { return absl::StrFormat("nonce 0x%016x", nonce); }

std::string records_text(const std::vector<MappingRecord>& records) {
  std::string text;
  for (const auto& record : records) absl::StrAppend(&text, " [", to_string(record), "]");
  return text;
}

struct Summarizer {
  std::string operator()(const MapRequest& m) const {
    std::string text = "Map-Request";
    if (m.probe) text += " probe";
    if (m.smr) text += " smr";
    if (m.smr_invoked) text += " smr-invoked";
    if (m.pitr) text += " pitr";
    absl::StrAppend(&text, " ", nonce_text(m.nonce), " src-eid ", m.source_eid.to_string());
    for (const auto& rloc : m.itr_rlocs) absl::StrAppend(&text, " itr-rloc ", rloc.to_string());
    for (const auto& r : m.records)
      absl::StrAppend(&text, " eid ", prefix_to_string(r.eid, r.eid_mask_len));
    if (m.map_data) absl::StrAppend(&text, " map-data [", to_string(*m.map_data), "]");
    return text;
  }
  std::string operator()(const MapReply& m) const {
    return absl::StrCat("Map-Reply", m.probe ? " probe" : "", " ", nonce_text(m.nonce),
                        records_text(m.records));
  }
  std::string operator()(const MapRegister& m) const {
    return absl::StrCat("Map-Register", m.want_map_notify ? " want-map-notify" : "",
                        m.proxy_reply ? " proxy-reply" : "", " ", nonce_text(m.nonce), " key-id ",
                        m.auth.key_id, " alg ", m.auth.algorithm_id, records_text(m.records));
  }
  std::string operator()(const MapNotify& m) const {
    return absl::StrCat(m.ack ? "Map-Notify-Ack " : "Map-Notify ", nonce_text(m.nonce), " key-id ",
                        m.auth.key_id, " alg ", m.auth.algorithm_id, records_text(m.records));
  }
  std::string operator()(const MapReferral& m) const {
    std::string text = absl::StrCat("Map-Referral ", nonce_text(m.nonce));
    for (const auto& r : m.records) absl::StrAppend(&text, " [", to_string(r.record), "]");
    return text;
  }
  std::string operator()(const InfoMessage& m) const {
    return absl::StrCat(m.reply ? "Info-Reply " : "Info-Request ", nonce_text(m.nonce), " eid ",
                        prefix_to_string(m.eid, m.eid_mask_len), m.reply ? " " : "",
                        m.reply ? m.payload.to_string() : "");
  }
  std::string operator()(const EncapsulatedControlMessage& m) const {
    return absl::StrCat("ECM ", net::source_of(m.inner_ip).to_string(), ".",
                        m.inner_udp.source_port, " > ", net::destination_of(m.inner_ip).to_string(),
                        ".", m.inner_udp.destination_port, ": ", summarize(*m.inner));
  }
};

}  // namespace

MessageType Message::type() const {
  static constexpr MessageType kTypes[] = {
      MessageType::kMapRequest,         MessageType::kMapReply,    MessageType::kMapRegister,
      MessageType::kMapNotify,          MessageType::kMapReferral, MessageType::kInfo,
      MessageType::kEncapsulatedControl};
  if (const auto* notify = std::get_if<MapNotify>(&value); notify && notify->ack) {
    return MessageType::kMapNotifyAck;
  }
  return kTypes[value.index()];
}

absl::StatusOr<Message> decode_message(std::span<const uint8_t> bytes) {
  Message message;
  if (auto status = decode_any(bytes, message, false); !status.ok()) return status;
  return message;
}

absl::StatusOr<std::vector<uint8_t>> encode_message(const Message& message) {
  if (auto status = validate_any(message, false); !status.ok()) return status;
  std::vector<uint8_t> bytes;
  wire::Writer writer(bytes);
  encode_any(writer, message);
  return bytes;
}

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kMapRequest:
      return "Map-Request";
    case MessageType::kMapReply:
      return "Map-Reply";
    case MessageType::kMapRegister:
      return "Map-Register";
    case MessageType::kMapNotify:
      return "Map-Notify";
    case MessageType::kMapNotifyAck:
      return "Map-Notify-Ack";
    case MessageType::kMapReferral:
      return "Map-Referral";
    case MessageType::kInfo:
      return "Info";
    case MessageType::kEncapsulatedControl:
      return "Encapsulated-Control-Message";
  }
  return "unknown";
}

std::string summarize(const Message& message) { return std::visit(Summarizer{}, message.value); }

}  // namespace lispmob::lisp
