// Golden-bytes checks shared by the message tests.
#pragma once

#include <gtest/gtest.h>

#include "common/lisp/message.h"
#include "tests/support/bytes.h"

namespace lispmob::lisp::golden {

// `bytes` decodes to `expected`, `expected` encodes to `bytes`, every
// truncation is refused, and every single-byte corruption either is refused
// or decodes to something that re-encodes to exactly the corrupted bytes.
inline void expect_message(const std::vector<uint8_t>& bytes, const Message& expected) {
  auto decoded = decode_message(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(*decoded == expected)
      << "decoded: " << summarize(*decoded) << "\nexpected: " << summarize(expected);
  auto encoded = encode_message(expected);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(testing::to_hex(*encoded), testing::to_hex(bytes));

  for (size_t length = 0; length < bytes.size(); ++length) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + length);
    EXPECT_FALSE(decode_message(cut).ok()) << "accepted a truncation to " << length << " bytes";
  }
  for (size_t at = 0; at < bytes.size(); ++at) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> corrupt = bytes;
      corrupt[at] ^= flip;
      auto message = decode_message(corrupt);
      if (!message.ok()) continue;
      auto again = encode_message(*message);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(testing::to_hex(*again), testing::to_hex(corrupt)) << "byte " << at;
    }
  }
}

}  // namespace lispmob::lisp::golden
