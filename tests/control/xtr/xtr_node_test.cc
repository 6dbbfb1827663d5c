// lispctl's MN/xTR commands (answer_xtr) over the plane contract: the
// control roles write a fake data plane, and what lispctl shows comes from
// it, with no DPDK and no sockets.
#include "control/xtr/xtr_node.h"
#include "control/xtr/xtr_commands.h"

#include <gtest/gtest.h>

#include "control/xtr/xtr_control.h"
#include "tests/control/fake_dataplane.h"
#include "tools/lispd_config.h"

namespace lispmob::control {
namespace {

using testing::FakeDataplane;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

XtrConfig xtr_config() {
  auto config = config::parse_text(R"(
operating-mode = "xTR"
map-server { address = 192.0.2.2  key-type = 2  key = "site-key" }
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-address { address = 192.0.2.5  priority = 1  weight = 100 }
}
)",
                                   "xtr.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return tools::xtr_config_of(*config);
}

class XtrNodeTest : public ::testing::Test {
 protected:
  XtrNodeTest()
      : config_(xtr_config()),
        cache_(dataplane_),
        control_(
            config_.map_servers, config_.map_resolvers, config_.options, [] { return 42; },
            cache_) {
    EXPECT_TRUE(control_.resolver()
                    .install_static({0,
                                     *net::IpPrefix::parse("203.0.113.0/24"),
                                     dataplane::MapAction::kEncapsulate,
                                     {{ip("192.0.2.4"), 1, 100}}})
                    .ok());
  }
  std::string ask(const std::string& command) {
    return answer_xtr(command, dataplane_, state_, eid_mtu_, control_);
  }
  XtrConfig config_;
  FakeDataplane dataplane_;
  DataplaneMapCache cache_;
  XtrControl control_;
  dataplane::LocalState state_;
  EidPortMtu eid_mtu_;
};

TEST_F(XtrNodeTest, MapCacheShowsWhatTheRolesInstalled) {
  EXPECT_EQ(dataplane_.mapping_count(), 1u);
  const std::string out = ask("show map-cache");
  EXPECT_NE(out.find("203.0.113.0/24"), std::string::npos) << out;
  EXPECT_NE(out.find("static"), std::string::npos) << out;
  EXPECT_NE(out.find("192.0.2.4 (p1 w100)"), std::string::npos) << out;
}

TEST_F(XtrNodeTest, LearnedPathMtuShowsOnTheLocator) {
  control_.resolver().learn_path_mtu(ip("192.0.2.4"), 1400, TimePoint{});
  EXPECT_EQ(dataplane_.mappings().front().locators.front().path_mtu, 1400);
  const std::string out = ask("show map-cache");
  EXPECT_NE(out.find("192.0.2.4 (p1 w100 mtu 1400)"), std::string::npos) << out;
}

TEST_F(XtrNodeTest, LookupTakesTheLongestMatch) {
  EXPECT_NE(ask("lookup 203.0.113.77").find("203.0.113.0/24"), std::string::npos);
  EXPECT_EQ(ask("lookup 198.51.100.1"), "no map-cache entry for 198.51.100.1\n");
}

TEST_F(XtrNodeTest, CountersComeFromTheDataPlane) {
  dataplane_.counter_values.encapsulated = 1234;
  dataplane_.counter_values.icmp_too_big_sent = 7;
  const std::string out = ask("show counters");
  EXPECT_NE(out.find("encapsulated           1234\n"), std::string::npos) << out;
  EXPECT_NE(out.find("icmp_too_big_sent      7\n"), std::string::npos) << out;
  EXPECT_NE(out.find("map_cache_entries      1\n"), std::string::npos) << out;
}

TEST_F(XtrNodeTest, LocalShowsTheEidPortMtuAndWhy) {
  state_.has_rloc4 = true;
  state_.rloc4 = {192, 0, 2, 5};
  state_.egress_mtu4 = 1500;
  state_.next_hop_mac4 = {0x02, 0, 0, 0, 0, 0xaa};
  eid_mtu_ = choose_eid_port_mtu(config_, state_);
  const std::string out = ask("show local");
  EXPECT_NE(out.find("rloc       192.0.2.5\n"), std::string::npos) << out;
  EXPECT_NE(out.find("next hop 02:00:00:00:00:AA mtu 1500"), std::string::npos) << out;
  EXPECT_NE(out.find("eid-mtu    1464 (RLOC link 0 MTU 1500 less 36 for IPv4 encapsulation)"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace lispmob::control
