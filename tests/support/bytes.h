// Test helpers: golden bytes written as hex, and the bundled captures.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace lispmob::testing {

// "10 40 01 01" -> {0x10, 0x40, 0x01, 0x01}; spaces and newlines are ignored.
inline std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> bytes;
  int high = -1;
  for (char c : text) {
    int nibble;
    if (c >= '0' && c <= '9') {
      nibble = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      nibble = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      nibble = c - 'A' + 10;
    } else {
      continue;
    }
    if (high < 0) {
      high = nibble;
    } else {
      bytes.push_back(static_cast<uint8_t>(high << 4 | nibble));
      high = -1;
    }
  }
  if (high >= 0) std::abort();  // odd number of digits: a typo in the test
  return bytes;
}

inline std::string to_hex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) text += ' ';
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0xf];
  }
  return text;
}

// The bundled captures: $LISPMOB_CAPTURES, else tests/data/captures
// in the source tree (meson passes the source root as LISPMOB_SOURCE_ROOT).
inline std::string captures_dir() {
  if (const char* dir = std::getenv("LISPMOB_CAPTURES")) return dir;
  const char* root = std::getenv("LISPMOB_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/captures";
}

}  // namespace lispmob::testing
