// libFuzzer target: decode_address (AFI and LCAF, nested).
#include "common/lisp/address.h"
#include "tests/fuzz/oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  const std::span<const uint8_t> input(data, size);
  wire::Reader reader(input);
  lisp::Address address;
  if (!lisp::decode_address(reader, address).ok()) return 0;
  (void)address.to_string();
  std::vector<uint8_t> encoded;
  wire::Writer writer(encoded);
  lisp::encode_address(writer, address);
  fuzz::expect_same(input.first(reader.position()), encoded);
  return 0;
}
