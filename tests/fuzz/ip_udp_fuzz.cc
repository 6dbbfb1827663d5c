// libFuzzer target: IPv4/IPv6 + UDP header decoding (ECM inner headers).
#include "common/net/headers.h"
#include "tests/fuzz/oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  const std::span<const uint8_t> input(data, size);
  wire::Reader reader(input);
  net::UdpDatagramView view;
  if (!net::decode_ip_udp(reader, view).ok()) return 0;
  std::vector<uint8_t> encoded;
  wire::Writer writer(encoded);
  net::encode_ip_udp(writer, view.ip, view.udp, view.payload);
  fuzz::expect_same(input, encoded);
  return 0;
}
