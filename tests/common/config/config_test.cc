#include "common/config/config.h"

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"

#include <fstream>

namespace lispmob::config {
namespace {

std::string source_root() {
  const char* root = std::getenv("LISPMOB_SOURCE_ROOT");
  return root ? root : ".";
}

TEST(ConfigTest, ExampleFileLoads) {
  auto config = load_file(source_root() + "/lispmob.conf.example");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->mode, OperatingMode::kMobileNode);
  EXPECT_EQ(config->map_resolvers, std::vector<std::string>{"192.0.2.2"});
  ASSERT_EQ(config->map_servers.size(), 1u);
  EXPECT_EQ(config->map_servers[0].key, "password");
  EXPECT_EQ(config->map_servers[0].algorithm, 1);
  ASSERT_EQ(config->database_mappings.size(), 1u);
  const auto& mapping = config->database_mappings[0];
  EXPECT_EQ(mapping.eid_prefix.to_string(), "198.18.0.10/32");
  EXPECT_EQ(mapping.ttl_minutes, 10u);
  ASSERT_EQ(mapping.rloc_interfaces.size(), 1u);
  EXPECT_EQ(mapping.rloc_interfaces[0].interface, "rloc0");
  EXPECT_EQ(config->rloc_probing.interval_seconds, 30u);
  EXPECT_EQ(config->tap_iface, "lmn0");
  EXPECT_EQ(config->tap_mtu, 0u) << "derived from the RLOC link by default";
  EXPECT_EQ(config->dpdk.rloc_port, "net_af_packet0,iface=veth-rloc,framecnt=4096");
  EXPECT_TRUE(config->unsupported.empty());
}

TEST(ConfigTest, TapMtuOverridesTheDerivedOne) {
  auto config = parse_text("tap-mtu = 1300\n", "mtu.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tap_mtu, 1300u);
}

TEST(ConfigTest, MetricsListenTakesAPortOrAnAddressAndPort) {
  auto loopback = parse_text("metrics-listen = \"9142\"\n", "m.conf");
  ASSERT_TRUE(loopback.ok()) << loopback.status();
  ASSERT_TRUE(loopback->metrics_listen);
  EXPECT_EQ(loopback->metrics_listen->address.to_string(), "127.0.0.1");
  EXPECT_EQ(loopback->metrics_listen->port, 9142);
  EXPECT_FALSE(parse_text("debug = 1\n", "m.conf")->metrics_listen) << "off by default";
  auto v6 = parse_listen_address("[2001:db8::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address.to_string(), "2001:db8::1");
  EXPECT_EQ(parse_listen_address("192.0.2.1:9100")->port, 9100);
  for (const char* bad : {"0", "65536", "abc", "192.0.2.1:", "2001:db8::1:80", "[192.0.2.1]:80",
                          "[2001:db8::1]80", "-1", "+80", "host:80"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
  auto refused =
      parse_text("# metrics\ndebug = 0\nmetrics-listen = \"127.0.0.1:99999\"\n", "m.conf");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "m.conf:3: key 'metrics-listen': expected PORT (on 127.0.0.1), ADDRESS:PORT or "
            "[IPV6]:PORT, got '127.0.0.1:99999'");
}

TEST(ConfigTest, AMissingFileOrADirectoryIsSaidSo) {
  EXPECT_EQ(load_file("/nonexistent/lispd.conf").status().message(),
            "/nonexistent/lispd.conf: No such file or directory");
  EXPECT_EQ(load_file("/").status().message(), "/: is a directory, not a config file");
}

// An oor.conf as OOR's documentation writes one (xTR with OOR-only keys).
TEST(ConfigTest, MultihomedRlocLinks) {
  auto config = parse_text(R"(
dpdk {
  rloc-port = "net_af_packet0,iface=eth0"
  rloc-link { port = "net_af_packet1,iface=wlan0"  twin = "rloc1" }
}
)",
                           "multi.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  const auto links = config->dpdk.rloc_links();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0], (RlocLink{"net_af_packet0,iface=eth0", "rloc0"}));
  EXPECT_EQ(links[1], (RlocLink{"net_af_packet1,iface=wlan0", "rloc1"}));
}

TEST(ConfigTest, OorStyleXtr) {
  auto config = parse_text(R"(
debug = 1
map-request-retries = 3
operating-mode = "xTR"
ipv6-scope = "SITE"
map-resolver = { 192.0.2.2, mr.example.net }
map-server { address = 192.0.2.2  key-type = 1  key = "password"  proxy-reply = on }
proxy-etr-ipv4 { address = 192.0.2.20  priority = 1  weight = 100 }
proxy-etr-ipv6 { address = 2001:db8::20  priority = 2  weight = 50 }
rloc-probing { rloc-probe-interval = 30  rloc-probe-retries = 3  rloc-probe-retries-interval = 10 }
database-mapping {
  eid-prefix = 2001:db8:1::/48
  iid = 7
  ttl = 15
  rloc-address { address = 192.0.2.3  priority = 1  weight = 60 }
  rloc-address { address = 192.0.2.33  priority = 1  weight = 40  local = false }
  rloc-iface { interface = "eth1"  ip_version = 6  priority = 2  weight = 100 }
}
static-map-cache {
  eid-prefix = 10.0.0.0/8
  rloc-address { address = 192.0.2.9  priority = 1  weight = 100 }
}
)",
                           "oor.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->mode, OperatingMode::kXtr);
  EXPECT_EQ(config->debug, 1);
  EXPECT_TRUE(config->ipv6_site_scope);
  EXPECT_EQ(config->map_resolvers.size(), 2u);
  EXPECT_TRUE(config->map_servers[0].proxy_reply);
  ASSERT_EQ(config->proxy_etrs_ipv6.size(), 1u);
  EXPECT_EQ(config->proxy_etrs_ipv6[0].weight, 50);
  const auto& mapping = config->database_mappings.at(0);
  EXPECT_EQ(mapping.instance_id, 7u);
  ASSERT_EQ(mapping.rloc_addresses.size(), 2u);
  EXPECT_FALSE(mapping.rloc_addresses[1].local);
  EXPECT_EQ(mapping.rloc_interfaces.at(0).family, net::IpFamily::kIpv6);
  EXPECT_EQ(config->static_map_cache.at(0).rlocs.at(0).address.to_string(), "192.0.2.9");
  EXPECT_EQ(config->rloc_probing.retries, 3u);
}

// LISPmob 0.4's lispd.conf forms.
TEST(ConfigTest, Lispmob04Forms) {
  auto config = parse_text(R"(
router-mode = off
map-resolver = { 192.0.2.2 }
map-server { address = 192.0.2.2  key-type = 1  key = "k" }
proxy-etr { address = 192.0.2.20  priority = 1  weight = 100 }
database-mapping {
  eid-prefix = 198.18.0.10/32
  interface = "wlan0"
  priority_v4 = 1
  weight_v4 = 100
  priority_v6 = -1
}
static-map-cache { eid-prefix = 10.0.0.0/8  rloc = 192.0.2.9  priority = 1  weight = 100 }
)",
                           "lispd.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->mode, OperatingMode::kMobileNode);
  ASSERT_EQ(config->database_mappings.at(0).rloc_interfaces.size(), 1u) << "v6 disabled by -1";
  // No dpdk section: wlan0 is the RLOC port, and the mapping names its twin.
  EXPECT_EQ(config->database_mappings.at(0).rloc_interfaces[0].interface, "rloc0");
  EXPECT_EQ(config->dpdk.rloc_port, "net_af_packet0,iface=wlan0");
  EXPECT_EQ(config->dpdk.rloc_twin, "rloc0");
  EXPECT_NE(config->derived_rloc_links.find("wlan0 as RLOC port net_af_packet0,iface=wlan0 with "
                                            "kernel twin rloc0"),
            std::string::npos)
      << config->derived_rloc_links;
  ASSERT_EQ(config->proxy_etrs_ipv4.size(), 1u);
  EXPECT_EQ(config->static_map_cache.at(0).rlocs.at(0).address.to_string(), "192.0.2.9");
}

// A file that names twins (rloc0, as lispmob's own files do) but no RLOC
// port is not a LISPmob/OOR file: nothing is derived, and it cannot start.
TEST(ConfigTest, TwinNamesWithoutAPortAreNotDerived) {
  auto config = parse_text(R"(
operating-mode = "MN"
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-iface { interface = "rloc0"  ip_version = 4 }
}
)",
                           "mn.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->dpdk.rloc_port, "");
  EXPECT_EQ(config->database_mappings.at(0).rloc_interfaces[0].interface, "rloc0");
  EXPECT_EQ(start_problem(*config),
            "mn.conf: operating-mode MN needs an RLOC port: the dpdk section's rloc-port, or a "
            "database-mapping rloc-iface to derive it from");
  EXPECT_EQ(start_problem(*parse_text("operating-mode = \"MS\"\n", "ms.conf")), "");
}

TEST(ConfigTest, MapServerSites) {
  auto config = parse_text(R"(
operating-mode = "MS"
lisp-site { eid-prefix = 203.0.113.0/24  key-type = 2  key-id = 3  key = "k2"  accept-more-specifics = on }
ms-static-registered-site { eid-prefix = 192.0.2.128/25  rloc-address { address = 192.0.2.9 } }
)",
                           "ms.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->mode, OperatingMode::kMapServer);
  const auto& site = config->lisp_sites.at(0);
  EXPECT_EQ(site.algorithm, 2);
  EXPECT_EQ(site.key_id, 3);
  EXPECT_TRUE(site.accept_more_specifics);
  EXPECT_EQ(config->ms_static_registered_sites.at(0).rlocs.at(0).weight, 100);
}

TEST(ConfigTest, CompatSectionsLoadAndAreReported) {
  auto config = parse_text(R"(
explicit-locator-path { elp-name = "elp1"  elp-node { address = 192.0.2.1  strict = on } }
nat_traversal_support = on
)",
                           "compat.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->unsupported.size(), 2u);
  EXPECT_EQ(config->unsupported[0], "section 'explicit-locator-path'");
}

// Keys that parse but that no part of lispd uses in the file's mode are
// named at start, with why.
TEST(ConfigTest, KeysNoPartUsesAreNamed) {
  auto xtr = parse_text(R"(
operating-mode = "xTR"
map-server { address = ms.example.net  key-type = 1  key = "k" }
map-server { address = 192.0.2.2  key-type = 1  key = "k" }
proxy-itrs = 192.0.2.9
site-id = 3
lisp-site { eid-prefix = 10.0.0.0/8  key-type = 1  key = "k" }
)",
                        "xtr.conf");
  ASSERT_TRUE(xtr.ok()) << xtr.status();
  const auto unused = unused_keys(*xtr);
  // proxy-itrs and a Map-Server's host name are used by an xTR.
  ASSERT_EQ(unused.size(), 2u) << absl::StrJoin(unused, "; ");
  EXPECT_EQ(unused[0], "xtr.conf: lisp-site: only a Map-Server uses it");
  EXPECT_EQ(unused[1], "xtr.conf: site-id: sent only with an xtr-id (the I bit carries both)");
  auto ms = parse_text(R"(
operating-mode = "MS"
database-mapping { eid-prefix = 10.1.0.0/16  rloc-address { address = 192.0.2.5 } }
lisp-site { eid-prefix = 10.0.0.0/8  key-type = 1  key = "k" }
proxy-itrs = 192.0.2.9
)",
                       "ms.conf");
  ASSERT_TRUE(ms.ok()) << ms.status();
  EXPECT_EQ(unused_keys(*ms),
            (std::vector<std::string>{"ms.conf: database-mapping: not used by a Map-Server",
                                      "ms.conf: proxy-itrs: not used by a Map-Server"}));
  // allowed-dst-eids is a mobile node's host set-up; an xTR sets up no host.
  auto xtr_allowed =
      parse_text("operating-mode = \"xTR\"\nallowed-dst-eids = { 198.18.1.0/24 }\n", "xtr2.conf");
  ASSERT_TRUE(xtr_allowed.ok()) << xtr_allowed.status();
  EXPECT_EQ(
      unused_keys(*xtr_allowed),
      std::vector<std::string>{
          "xtr2.conf: allowed-dst-eids: only a mobile node or a PITR routes traffic into lmn0"});
  // A PITR's allowed-dst-eids are the EID-prefixes it serves.
  auto pitr =
      parse_text("operating-mode = \"PITR\"\nallowed-dst-eids = { 198.18.0.0/24 }\n", "pitr.conf");
  ASSERT_TRUE(pitr.ok()) << pitr.status();
  EXPECT_TRUE(unused_keys(*pitr).empty());
  auto clean = parse_text("operating-mode = \"MS\"\n", "clean.conf");
  EXPECT_TRUE(unused_keys(*clean).empty());
  // proxy-etr-sources is a Proxy-ETR's filter: used there, warned about
  // elsewhere, and a bad prefix is refused with its line.
  auto petr = parse_text(
      "operating-mode = \"PETR\"\nproxy-etr-sources = { 10.1.0.0/24, 2001:db8:a::/64 }\n",
      "petr.conf");
  ASSERT_TRUE(petr.ok()) << petr.status();
  EXPECT_EQ(petr->proxy_etr_sources.size(), 2u);
  EXPECT_TRUE(unused_keys(*petr).empty());
  auto xtr_sources =
      parse_text("operating-mode = \"xTR\"\nproxy-etr-sources = { 10.1.0.0/24 }\n", "x.conf");
  ASSERT_TRUE(xtr_sources.ok()) << xtr_sources.status();
  EXPECT_EQ(unused_keys(*xtr_sources),
            std::vector<std::string>{"x.conf: proxy-etr-sources: only a Proxy-ETR filters what it "
                                     "decapsulates by source"});
  auto bad =
      parse_text("operating-mode = \"PETR\"\n\nproxy-etr-sources = { 10.1.0.0/33 }\n", "bad.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.conf:3: key 'proxy-etr-sources'"), std::string::npos)
      << bad.status().message();
}

// Comment lines count once, and a comment may follow a list item, as in
// LISPmob 0.4's own file; a '#' inside a string is kept.
TEST(ConfigTest, HashCommentsKeepLineNumbersAndMayEndAListItem) {
  auto bad = parse_text("# c1\n# c2\n# c3\noperating-mode = \"MS\"\nfoo = 1\n", "c.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("c.conf:5:"), std::string_view::npos) << bad.status();
  auto listed = parse_text(R"(
operating-mode = "xTR"
proxy-itrs = {
    192.0.2.1,   # pxtr-1
    192.0.2.2    # pxtr-2
}
map-server { address = 192.0.2.2  key-type = 1  key = "pass#word" }  # trailing
)",
                           "list.conf");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->proxy_itrs, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(listed->map_servers.at(0).key, "pass#word");
}

// A section left open at the end of the file is an error naming where it
// opened (libconfuse accepted it).
TEST(ConfigTest, ASectionLeftOpenIsNamed) {
  auto open = parse_text(
      "operating-mode = \"MS\"\n# a comment {\nlisp-site {\n  eid-prefix = 10.0.0.0/8\n  key = "
      "\"{\"\n",
      "open.conf");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("open.conf:3: '{' is never closed"),
            std::string_view::npos)
      << open.status();
}

// A key set twice in one section is an error naming the second; the same
// key in two instances of a repeatable section, and a list, are not.
TEST(ConfigTest, AKeySetTwiceInOneSectionIsNamed) {
  auto twice =
      parse_text("operating-mode = \"MS\"\ndebug = 1\noperating-mode = \"xTR\"\n", "t.conf");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("t.conf:3: key 'operating-mode': set twice"),
            std::string_view::npos)
      << twice.status();
  auto nested = parse_text(R"(
operating-mode = "xTR"
map-server { address = 192.0.2.2  key-type = 1  key = "k" }
map-server { address = 192.0.2.3  key-type = 1  key = "k"  key = "again" }
)",
                           "n.conf");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("n.conf:4: key 'key': set twice"),
            std::string_view::npos)
      << nested.status();
  auto fine = parse_text(R"(
operating-mode = "xTR"
proxy-itrs = {192.0.2.1, 192.0.2.2}
map-server { address = 192.0.2.2  key-type = 1  key = "k" }
map-server { address = 192.0.2.3  key-type = 1  key = "k" }
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-address { address = 192.0.2.5 }
  rloc-address { address = 192.0.2.6 }
}
)",
                         "fine.conf");
  EXPECT_TRUE(fine.ok()) << fine.status();
}

struct BadCase {
  const char* text;
  const char* expected;  // the error must contain this
};

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, ErrorNamesFileLineAndKey) {
  auto config = parse_text(GetParam().text, "bad.conf");
  ASSERT_FALSE(config.ok());
  const std::string message(config.status().message());
  EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
  EXPECT_EQ(message.rfind("bad.conf:", 0), 0u) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadConfigTest,
    ::testing::Values(
        BadCase{"debug = 1\nfrobnicate = 3\n", "bad.conf:2: no such option 'frobnicate'"},
        BadCase{"debug = 9\n", "bad.conf:1: key 'debug': expected 0 to 3, got 9"},
        BadCase{"tap-mtu = -1\n", "bad.conf:1: key 'tap-mtu': expected 0 to 65535, got -1"},
        BadCase{"dpdk {\n  rloc-link { port = \"net_null1\" }\n}\n",
                "bad.conf:2: section 'rloc-link': missing key 'twin'"},
        BadCase{
            "\noperating-mode = \"router\"\n",
            "bad.conf:2: key 'operating-mode': expected one of MN, xTR, MS, RTR, PETR, PITR, got "
            "'router'"},
        BadCase{"database-mapping {\n  eid-prefix = 10.0.0.1/24\n}\n",
                "bad.conf:2: key 'eid-prefix': expected a prefix"},
        BadCase{"database-mapping {\n  eid-prefix = 10.0.0.0/24\n}\n",
                "key 'rloc-address' or 'rloc-iface'"},
        BadCase{"database-mapping {\n  iid = 1\n  rloc-iface { interface = \"eth0\" }\n}\n",
                "missing key 'eid-prefix'"},
        BadCase{"database-mapping {\n eid-prefix = 10.0.0.0/8\n iid = 16777216\n}\n",
                "bad.conf:3: key 'iid': expected 0 to 16777215"},
        BadCase{"map-server {\n  address = 192.0.2.2\n  key-type = 3\n  key = \"k\"\n}\n",
                "bad.conf:3: key 'key-type': expected 1 to 2, got 3"},
        BadCase{"map-server {\n  address = 192.0.2.2\n}\n", "missing key 'key'"},
        BadCase{"map-resolver = { 192.0.2.2, \"bad host!\" }\n",
                "key 'map-resolver': expected an IP address or host name, got 'bad host!'"},
        BadCase{"static-map-cache {\n eid-prefix = 10.0.0.0/8\n rloc-address {\n  address = "
                "10.0.0.1\n  "
                "priority = 256\n }\n}\n",
                "bad.conf:5: key 'priority': expected 0 to 255, got 256"},
        BadCase{"rloc-probing {\n  rloc-probe-retries = 6\n}\n",
                "bad.conf:2: key 'rloc-probe-retries': expected 0 to 5"},
        BadCase{"xtr-id = \"0011\"\n", "key 'xtr-id': expected 32 hexadecimal digits"},
        BadCase{"debug = \"loud\"\n", "'debug'"},
        BadCase{"database-mapping {\n  eid-prefix = 10.0.0.0/8\n  rloc-iface { ip_version = 5  "
                "interface = \"e\" }\n}\n",
                "key 'ip_version': expected 4 or 6, got 5"},
        BadCase{"map-server {\n", "bad.conf:"}));

TEST(ConfigTest, MissingFileIsNamed) {
  auto config = load_file("/nonexistent/lispmob.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nonexistent/lispmob.conf"), std::string_view::npos);
}

}  // namespace
}  // namespace lispmob::config
