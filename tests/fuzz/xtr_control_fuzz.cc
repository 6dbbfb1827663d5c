// libFuzzer target: the MN/xTR control plane's handling of any received
// message (Map-Replies against outstanding requests, Map-Requests for our
// EIDs, SMRs, ECMs, Map-Notifies) over a few steps of time. Nonces come from
// a counter, so the corpus can hold a Map-Reply that matches the request
// made at start (nonce 1) and reach the install path.
#include "common/config/config.h"
#include "control/xtr/xtr_control.h"
#include "tools/lispd_config.h"

namespace {

using namespace lispmob;

class NullMapCache : public control::MapCacheWriter {
 public:
  absl::Status upsert(const dataplane::Mapping& mapping) override {
    return mapping.locators.size() <= dataplane::kMaxLocators
               ? absl::OkStatus()
               : absl::InvalidArgumentError("too many locators");
  }
  absl::Status erase(uint32_t, const net::IpPrefix&) override { return absl::OkStatus(); }
  std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() override { return {}; }
};

control::XtrConfig node_config() {
  auto config = config::parse_text(R"(
operating-mode = "xTR"
map-server { address = 192.0.2.2  key-type = 1  key = "password" }
database-mapping {
  eid-prefix = 198.51.100.0/24
  rloc-address { address = 192.0.2.3 }
}
database-mapping {
  eid-prefix = 2001:db8:1::/64
  rloc-address { address = 192.0.2.3 }
}
)",
                                   "fuzz.conf");
  if (!config.ok()) __builtin_trap();
  return tools::xtr_config_of(*config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static NullMapCache cache;
  static uint64_t counter = 0;
  static control::TimePoint now{};
  static control::XtrControl* node = [] {
    static const auto config = node_config();
    auto* created = new control::XtrControl(
        config.map_servers, config.map_resolvers, {}, [] { return ++counter; }, cache);
    lisp::MappingRecord record;
    record.ttl_minutes = 10;
    record.eid_mask_len = 24;
    record.eid = *net::IpAddress::parse("198.51.100.0");
    lisp::Locator locator;
    locator.address = *net::IpAddress::parse("192.0.2.3");
    record.locators = {locator};
    created->set_local({record});
    created->miss(0, *net::IpAddress::parse("203.0.113.10"), now);  // nonce 1
    return created;
  }();
  now += std::chrono::seconds(1);
  const control::Endpoint source{*net::IpAddress::parse("192.0.2.4"), 4342};
  for (const auto& out : node->handle({data, size}, source, now)) {
    if (out.bytes.empty()) __builtin_trap();  // every answer must encode
  }
  for (const auto& out : node->poll(now)) {
    if (out.bytes.empty()) __builtin_trap();
  }
  return 0;
}
