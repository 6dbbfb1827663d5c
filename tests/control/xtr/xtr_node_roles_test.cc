// The MN/xTR roles end to end as lispd runs them (XtrNode: punts from the
// data plane, local state to it, the map-cache it forwards with, the
// runtime's timers), on fake data planes, a ManualClock and a fake network
// between a mobile node, an xTR and lispmob's Map-Server: no DPDK, no
// sockets. They register, resolve each other from punted misses, the MN's
// RLOC moves, and the xTR's data plane gets the new RLOC through SMR.
#include <gtest/gtest.h>

#include <deque>

#include "absl/strings/str_format.h"
#include "control/ms/map_server.h"
#include "control/runtime/clock.h"
#include "control/runtime/timer_queue.h"
#include "control/xtr/xtr_node.h"
#include "tests/control/fake_dataplane.h"
#include "tests/control/fake_map_cache.h"
#include "tools/lispd_config.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeDataplane;

using testing::ip;
using testing::prefix;

constexpr const char* kMapServerText = "192.0.2.2";
const net::IpAddress kMapServer = ip(kMapServerText);

// `extra`: more of the file, for a reload.
XtrConfig node_config(const char* mode, const char* eid, const char* extra = "") {
  auto config = config::parse_text(absl::StrFormat(R"(
operating-mode = "%s"
map-server { address = 192.0.2.2  key-type = 2  key = "site-key" }
database-mapping {
  eid-prefix = %s
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 100 }
}
%s
)",
                                                   mode, eid, extra),
                                   "node.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return tools::xtr_config_of(*config);
}

// The twin rloc0 (ifindex 10) holding `rloc`, with a resolved gateway.
KernelView view_with_rloc(const char* rloc, const char* gateway) {
  KernelView view;
  view.addresses = {{"rloc0", ip(rloc)}};
  view.twin_indices = {10};
  view.link_mtus = {1500};
  view.defaults = {{254, prefix("0.0.0.0/0"), ip(gateway), 10, std::nullopt, 100}};
  view.neighbours = {{10, ip(gateway), {0x02, 0, 0, 0, 0, 0x01}, true}};
  return view;
}

class Network;

// One node's side of the fake network.
class NodeTransport : public ControlTransport {
 public:
  NodeTransport(Network& network, net::IpAddress address) : network_(network), address(address) {}
  void send(const Outgoing& message, const std::optional<net::IpAddress>& source) override;
  Network& network_;
  net::IpAddress address;  // where it is now: what it receives at, and sends from by default
};

// Delivers what is in flight, by destination address, until quiet.
class Network {
 public:
  struct Datagram {
    Endpoint from;
    Outgoing message;
  };
  std::deque<Datagram> in_flight;
  std::vector<std::string> log;
  std::function<void(const Datagram&)> deliver;
  void pump() {
    while (!in_flight.empty()) {
      Datagram datagram = std::move(in_flight.front());
      in_flight.pop_front();
      auto decoded = lisp::decode_message(datagram.message.bytes);
      ASSERT_TRUE(decoded.ok());
      log.push_back(datagram.from.address.to_string() + " > " +
                    datagram.message.destination.address.to_string() + " " +
                    lisp::summarize(*decoded));
      deliver(datagram);
    }
  }
};

void NodeTransport::send(const Outgoing& message, const std::optional<net::IpAddress>& source) {
  network_.in_flight.push_back({{source.value_or(address), lisp::kControlPort}, message});
}

class XtrNodeRolesTest : public ::testing::Test {
 protected:
  XtrNodeRolesTest()
      : mn_config_(node_config("MN", "198.18.0.10/32")),
        xtr_config_(node_config("xTR", "198.18.1.0/24")),
        ms_({Site{0, prefix("198.18.0.0/16"), {{0, 2, "site-key"}}, true, false, false}}, {}),
        mn_transport_(network_, ip("192.0.2.5")),
        xtr_transport_(network_, ip("192.0.2.4")),
        mn_(mn_config_, mn_dataplane_, mn_transport_, timers_, clock_, [this] { return ++nonce_; }),
        xtr_(xtr_config_, xtr_dataplane_, xtr_transport_, timers_, clock_,
             [this] { return ++nonce_; }) {
    network_.deliver = [this](const Network::Datagram& datagram) {
      const auto& to = datagram.message.destination.address;
      if (to == kMapServer) {
        for (auto& answer : ms_.handle(datagram.message.bytes, datagram.from, clock_.now())) {
          network_.in_flight.push_back({{kMapServer, lisp::kControlPort}, std::move(answer)});
        }
      } else if (to == mn_transport_.address) {
        mn_.receive(datagram.message.bytes, datagram.from);
      } else if (to == xtr_transport_.address) {
        xtr_.receive(datagram.message.bytes, datagram.from);
      }  // else: an address that moved away; lost
    };
  }

  // Moves the clock on in 10 ms steps, running what falls due.
  void advance(std::chrono::milliseconds by) {
    for (auto left = by; left.count() > 0; left -= milliseconds(10)) {
      clock_.advance(milliseconds(10));
      timers_fired_ += timers_.run_due(clock_.now());
      network_.pump();
    }
  }
  // A worker missed `eid`: it punts, and the node drains the ring.
  void miss(XtrNode& node, FakeDataplane& dataplane, const char* eid) {
    dataplane::PuntRecord record{};
    record.kind = dataplane::PuntKind::kMiss;
    const auto address = ip(eid);
    std::copy(address.bytes().begin(), address.bytes().end(), record.address);
    dataplane.punts.push_back(record);
    node.drain_punts();
    network_.pump();
  }
  std::string rlocs_of(const FakeDataplane& dataplane, const char* eid) {
    auto mapping = dataplane.lookup(0, ip(eid));
    if (!mapping) return "none";
    std::string out;
    for (const auto& locator : mapping->locators) out += locator.rloc.to_string() + " ";
    return out;
  }

  ManualClock clock_;
  TimerQueue timers_;
  Network network_;
  XtrConfig mn_config_, xtr_config_;
  MapServer ms_;
  uint64_t nonce_ = 0;
  size_t timers_fired_ = 0;
  FakeDataplane mn_dataplane_, xtr_dataplane_;
  NodeTransport mn_transport_, xtr_transport_;
  XtrNode mn_, xtr_;
};

TEST_F(XtrNodeRolesTest, RegisterResolveMoveAndSmr) {
  ASSERT_TRUE(mn_.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  ASSERT_TRUE(xtr_.start(view_with_rloc("192.0.2.4", "192.0.2.1")).ok());
  EXPECT_TRUE(mn_dataplane_.started);
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(mn_dataplane_.published.rloc4)),
            ip("192.0.2.5"));

  // Both register at once, from their timers.
  advance(milliseconds(50));
  EXPECT_EQ(ms_.registration_count(), 2u);
  EXPECT_TRUE(mn_.control().registrar().state(0).registered);
  EXPECT_TRUE(xtr_.control().registrar().state(0).registered);

  // Misses punted by the data planes resolve through the Map-Server, and
  // the answers land in the data planes' map-caches.
  miss(mn_, mn_dataplane_, "198.18.1.7");
  miss(xtr_, xtr_dataplane_, "198.18.0.10");
  EXPECT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "192.0.2.4 ");
  EXPECT_EQ(rlocs_of(xtr_dataplane_, "198.18.0.10"), "192.0.2.5 ");
  EXPECT_EQ(mn_.control().resolver().outstanding(), 0u);

  // A quiet second costs each node its data-plane housekeeping (every
  // 100 ms) and one map-cache scan: the roles sleep on their timers
  // instead of being polled every 10 ms (200 wake-ups for two nodes).
  timers_fired_ = 0;
  advance(seconds(1));
  EXPECT_LE(timers_fired_, 26u);

  // The MN moves: the kernel's view now has 192.0.2.6 on rloc0.
  mn_transport_.address = ip("192.0.2.6");
  EXPECT_TRUE(mn_.kernel_changed(view_with_rloc("192.0.2.6", "192.0.2.1")));
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(mn_dataplane_.published.rloc4)),
            ip("192.0.2.6"));
  advance(milliseconds(50));
  // Re-registered with the new RLOC, and the xTR learned it through SMR
  // and an SMR-invoked Map-Request, long before the old mapping's TTL.
  EXPECT_GE(mn_.control().solicitor().counters().smr_sent, 1u);
  EXPECT_EQ(mn_.control().solicitor().pending(), 0u) << "the xTR asked: no more SMRs";
  EXPECT_GE(xtr_.control().resolver().counters().smr_received, 1u);
  EXPECT_EQ(rlocs_of(xtr_dataplane_, "198.18.0.10"), "192.0.2.6 ");
  bool registered_new = false;
  for (const Registration* registration : ms_.registrations()) {
    for (const auto& locator : registration->record.locators) {
      registered_new |= locator.address == lisp::Address(ip("192.0.2.6"));
    }
  }
  EXPECT_TRUE(registered_new);
  for (const auto& line : network_.log) SCOPED_TRACE(line);
}

// The RLOC address came before its route, as a DHCP client sets them up:
// the first Map-Register waits for the route instead of leaving unpinned
// (the host's default route through the EID port would take it into our
// own tunnel), and goes the moment the route appears.
TEST_F(XtrNodeRolesTest, ControlMessagesWaitForARouteOutOfAnRloc) {
  KernelView no_route = view_with_rloc("192.0.2.5", "192.0.2.1");
  no_route.defaults.clear();
  no_route.neighbours.clear();
  ASSERT_TRUE(mn_.start(no_route).ok());
  advance(milliseconds(50));
  EXPECT_TRUE(network_.log.empty()) << network_.log.front();
  EXPECT_GE(mn_.held(), 1u);
  EXPECT_EQ(ms_.registration_count(), 0u);
  mn_.kernel_changed(view_with_rloc("192.0.2.5", "192.0.2.1"));
  EXPECT_GE(mn_.held(), 1u) << "sent from the timer, after the host's tables follow";
  advance(milliseconds(10));
  EXPECT_EQ(mn_.held(), 0u);
  EXPECT_EQ(ms_.registration_count(), 1u);
  EXPECT_EQ(mn_.control().registrar().state(0).registers_sent, 1u) << "the first one got there";
  EXPECT_TRUE(mn_.control().registrar().state(0).registered);
  // On the Map-Server's subnet no route is needed.
  KernelView on_link = no_route;
  on_link.subnets = {{"rloc0", prefix("192.0.2.0/24")}};
  EXPECT_EQ(control_source(mn_config_, on_link, mn_.locators(), ip("192.0.2.2")), ip("192.0.2.5"));
  EXPECT_EQ(control_source(mn_config_, on_link, mn_.locators(), ip("203.0.113.2")), std::nullopt);
  // A miss for the Map-Server's own address is never resolved through the
  // mapping system.
  miss(mn_, mn_dataplane_, kMapServerText);
  EXPECT_EQ(mn_.counters().infrastructure_misses, 1u);
  EXPECT_EQ(mn_.control().resolver().counters().requests_sent, 0u);
}

// Make-before-break: LISP data a peer still sends to the RLOC we just left
// is taken in while it learns the new one, then no longer.
TEST_F(XtrNodeRolesTest, AnRlocJustLeftIsStillTakenInForAWhile) {
  ASSERT_TRUE(mn_.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  advance(milliseconds(50));
  const net::IpAddress old_address = ip("192.0.2.5"), new_address = ip("192.0.2.6");
  const auto old_rloc = old_address.bytes();
  const auto new_rloc = new_address.bytes();
  EXPECT_TRUE(mn_dataplane_.published.is_local_rloc4(old_rloc.data()));
  mn_transport_.address = ip("192.0.2.6");
  mn_.kernel_changed(view_with_rloc("192.0.2.6", "192.0.2.1"));
  const auto& state = mn_dataplane_.published;
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(state.rloc4)), ip("192.0.2.6"))
      << "sent from the new one";
  EXPECT_TRUE(state.is_local_rloc4(new_rloc.data()));
  EXPECT_TRUE(state.is_local_rloc4(old_rloc.data())) << "the old one still taken in";
  advance(XtrNode::kRetiredRlocGrace + milliseconds(200));
  EXPECT_FALSE(mn_dataplane_.published.is_local_rloc4(old_rloc.data()));
  EXPECT_TRUE(mn_dataplane_.published.is_local_rloc4(new_rloc.data()));
}

TEST_F(XtrNodeRolesTest, AnUnansweredRequestIsRetransmittedFromItsTimerThenGivenUp) {
  ASSERT_TRUE(mn_.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  advance(milliseconds(50));
  network_.deliver = [](const Network::Datagram&) {};  // the mapping system goes silent
  miss(mn_, mn_dataplane_, "198.18.1.7");
  EXPECT_EQ(mn_.control().resolver().counters().requests_sent, 1u);
  advance(seconds(1) + milliseconds(50));
  EXPECT_EQ(mn_.control().resolver().counters().retransmissions, 1u);
  advance(seconds(10));
  EXPECT_EQ(mn_.control().resolver().counters().given_up, 1u);
  EXPECT_EQ(mn_.control().resolver().outstanding(), 0u);
}

TEST_F(XtrNodeRolesTest, CommandsAndCountersComeFromTheRegistries) {
  ASSERT_TRUE(mn_.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  advance(milliseconds(50));
  CommandRegistry commands;
  CounterRegistry counters;
  mn_.add_commands(commands);
  mn_.add_counters(counters);
  const std::string servers = commands.answer("show map-servers");
  EXPECT_NE(servers.find("192.0.2.2"), std::string::npos) << servers;
  const std::string json = commands.answer("json show map-servers");
  EXPECT_EQ(json.rfind("[{\"active\":\"*\",\"map-server\":\"192.0.2.2\",\"registered\":true,"
                       "\"registers\":1,\"notifies\":1,\"last-notify\":",
                       0),
            0u)
      << json;

  // The Map-Resolver answered; our EID-prefix is registered with its RLOC.
  const std::string resolvers = commands.answer("show map-resolvers");
  EXPECT_NE(resolvers.find("192.0.2.2"), std::string::npos) << resolvers;
  const std::string mappings = commands.answer("json show database-mappings");
  EXPECT_EQ(mappings.rfind("[{\"instance\":0,\"eid-prefix\":\"198.18.0.10/32\",\"ttl\":10,"
                           "\"rlocs\":[{\"rloc\":\"192.0.2.5\",\"priority\":1,\"weight\":100,"
                           "\"link\":0}],\"registration\":[{\"map-server\":\"192.0.2.2\","
                           "\"registered\":true,\"last-notify\":",
                           0),
            0u)
      << mappings;
  const std::string metrics = counters.prometheus();
  EXPECT_NE(
      metrics.find(
          "# TYPE lispmob_xtr_requests_sent_total counter\nlispmob_xtr_requests_sent_total 0\n"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("# TYPE lispmob_xtr_outstanding_requests gauge\n"), std::string::npos);
  EXPECT_NE(commands.answer("help").find("lookup EID [IID]"), std::string::npos);
  EXPECT_EQ(commands.answer("show nothing").rfind("error: unknown command 'show nothing'", 0), 0u);
}

// SIGHUP as lispd applies it: a second Map-Server and a static mapping
// take effect at once; the map-cache and the first Map-Server's
// registration stay; what needs a restart is named and keeps its value.
TEST_F(XtrNodeRolesTest, AReloadAppliesMapServersAndStaticMappingsAndKeepsTheMapCache) {
  ASSERT_TRUE(mn_.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  ASSERT_TRUE(xtr_.start(view_with_rloc("192.0.2.4", "192.0.2.1")).ok());
  advance(milliseconds(50));
  miss(mn_, mn_dataplane_, "198.18.1.7");
  ASSERT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "192.0.2.4 ");
  network_.log.clear();

  const auto restart = mn_.reconfigure(node_config("MN", "198.18.0.10/32", R"(
map-server { address = 192.0.2.3  key-type = 2  key = "other-key" }
static-map-cache {
  eid-prefix = 203.0.113.0/24
  rloc-address { address = 192.0.2.9  priority = 1  weight = 100 }
}
)"));
  EXPECT_TRUE(restart.empty());
  advance(milliseconds(50));
  ASSERT_EQ(mn_.control().registrar().servers().size(), 2u);
  bool registered_with_new = false;
  for (const auto& line : network_.log) {
    registered_with_new |= line.rfind("192.0.2.5 > 192.0.2.3 Map-Register", 0) == 0;
    EXPECT_EQ(line.find("> 192.0.2.2 Map-Register"), std::string::npos) << line;
  }
  EXPECT_TRUE(registered_with_new);
  EXPECT_TRUE(mn_.control().registrar().state(0).registered);
  EXPECT_EQ(mn_.control().registrar().state(0).registers_sent, 1u);
  EXPECT_EQ(rlocs_of(mn_dataplane_, "203.0.113.1"), "192.0.2.9 ");
  EXPECT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "192.0.2.4 ");

  // The static mapping goes again; a mobile node's new EID needs a restart
  // (it lives on the host's EID port) and the running one stays registered.
  auto moved = node_config("MN", "198.18.0.77/32");
  moved.rloc_links = {{"net_af_packet1,iface=veth9", "rloc9"}};
  const auto later = mn_.reconfigure(moved);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].rfind("rloc-port", 0), 0u) << later[0];
  EXPECT_EQ(later[1].rfind("database-mapping eid-prefix", 0), 0u) << later[1];
  EXPECT_EQ(rlocs_of(mn_dataplane_, "203.0.113.1"), "none");
  EXPECT_EQ(mn_.config().database_mappings.front().eid_prefix, prefix("198.18.0.10/32"));
  EXPECT_EQ(mn_.config().rloc_links, mn_config_.rloc_links);
  EXPECT_EQ(mn_.control().registrar().servers().size(), 1u);
  EXPECT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "192.0.2.4 ");
}

// lispctl's changes to a running MN: a static mapping added and removed,
// the map-cache cleared (the next miss resolves again, the static entry
// stays), and a re-registration sent at once.
TEST_F(XtrNodeRolesTest, LispctlChangesTheRunningNode) {
  ASSERT_TRUE(mn_.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  ASSERT_TRUE(xtr_.start(view_with_rloc("192.0.2.4", "192.0.2.1")).ok());
  advance(milliseconds(50));
  miss(mn_, mn_dataplane_, "198.18.1.7");
  ASSERT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "192.0.2.4 ");
  CommandRegistry commands;
  mn_.add_commands(commands);
  mn_.add_change_commands(commands);

  EXPECT_EQ(commands.answer("add static-mapping 203.0.113.0/24 rloc 192.0.2.9 priority 2 weight 50 "
                            "rloc 2001:db8::9"),
            "static mapping 203.0.113.0/24 added\n");
  EXPECT_EQ(rlocs_of(mn_dataplane_, "203.0.113.1"), "192.0.2.9 2001:db8::9 ");
  const auto mapping = mn_dataplane_.lookup(0, ip("203.0.113.1"));
  ASSERT_TRUE(mapping);
  EXPECT_EQ(mapping->locators[0].priority, 2);
  EXPECT_EQ(mapping->locators[0].weight, 50);
  const std::string cache = commands.answer("show map-cache");
  EXPECT_NE(cache.find(
                "203.0.113.0/24           encapsulate       static    never    192.0.2.9 (p2 w50)"),
            std::string::npos)
      << cache;
  // Refusals name what is wrong and change nothing.
  EXPECT_EQ(
      commands.answer("add static-mapping 203.0.113.0/24"),
      "error: usage: add static-mapping [iid N] EID-PREFIX rloc ADDRESS [priority P] [weight W] "
      "[rloc ...]\n");
  EXPECT_EQ(commands.answer("add static-mapping 203.0.113.0/33 rloc 192.0.2.9"),
            "error: 203.0.113.0/33: not an EID-prefix (such as 203.0.113.0/24)\n");
  EXPECT_EQ(commands.answer("add static-mapping iid -1 203.0.113.0/24 rloc 192.0.2.9"),
            "error: iid: a number from 0 to 16777215\n");
  EXPECT_EQ(commands.answer("add static-mapping 203.0.113.0/24 rloc 192.0.2.9 priority 256"),
            "error: priority: a number from 0 to 255\n");
  EXPECT_TRUE(commands.reply("remove static-mapping 198.51.100.0/24").failed);

  // clear map-cache: the resolved entry goes, the static one stays, and
  // the next miss is resolved at once (no per-EID hold-down).
  EXPECT_EQ(commands.answer("json clear map-cache"), "{\"cleared\":1}\n");
  EXPECT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "none");
  EXPECT_EQ(rlocs_of(mn_dataplane_, "203.0.113.1"), "192.0.2.9 2001:db8::9 ");
  const uint64_t sent = mn_.control().resolver().counters().requests_sent;
  miss(mn_, mn_dataplane_, "198.18.1.7");
  EXPECT_EQ(mn_.control().resolver().counters().requests_sent, sent + 1);
  EXPECT_EQ(rlocs_of(mn_dataplane_, "198.18.1.7"), "192.0.2.4 ");
  EXPECT_EQ(commands.answer("clear map-cache 198.18.1.0/24"), "cleared  1\n");
  EXPECT_TRUE(commands.reply("clear map-cache 198.18.1.0/24").failed);

  EXPECT_EQ(commands.answer("remove static-mapping 203.0.113.0/24"),
            "static mapping 203.0.113.0/24 removed\n");
  EXPECT_EQ(rlocs_of(mn_dataplane_, "203.0.113.1"), "none");

  // The Map-Resolver answered every request so far: up.
  EXPECT_NE(commands.answer("show map-resolvers")
                .find("*      192.0.2.2                                up"),
            std::string::npos)
      << commands.answer("show map-resolvers");
  EXPECT_EQ(mn_.control().resolver().resolver_state(0).answered, 2u);
  // A request it leaves unanswered marks it down.
  network_.deliver = [](const Network::Datagram&) {};
  miss(mn_, mn_dataplane_, "198.18.1.77");
  advance(seconds(1) + milliseconds(50));
  EXPECT_EQ(mn_.control().resolver().resolver_state(0).reachable, std::optional<bool>(false));
  EXPECT_NE(commands.answer("show map-resolvers").find(" down "), std::string::npos);

  // re-register: a Map-Register to the Map-Server now, not in 60 s.
  const uint64_t registers = mn_.control().registrar().state(0).registers_sent;
  EXPECT_EQ(commands.answer("re-register"), "registering with 1 Map-Server(s)\n");
  advance(milliseconds(20));
  EXPECT_EQ(mn_.control().registrar().state(0).registers_sent, registers + 1);
}

// xtr-id and site-id go in every Map-Register with the I bit (RFC 9301
// §5.6): the Map-Server keeps the identity and the Map-Notify still
// verifies; a reload that changes the identity registers again at once.
TEST_F(XtrNodeRolesTest, XtrIdAndSiteIdAreRegistered) {
  XtrConfig config = node_config("MN", "198.18.0.10/32",
                                 "xtr-id = \"000102030405060708090a0b0c0d0e0f\"\nsite-id = 7\n");
  ASSERT_TRUE(config.options.registrar.identity.has_value());
  FakeDataplane dataplane;
  NodeTransport transport(network_, ip("192.0.2.5"));
  XtrNode node(config, dataplane, transport, timers_, clock_, [this] { return ++nonce_; });
  network_.deliver = [&](const Network::Datagram& datagram) {
    if (datagram.message.destination.address == kMapServer) {
      for (auto& answer : ms_.handle(datagram.message.bytes, datagram.from, clock_.now())) {
        network_.in_flight.push_back({{kMapServer, lisp::kControlPort}, std::move(answer)});
      }
    } else if (datagram.message.destination.address == transport.address) {
      node.receive(datagram.message.bytes, datagram.from);
    }
  };
  ASSERT_TRUE(node.start(view_with_rloc("192.0.2.5", "192.0.2.1")).ok());
  advance(milliseconds(50));
  ASSERT_EQ(ms_.registration_count(), 1u);
  const Registration* registration = ms_.registrations().front();
  ASSERT_EQ(registration->contributors.size(), 1u);
  const auto& identity = registration->contributors.front().identity;
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->xtr_id[15], 0x0f);
  EXPECT_EQ(identity->site_id, 7u);
  EXPECT_TRUE(node.control().registrar().state(0).registered) << "the Map-Notify verified";

  const uint64_t sent = node.control().registrar().state(0).registers_sent;
  EXPECT_TRUE(node.reconfigure(node_config("MN", "198.18.0.10/32",
                                           "xtr-id = \"ffffffffffffffffffffffffffffffff\"\n"))
                  .empty());
  advance(milliseconds(50));
  EXPECT_EQ(node.control().registrar().state(0).registers_sent, sent + 1);
  EXPECT_EQ(ms_.registrations().front()->contributors.front().identity->xtr_id[0], 0xff);
  EXPECT_EQ(ms_.registrations().front()->contributors.front().identity->site_id, 0u);
}

}  // namespace
}  // namespace lispmob::control
