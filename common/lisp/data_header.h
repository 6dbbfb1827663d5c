// The LISP data-plane header, RFC 9300 §5.3 (P bit: RFC 9305 LISP-GPE;
// KK bits: RFC 8061). Header-only and allocation-free: the fast path uses it.
//
//  |N|L|E|V|I|P|K|K|            Nonce/Map-Version/GPE fields            |
//  |                 Instance ID/Locator-Status-Bits                     |
#pragma once

#include <cstddef>
#include <cstdint>

namespace lispmob::lisp {

inline constexpr size_t kDataHeaderSize = 8;

enum class DataHeaderStatus : uint8_t {
  kOk,
  kTruncated,
  kNonceAndMapVersion,  // RFC 9300 §5.3: N and V MUST NOT both be set
};

// LISP-GPE Next Protocol values (RFC 9305 §3) when the P bit is set.
enum class GpeNextProtocol : uint8_t { kIpv4 = 1, kIpv6 = 2, kEthernet = 3, kNsh = 4 };

struct DataHeader {
  static constexpr uint8_t kNoncePresent = 0x80;       // N
  static constexpr uint8_t kLsbEnabled = 0x40;         // L
  static constexpr uint8_t kEchoNonce = 0x20;          // E
  static constexpr uint8_t kMapVersion = 0x10;         // V
  static constexpr uint8_t kInstanceIdPresent = 0x08;  // I
  static constexpr uint8_t kNextProtocol = 0x04;       // P (LISP-GPE)
  static constexpr uint8_t kKeyIdMask = 0x03;          // KK

  uint8_t flags = 0;
  uint32_t first_word_low = 0;  // 24 bits: nonce, map-versions or GPE fields
  uint32_t second_word = 0;     // IID (24) + LSBs (8), or LSBs (32)

  bool has(uint8_t flag) const { return flags & flag; }
  uint32_t nonce() const { return first_word_low; }
  uint16_t source_map_version() const { return static_cast<uint16_t>(first_word_low >> 12); }
  uint16_t dest_map_version() const { return static_cast<uint16_t>(first_word_low & 0xfff); }
  uint8_t next_protocol() const { return static_cast<uint8_t>(first_word_low); }
  uint32_t instance_id() const { return second_word >> 8; }
  // The locator-status-bits: 8 with an instance-id, 32 without.
  uint32_t locator_status_bits() const {
    return has(kInstanceIdPresent) ? (second_word & 0xff) : second_word;
  }

  void set_nonce(uint32_t nonce) {
    flags = static_cast<uint8_t>((flags | kNoncePresent) & ~kMapVersion);
    first_word_low = nonce & 0xffffff;
  }
  void set_map_versions(uint16_t source, uint16_t dest) {
    flags = static_cast<uint8_t>((flags | kMapVersion) & ~kNoncePresent);
    first_word_low = static_cast<uint32_t>(source & 0xfff) << 12 | (dest & 0xfff);
  }
  void set_instance_id(uint32_t iid, uint8_t lsbs = 0) {
    flags |= kInstanceIdPresent;
    second_word = (iid & 0xffffff) << 8 | lsbs;
  }

  friend bool operator==(const DataHeader&, const DataHeader&) = default;
};

inline DataHeaderStatus decode_data_header(const uint8_t* data, size_t length, DataHeader& out) {
  if (length < kDataHeaderSize) return DataHeaderStatus::kTruncated;
  out.flags = data[0];
  out.first_word_low =
      static_cast<uint32_t>(data[1]) << 16 | static_cast<uint32_t>(data[2]) << 8 | data[3];
  out.second_word = static_cast<uint32_t>(data[4]) << 24 | static_cast<uint32_t>(data[5]) << 16 |
                    static_cast<uint32_t>(data[6]) << 8 | data[7];
  if (out.has(DataHeader::kNoncePresent) && out.has(DataHeader::kMapVersion)) {
    return DataHeaderStatus::kNonceAndMapVersion;
  }
  return DataHeaderStatus::kOk;
}

// Writes exactly kDataHeaderSize bytes at `out`.
inline void encode_data_header(const DataHeader& header, uint8_t* out) {
  out[0] = header.flags;
  out[1] = static_cast<uint8_t>(header.first_word_low >> 16);
  out[2] = static_cast<uint8_t>(header.first_word_low >> 8);
  out[3] = static_cast<uint8_t>(header.first_word_low);
  out[4] = static_cast<uint8_t>(header.second_word >> 24);
  out[5] = static_cast<uint8_t>(header.second_word >> 16);
  out[6] = static_cast<uint8_t>(header.second_word >> 8);
  out[7] = static_cast<uint8_t>(header.second_word);
}

}  // namespace lispmob::lisp
