// What lispd derives from the config and the kernel's view for a
// multihomed node: its locators, the records it registers, and the data
// plane's local state (egress link per outer family, every link's RLOCs).
#include "control/xtr/kernel_view.h"

#include "tests/kni/rtnetlink_messages.h"
#include "tools/lispd_config.h"

#include <gtest/gtest.h>

namespace lispmob::control {
namespace {

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

XtrConfig multihomed_config() {
  auto config = config::parse_text(R"(
operating-mode = "MN"
dpdk {
  rloc-port = "net_af_packet0,iface=eth0"
  rloc-link { port = "net_af_packet1,iface=wlan0"  twin = "rloc1" }
}
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 50 }
  rloc-iface { interface = "rloc0"  ip_version = 6  priority = 3 }
  rloc-iface { interface = "rloc1"  ip_version = 4  priority = 2 }
}
)",
                                   "multi.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return tools::xtr_config_of(*config);
}

kni::Neighbour neighbour(int interface, const char* address, uint8_t last) {
  return {interface, ip(address), {0x02, 0, 0, 0, 0, last}, true};
}

// Link 0 (rloc0, ifindex 10) has IPv4 and IPv6, link 1 (rloc1, 11) IPv4;
// both gateways are resolved.
KernelView two_links() {
  KernelView view;
  view.addresses = {{"rloc0", ip("192.0.2.5")},
                    {"rloc0", ip("2001:db8:2::5")},
                    {"rloc1", ip("192.0.5.5")},
                    {"eth9", ip("10.0.0.1")}};
  view.twin_indices = {10, 11};
  const net::IpPrefix any4{ip("0.0.0.0"), 0}, any6{ip("::"), 0};
  view.defaults = {{254, any4, ip("192.0.2.1"), 10, std::nullopt, 100},
                   {254, any4, ip("192.0.5.1"), 11, std::nullopt, 200},
                   {254, any6, ip("2001:db8:2::1"), 10, std::nullopt, 1024}};
  view.neighbours = {neighbour(10, "192.0.2.1", 0xa1), neighbour(11, "192.0.5.1", 0xb1),
                     neighbour(10, "2001:db8:2::1", 0xa6)};
  return view;
}

const std::vector<dataplane::MacAddress> kLinkMacs = {{{0x02, 0, 0, 0, 0x10, 0}},
                                                      {{0x02, 0, 0, 0, 0x11, 0}}};
const dataplane::MacAddress kEidMac = {{0x02, 0, 0, 0, 0, 0x01}};

TEST(KernelView, LocatorsOfEveryLinkAreRegisteredTogether) {
  const auto config = multihomed_config();
  const auto locators = local_locators(config, two_links());
  ASSERT_EQ(locators.size(), 3u);
  EXPECT_EQ(locators[0], (LocalLocator{ip("192.0.2.5"), 1, 50, 0, 0}));
  EXPECT_EQ(locators[1], (LocalLocator{ip("2001:db8:2::5"), 3, 100, 0, 0}));
  EXPECT_EQ(locators[2], (LocalLocator{ip("192.0.5.5"), 2, 100, 1, 0}));
  const auto records = records_to_register(config, locators);
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].locators.size(), 3u);
  EXPECT_EQ(records[0].locators[2].address, lisp::Address(ip("192.0.5.5")));
  EXPECT_EQ(records[0].locators[2].priority, 2);
  EXPECT_TRUE(records[0].locators[2].local());
  EXPECT_EQ(records[0].locators[0].weight, 50);
}

// A link whose port's interface is down (or lost its carrier) takes its
// RLOCs with it until it is back; the other link's stay.
TEST(KernelView, ALinkThatIsDownHasNoLocators) {
  const auto config = multihomed_config();
  auto view = two_links();
  view.links_down = {true, false};
  const auto locators = local_locators(config, view);
  ASSERT_EQ(locators.size(), 1u);
  EXPECT_EQ(locators[0], (LocalLocator{ip("192.0.5.5"), 2, 100, 1, 0}));
  const auto state = build_local_state(config, kLinkMacs, kEidMac, view, locators);
  EXPECT_EQ(state.egress_link4, 1) << "the egress moves to the link that is up";
  EXPECT_FALSE(state.has_rloc6);
  view.links_down = {false, false};
  EXPECT_EQ(local_locators(config, view).size(), 3u);
}

// A Proxy-ETR names no EID: its RLOCs are its twins' global addresses
// (not a link-local one, nor another interface's), registered nowhere, and
// its data plane decapsulates for any inner destination.
TEST(KernelView, AProxyEtrsLocatorsAreItsTwinsAddresses) {
  auto parsed = config::parse_text(R"(
operating-mode = "PETR"
dpdk {
  rloc-port = "net_af_packet0,iface=eth0"
  rloc-link { port = "net_af_packet1,iface=wlan0"  twin = "rloc1" }
}
)",
                                   "petr.conf");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto config = tools::xtr_config_of(*parsed);
  ASSERT_TRUE(config.proxy_etr);
  auto view = two_links();
  view.addresses.push_back({"rloc0", ip("fe80::1")});
  const auto locators = local_locators(config, view);
  ASSERT_EQ(locators.size(), 3u);
  EXPECT_EQ(locators[0], (LocalLocator{ip("192.0.2.5"), 1, 100, 0, kNoMapping}));
  EXPECT_EQ(locators[1], (LocalLocator{ip("2001:db8:2::5"), 1, 100, 0, kNoMapping}));
  EXPECT_EQ(locators[2], (LocalLocator{ip("192.0.5.5"), 1, 100, 1, kNoMapping}));
  EXPECT_TRUE(records_to_register(config, locators).empty());
  const auto state = build_local_state(config, kLinkMacs, kEidMac, view, locators);
  EXPECT_TRUE(state.decapsulate_any);
  EXPECT_EQ(state.local_eid_count, 0u);
  EXPECT_TRUE(state.links[1].has_rloc4);
  EXPECT_FALSE(build_local_state(multihomed_config(), kLinkMacs, kEidMac, view,
                                 local_locators(multihomed_config(), view))
                   .decapsulate_any);
}

// A site gateway's LAN twin (lan0, ifindex 20): its addresses are the
// gateway's, its resolved neighbours the hosts' adjacencies (not the RLOC
// links' neighbours, not a link-local address, not an unresolved entry).
TEST(KernelView, ASiteGatewaysHostsAreItsLanTwinsNeighbours) {
  auto parsed = config::parse_text(R"(
operating-mode = "xTR"
dpdk {
  rloc-port = "net_af_packet0,iface=eth0"
  lan-port = "net_af_packet1,iface=eth1"
  lan-twin = "lan0"
}
database-mapping {
  eid-prefix = 10.1.0.0/24
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 100 }
}
)",
                                   "gateway.conf");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto config = tools::xtr_config_of(*parsed);
  ASSERT_TRUE(config.has_lan());
  EXPECT_EQ(config.lan_twin, "lan0");
  auto view = two_links();
  view.lan_twin_index = 20;
  view.addresses.push_back({"lan0", ip("10.1.0.1")});
  view.neighbours.push_back(neighbour(20, "10.1.0.5", 0x55));
  view.neighbours.push_back(neighbour(20, "2001:db8:a::6", 0x66));
  view.neighbours.push_back(neighbour(20, "fe80::6", 0x66));
  auto unresolved = neighbour(20, "10.1.0.7", 0x77);
  unresolved.usable = false;
  view.neighbours.push_back(unresolved);
  const dataplane::MacAddress lan_mac = {{0x02, 0, 0, 0, 0x20, 0}};
  const auto state =
      build_local_state(config, kLinkMacs, lan_mac, view, local_locators(config, view));
  EXPECT_TRUE(state.lan);
  EXPECT_EQ(state.lan_port_mac, lan_mac);
  ASSERT_EQ(state.lan_address_count, 1u);
  EXPECT_TRUE(state.is_lan_address(ip("10.1.0.1").bytes().data(), false));
  EXPECT_EQ(state.adjacencies.size(), 2u);
  const auto* host = state.adjacencies.find(ip("10.1.0.5").bytes().data(), false);
  ASSERT_NE(host, nullptr);
  EXPECT_EQ((*host)[5], 0x55);
  EXPECT_NE(state.adjacencies.find(ip("2001:db8:a::6").bytes().data(), true), nullptr);
  EXPECT_EQ(state.adjacencies.find(ip("10.1.0.7").bytes().data(), false), nullptr);
  EXPECT_EQ(state.adjacencies.find(ip("192.0.2.1").bytes().data(), false), nullptr);
  // Its EID port is the LAN's: no MTU of lmn0's to follow.
  EXPECT_EQ(choose_eid_port_mtu(config, state).mtu, 0u);
}

// lan-port belongs to an xTR: elsewhere it is warned about, not used.
TEST(KernelView, OnlyAnXtrHasALan) {
  auto parsed = config::parse_text(R"(
operating-mode = "MN"
dpdk {
  rloc-port = "net_af_packet0,iface=eth0"
  lan-port = "net_af_packet1,iface=eth1"
}
)",
                                   "mn.conf");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(tools::xtr_config_of(*parsed).has_lan());
  const auto unused = config::unused_keys(*parsed);
  ASSERT_EQ(unused.size(), 1u);
  EXPECT_EQ(unused[0], "mn.conf: lan-port: only an xTR has a LAN port (its EID side)");
}

TEST(KernelView, APortInterfaceDownOrWithoutCarrierMarksItsLinkDown) {
  using kni::netlink_test::datagram;
  using kni::netlink_test::link;
  kni::KernelState kernel;
  const auto config = multihomed_config();
  const unsigned running = IFF_UP | IFF_RUNNING;
  ASSERT_TRUE(kernel.apply(datagram({link(RTM_NEWLINK, 10, running).name("rloc0"),
                                     link(RTM_NEWLINK, 11, running).name("rloc1"),
                                     link(RTM_NEWLINK, 20, running).name("eth0"),
                                     link(RTM_NEWLINK, 21, IFF_UP).name("wlan0")})));  // no carrier
  EXPECT_EQ(view_of(kernel, config.rloc_links).links_down, (std::vector<bool>{false, true}));
  // ip link set eth0 down; wlan0's carrier comes.
  ASSERT_TRUE(kernel.apply(datagram(
      {link(RTM_NEWLINK, 20, 0).name("eth0"), link(RTM_NEWLINK, 21, running).name("wlan0")})));
  EXPECT_EQ(view_of(kernel, config.rloc_links).links_down, (std::vector<bool>{true, false}));
}

TEST(KernelView, EgressIsTheBestPriorityLinkWithANextHop) {
  const auto config = multihomed_config();
  const auto view = two_links();
  const auto state =
      build_local_state(config, kLinkMacs, kEidMac, view, local_locators(config, view));
  EXPECT_EQ(state.egress_link4, 0);
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4)), ip("192.0.2.5"));
  EXPECT_EQ(state.next_hop_mac4[5], 0xa1);
  EXPECT_EQ(state.rloc_port_mac4[4], 0x10);
  EXPECT_EQ(state.egress_link6, 0);
  EXPECT_EQ(state.next_hop_mac6[5], 0xa6);
  // LISP data to either link's RLOC is ours.
  EXPECT_EQ(state.link_count, 2u);
  EXPECT_TRUE(state.is_local_rloc4(ip("192.0.5.5").bytes().data()));
  EXPECT_TRUE(state.is_local_rloc4(ip("192.0.2.5").bytes().data()));
  EXPECT_FALSE(state.is_local_rloc4(ip("10.0.0.1").bytes().data()));
}

TEST(KernelView, UnresolvedNextHopOrLostAddressMovesTheEgress) {
  const auto config = multihomed_config();
  auto view = two_links();
  view.neighbours[0].usable = false;  // link 0's gateway stopped answering ARP
  auto state = build_local_state(config, kLinkMacs, kEidMac, view, local_locators(config, view));
  EXPECT_EQ(state.egress_link4, 1) << "a resolved next hop beats a better priority";
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4)), ip("192.0.5.5"));
  EXPECT_EQ(state.next_hop_mac4[5], 0xb1);
  EXPECT_EQ(state.rloc_port_mac4[4], 0x11);

  view = two_links();
  view.addresses.erase(view.addresses.begin());  // link 0's IPv4 address is gone
  const auto locators = local_locators(config, view);
  EXPECT_EQ(locators.size(), 2u);
  state = build_local_state(config, kLinkMacs, kEidMac, view, locators);
  EXPECT_EQ(state.egress_link4, 1);
  EXPECT_EQ(state.egress_link6, 0) << "IPv6 still leaves by link 0";
}

TEST(KernelView, NextHopCandidatesStartWithTheLinksGateway) {
  const auto config = multihomed_config();
  const auto view = two_links();
  EXPECT_EQ(next_hop_candidates(config, view, 1, net::IpFamily::kIpv4).front(), ip("192.0.5.1"));
  EXPECT_EQ(next_hop_candidates(config, view, 0, net::IpFamily::kIpv6).front(),
            ip("2001:db8:2::1"));
  EXPECT_TRUE(next_hop_candidates(config, view, 1, net::IpFamily::kIpv6).empty());
}

}  // namespace
}  // namespace lispmob::control

namespace lispmob::control {
namespace {

XtrConfig mtu_config(const char* extra) {
  auto config = config::parse_text(std::string(R"(
operating-mode = "MN"
dpdk { rloc-port = "net_af_packet0,iface=eth0" }
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-iface { interface = "rloc0"  ip_version = 4 }
}
)") + extra,
                                   "mtu.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return tools::xtr_config_of(*config);
}

dataplane::LocalState egress(bool v4, uint16_t mtu4, bool v6, uint16_t mtu6) {
  dataplane::LocalState state;
  state.has_rloc4 = v4;
  state.egress_mtu4 = mtu4;
  state.has_rloc6 = v6;
  state.egress_mtu6 = mtu6;
  return state;
}

TEST(EidPortMtu, LinkMtuLessTheIpv4Encapsulation) {
  const auto chosen = choose_eid_port_mtu(mtu_config(""), egress(true, 1500, false, 0));
  EXPECT_EQ(chosen.mtu, 1464u);
  EXPECT_EQ(chosen.reason, "RLOC link 0 MTU 1500 less 36 for IPv4 encapsulation");
}

TEST(EidPortMtu, BothFamiliesTakeTheSmaller) {
  EXPECT_EQ(choose_eid_port_mtu(mtu_config(""), egress(true, 1500, true, 1500)).mtu, 1444u);
  EXPECT_EQ(choose_eid_port_mtu(mtu_config(""), egress(true, 1400, true, 1500)).mtu, 1364u);
}

TEST(EidPortMtu, ConfigOverridesIt) {
  const auto chosen =
      choose_eid_port_mtu(mtu_config("tap-mtu = 1300\n"), egress(true, 1500, false, 0));
  EXPECT_EQ(chosen.mtu, 1300u);
  EXPECT_EQ(chosen.reason, "tap-mtu in the config");
}

TEST(EidPortMtu, NothingKnownChangesNothing) {
  EXPECT_EQ(choose_eid_port_mtu(mtu_config(""), egress(false, 0, false, 0)).mtu, 0u);
  EXPECT_EQ(choose_eid_port_mtu(mtu_config(""), egress(true, 0, false, 0)).mtu, 0u);
}

TEST(EidPortMtu, NeverBelowTheIpv6MinimumWithAnIpv6Eid) {
  auto config = mtu_config(
      "database-mapping {\n  eid-prefix = 2001:db8:3::10/128\n"
      "  rloc-iface { interface = \"rloc0\"  ip_version = 6 }\n}\n");
  EXPECT_EQ(choose_eid_port_mtu(config, egress(false, 0, true, 1300)).mtu, 1280u);
}

TEST(EidPortMtu, EgressLinkMtuReachesTheLocalState) {
  const auto config = multihomed_config();
  auto view = two_links();
  view.link_mtus = {1500, 1400};
  const auto state =
      build_local_state(config, kLinkMacs, kEidMac, view, local_locators(config, view));
  EXPECT_EQ(state.egress_link4, 0);
  EXPECT_EQ(state.egress_mtu4, 1500);
  EXPECT_EQ(state.egress_mtu6, 1500);
}

}  // namespace
}  // namespace lispmob::control
