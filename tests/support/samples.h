// One built example of every message lispmob encodes, for the tshark check
// and the benchmarks. Each is made through the public encoders.
#pragma once

#include <string>
#include <vector>

#include "common/lisp/message.h"

namespace lispmob::testing {

struct Sample {
  std::string name;
  lisp::Message message;
  bool authenticated = false;  // encode with crypto::encode_authenticated and kSampleKey
};

inline constexpr const char* kSampleKey = "password";

std::vector<Sample> sample_messages();

// The encoded bytes of a sample (signed if it is authenticated); aborts on error.
std::vector<uint8_t> encode_sample(const Sample& sample);

}  // namespace lispmob::testing
