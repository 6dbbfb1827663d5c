// libFuzzer target: the Map-Server's handling of any received message
// (registers, requests, ECMs) with sites configured, over a few steps of time.
#include "control/ms/map_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  static control::MapServer server(
      {control::Site{
           0, *net::IpPrefix::parse("203.0.113.0/24"), {{0, 1, "password"}}, true, false, false},
       control::Site{
           0, *net::IpPrefix::parse("2001:db8::/32"), {{0, 2, "password"}}, true, true, false}},
      {});
  static control::TimePoint now{};
  now += std::chrono::seconds(1);
  const control::Endpoint source{*net::IpAddress::parse("192.0.2.4"), 4342};
  for (const auto& out : server.handle({data, size}, source, now)) {
    if (out.bytes.empty()) __builtin_trap();  // every answer must encode
  }
  server.expire(now);
  return 0;
}
