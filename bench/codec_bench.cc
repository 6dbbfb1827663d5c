// Decode and encode cost of the control messages the MN and MS handle most:
// Map-Request (as the ETR receives it), Map-Reply, Map-Register (with and
// without its HMAC).
#include <benchmark/benchmark.h>

#include "common/crypto/auth.h"
#include "common/lisp/message.h"
#include "tests/support/samples.h"

namespace {

using namespace lispmob;

const testing::Sample& sample(const std::string& name) {
  static const auto samples = testing::sample_messages();
  for (const auto& s : samples) {
    if (s.name == name) return s;
  }
  std::abort();
}

void BM_Decode(benchmark::State& state, const std::string& name) {
  const auto bytes = testing::encode_sample(sample(name));
  for (auto _ : state) {
    auto message = lisp::decode_message(bytes);
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

void BM_Encode(benchmark::State& state, const std::string& name) {
  const auto& message = sample(name).message;
  for (auto _ : state) {
    auto bytes = lisp::encode_message(message);
    benchmark::DoNotOptimize(bytes);
  }
}

void BM_EncodeAuthenticated(benchmark::State& state, const std::string& name) {
  const auto& message = sample(name).message;
  for (auto _ : state) {
    auto bytes = crypto::encode_authenticated(message, testing::kSampleKey);
    benchmark::DoNotOptimize(bytes);
  }
}

void BM_Verify(benchmark::State& state, const std::string& name) {
  const auto bytes = testing::encode_sample(sample(name));
  for (auto _ : state)
    benchmark::DoNotOptimize(crypto::verify_authentication(bytes, testing::kSampleKey));
}

BENCHMARK_CAPTURE(BM_Decode, map_request, std::string("map-request"));
BENCHMARK_CAPTURE(BM_Encode, map_request, std::string("map-request"));
BENCHMARK_CAPTURE(BM_Decode, ecm_map_request, std::string("ecm-ipv4-map-request"));
BENCHMARK_CAPTURE(BM_Encode, ecm_map_request, std::string("ecm-ipv4-map-request"));
BENCHMARK_CAPTURE(BM_Decode, map_reply, std::string("map-reply"));
BENCHMARK_CAPTURE(BM_Encode, map_reply, std::string("map-reply"));
BENCHMARK_CAPTURE(BM_Decode, map_register, std::string("map-register-sha1"));
BENCHMARK_CAPTURE(BM_Encode, map_register, std::string("map-register-sha1"));
BENCHMARK_CAPTURE(BM_EncodeAuthenticated, map_register_sha1, std::string("map-register-sha1"));
BENCHMARK_CAPTURE(BM_EncodeAuthenticated, map_register_sha256,
                  std::string("map-register-sha256-xtr-id"));
BENCHMARK_CAPTURE(BM_Verify, map_register_sha1, std::string("map-register-sha1"));
BENCHMARK_CAPTURE(BM_Verify, map_register_sha256, std::string("map-register-sha256-xtr-id"));

}  // namespace

BENCHMARK_MAIN();
