// What every decoder fuzz target checks besides "no crash, no sanitizer
// report": an accepted input re-encodes to exactly the bytes it came from.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

namespace lispmob::fuzz {

inline void expect_same(std::span<const uint8_t> input, const std::vector<uint8_t>& reencoded) {
  if (reencoded.size() != input.size() ||
      (!input.empty() && std::memcmp(reencoded.data(), input.data(), input.size()) != 0)) {
    std::fprintf(stderr, "re-encoding differs from the accepted input (%zu vs %zu bytes)\n",
                 input.size(), reencoded.size());
    std::abort();
  }
}

}  // namespace lispmob::fuzz
