// libFuzzer target: decode_message, the dispatcher every received control
// packet goes through (ECM with inner IPv4/IPv6 + UDP included).
#include "common/crypto/auth.h"
#include "common/lisp/message.h"
#include "tests/fuzz/oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  const std::span<const uint8_t> input(data, size);
  (void)crypto::verify_authentication(input, "password");
  auto message = lisp::decode_message(input);
  if (!message.ok()) return 0;
  (void)lisp::summarize(*message);
  auto encoded = lisp::encode_message(*message);
  if (!encoded.ok()) std::abort();
  fuzz::expect_same(input, *encoded);
  return 0;
}
