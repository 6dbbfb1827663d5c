#include "common/lisp/address.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/wire/errors.h"

namespace lispmob::lisp {
namespace {

using wire::decode_error;
using wire::Reader;
using wire::Writer;

// Reads AFI-encoded addresses until `reader` is exhausted.
absl::Status decode_address_list(Reader& reader, std::vector<Address>& out, int depth) {
  while (!reader.empty()) {
    Address address;
    if (auto status = decode_address(reader, address, depth); !status.ok()) return status;
    out.push_back(std::move(address));
  }
  return absl::OkStatus();
}

absl::Status decode_lcaf_body(Reader& body, LcafType type, uint8_t reserved2, Lcaf& out,
                              int depth) {
  switch (type) {
    case LcafType::kAfiList: {
      AfiListLcaf list;
      if (auto status = decode_address_list(body, list.addresses, depth); !status.ok()) {
        return status;
      }
      out.body = std::move(list);
      break;
    }
    case LcafType::kInstanceId: {
      InstanceIdLcaf iid;
      iid.mask_len = reserved2;
      if (!body.read_u32(iid.instance_id)) return decode_error("short Instance-ID LCAF", 0);
      if (auto status = decode_address(body, *iid.address, depth); !status.ok()) return status;
      out.body = std::move(iid);
      break;
    }
    case LcafType::kNatTraversal: {
      NatTraversalLcaf nat;
      if (!body.read_u16(nat.ms_udp_port) || !body.read_u16(nat.etr_udp_port)) {
        return decode_error("short NAT-traversal LCAF", 0);
      }
      for (Address* address : {&*nat.global_etr_rloc, &*nat.ms_rloc, &*nat.private_etr_rloc}) {
        if (auto status = decode_address(body, *address, depth); !status.ok()) return status;
      }
      if (auto status = decode_address_list(body, nat.rtr_rlocs, depth); !status.ok()) {
        return status;
      }
      out.body = std::move(nat);
      break;
    }
    case LcafType::kExplicitLocatorPath: {
      ElpLcaf elp;
      while (!body.empty()) {
        ElpHop hop;
        if (!body.read_u16(hop.flags)) return decode_error("short ELP hop", 0);
        if (auto status = decode_address(body, *hop.address, depth); !status.ok()) return status;
        elp.hops.push_back(std::move(hop));
      }
      out.body = std::move(elp);
      break;
    }
    case LcafType::kSourceDestKey: {
      SourceDestLcaf sd;
      if (!body.read_u16(sd.reserved) || !body.read_u8(sd.source_mask_len) ||
          !body.read_u8(sd.dest_mask_len)) {
        return decode_error("short Source/Dest LCAF", 0);
      }
      if (auto status = decode_address(body, *sd.source, depth); !status.ok()) return status;
      if (auto status = decode_address(body, *sd.dest, depth); !status.ok()) return status;
      out.body = std::move(sd);
      break;
    }
    default:
      return decode_error(absl::StrCat("unsupported LCAF type ", static_cast<int>(type)), 0);
  }
  if (type != LcafType::kInstanceId) out.reserved2 = reserved2;
  if (!body.empty()) return decode_error("LCAF length exceeds its body", 0);
  return absl::OkStatus();
}

absl::Status decode_lcaf(Reader& reader, Lcaf& out, int depth) {
  if (depth >= kMaxLcafDepth) return decode_error("LCAF nesting too deep", reader.position());
  uint8_t type = 0, reserved2 = 0;
  uint16_t length = 0;
  Reader body;
  const size_t start = reader.position();
  if (!reader.read_u8(out.reserved1) || !reader.read_u8(out.flags) || !reader.read_u8(type) ||
      !reader.read_u8(reserved2) || !reader.read_u16(length) || !reader.read_sub(length, body)) {
    return decode_error("truncated LCAF", start);
  }
  auto status = decode_lcaf_body(body, static_cast<LcafType>(type), reserved2, out, depth + 1);
  if (!status.ok()) {
    return decode_error(absl::StrCat(status.message(), " (in LCAF type ", type, ")"), start);
  }
  return absl::OkStatus();
}

void encode_lcaf_body(Writer& writer, const Lcaf& lcaf) {
  std::visit(
      [&writer](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, AfiListLcaf>) {
          for (const auto& address : body.addresses) encode_address(writer, address);
        } else if constexpr (std::is_same_v<T, InstanceIdLcaf>) {
          writer.write_u32(body.instance_id);
          encode_address(writer, *body.address);
        } else if constexpr (std::is_same_v<T, NatTraversalLcaf>) {
          writer.write_u16(body.ms_udp_port);
          writer.write_u16(body.etr_udp_port);
          encode_address(writer, *body.global_etr_rloc);
          encode_address(writer, *body.ms_rloc);
          encode_address(writer, *body.private_etr_rloc);
          for (const auto& address : body.rtr_rlocs) encode_address(writer, address);
        } else if constexpr (std::is_same_v<T, ElpLcaf>) {
          for (const auto& hop : body.hops) {
            writer.write_u16(hop.flags);
            encode_address(writer, *hop.address);
          }
        } else {
          static_assert(std::is_same_v<T, SourceDestLcaf>);
          writer.write_u16(body.reserved);
          writer.write_u8(body.source_mask_len);
          writer.write_u8(body.dest_mask_len);
          encode_address(writer, *body.source);
          encode_address(writer, *body.dest);
        }
      },
      lcaf.body);
}

}  // namespace

LcafType Lcaf::type() const {
  static constexpr LcafType kTypes[] = {LcafType::kAfiList, LcafType::kInstanceId,
                                        LcafType::kNatTraversal, LcafType::kExplicitLocatorPath,
                                        LcafType::kSourceDestKey};
  return kTypes[body.index()];
}

Afi Address::afi() const {
  switch (value.index()) {
    case 0:
      return Afi::kNone;
    case 1:
      return std::get<net::IpAddress>(value).is_v4() ? Afi::kIpv4 : Afi::kIpv6;
    case 2:
      return Afi::kDistinguishedName;
    default:
      return Afi::kLcaf;
  }
}

std::string Address::to_string() const {
  struct Printer {
    std::string operator()(const NoAddress&) const { return "(none)"; }
    std::string operator()(const net::IpAddress& ip) const { return ip.to_string(); }
    std::string operator()(const DistinguishedName& dn) const { return "'" + dn.name + "'"; }
    std::string operator()(const Lcaf& lcaf) const { return std::visit(*this, lcaf.body); }
    std::string operator()(const AfiListLcaf& list) const {
      std::string text = "(";
      for (size_t i = 0; i < list.addresses.size(); ++i) {
        absl::StrAppend(&text, i ? "," : "", list.addresses[i].to_string());
      }
      return text + ")";
    }
    std::string operator()(const InstanceIdLcaf& iid) const {
      return absl::StrCat("[", iid.instance_id, "]", iid.address->to_string());
    }
    std::string operator()(const NatTraversalLcaf& nat) const {
      std::string text =
          absl::StrCat("nat(ms-port ", nat.ms_udp_port, " etr-port ", nat.etr_udp_port, " global ",
                       nat.global_etr_rloc->to_string(), " ms ", nat.ms_rloc->to_string(),
                       " private ", nat.private_etr_rloc->to_string());
      for (const auto& rtr : nat.rtr_rlocs) absl::StrAppend(&text, " rtr ", rtr.to_string());
      return text + ")";
    }
    std::string operator()(const ElpLcaf& elp) const {
      std::string text = "elp(";
      for (size_t i = 0; i < elp.hops.size(); ++i) {
        absl::StrAppend(&text, i ? "->" : "", elp.hops[i].address->to_string());
      }
      return text + ")";
    }
    std::string operator()(const SourceDestLcaf& sd) const {
      return absl::StrCat("(", sd.source->to_string(), "/", sd.source_mask_len, ",",
                          sd.dest->to_string(), "/", sd.dest_mask_len, ")");
    }
  };
  return std::visit(Printer{}, value);
}

bool read_ip_address(Reader& reader, uint16_t afi, net::IpAddress& out) {
  if (afi == static_cast<uint16_t>(Afi::kIpv4)) {
    std::array<uint8_t, 4> bytes;
    if (!reader.read_bytes(bytes)) return false;
    out = net::IpAddress::v4(bytes);
    return true;
  }
  if (afi == static_cast<uint16_t>(Afi::kIpv6)) {
    std::array<uint8_t, 16> bytes;
    if (!reader.read_bytes(bytes)) return false;
    out = net::IpAddress::v6(bytes);
    return true;
  }
  return false;
}

absl::Status decode_address(Reader& reader, Address& out, int depth) {
  const size_t start = reader.position();
  uint16_t afi = 0;
  if (!reader.read_u16(afi)) return decode_error("truncated AFI", start);
  switch (static_cast<Afi>(afi)) {
    case Afi::kNone:
      out.value = NoAddress{};
      return absl::OkStatus();
    case Afi::kIpv4:
    case Afi::kIpv6: {
      net::IpAddress ip;
      if (!read_ip_address(reader, afi, ip)) {
        return decode_error(static_cast<Afi>(afi) == Afi::kIpv4 ? "truncated IPv4 address"
                                                                : "truncated IPv6 address",
                            start);
      }
      out.value = ip;
      return absl::OkStatus();
    }
    case Afi::kDistinguishedName: {
      std::string name;
      uint8_t byte = 0;
      while (reader.read_u8(byte) && byte != 0) name.push_back(static_cast<char>(byte));
      if (!reader.ok()) return decode_error("unterminated distinguished name", start);
      out.value = DistinguishedName{std::move(name)};
      return absl::OkStatus();
    }
    case Afi::kLcaf: {
      Lcaf lcaf;
      if (auto status = decode_lcaf(reader, lcaf, depth); !status.ok()) return status;
      out.value = std::move(lcaf);
      return absl::OkStatus();
    }
  }
  return decode_error(absl::StrCat("unsupported AFI ", afi), start);
}

void encode_address(Writer& writer, const Address& address) {
  writer.write_u16(static_cast<uint16_t>(address.afi()));
  if (const auto* ip = address.ip()) {
    writer.write_bytes(ip->bytes());
  } else if (const auto* dn = std::get_if<DistinguishedName>(&address.value)) {
    writer.write_bytes({reinterpret_cast<const uint8_t*>(dn->name.data()), dn->name.size()});
    writer.write_u8(0);
  } else if (const auto* lcaf = address.lcaf()) {
    writer.write_u8(lcaf->reserved1);
    writer.write_u8(lcaf->flags);
    writer.write_u8(static_cast<uint8_t>(lcaf->type()));
    const auto* iid = std::get_if<InstanceIdLcaf>(&lcaf->body);
    writer.write_u8(iid ? iid->mask_len : lcaf->reserved2);
    const size_t length_at = writer.reserve_u16();
    const size_t body_start = writer.position();
    encode_lcaf_body(writer, *lcaf);
    writer.patch_u16(length_at, static_cast<uint16_t>(writer.position() - body_start));
  }
}

size_t encoded_address_size(const Address& address) {
  std::vector<uint8_t> scratch;
  Writer writer(scratch);
  encode_address(writer, address);
  return scratch.size();
}

}  // namespace lispmob::lisp
