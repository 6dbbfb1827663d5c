// libFuzzer target: decode_map_notify (accepted inputs must re-encode identically).
#include "common/lisp/message.h"
#include "tests/fuzz/oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  const std::span<const uint8_t> input(data, size);
  lisp::MapNotify message;
  if (!lisp::decode_map_notify(input, message).ok()) return 0;
  auto encoded = lisp::encode_message(message);
  if (!encoded.ok()) std::abort();
  fuzz::expect_same(input, *encoded);
  return 0;
}
