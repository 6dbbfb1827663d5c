// libFuzzer target: the LISP data header and data packet decoder.
#include "common/lisp/packet.h"
#include "tests/fuzz/oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  const std::span<const uint8_t> input(data, size);
  auto payload = lisp::decode_payload(lisp::LispPort::kData, input);
  if (!payload.ok()) return 0;
  (void)lisp::summarize(*payload);
  auto encoded = lisp::encode_payload(*payload);
  if (!encoded.ok()) std::abort();
  fuzz::expect_same(input, *encoded);
  return 0;
}
