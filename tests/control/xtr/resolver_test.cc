#include "control/xtr/resolver.h"

#include <gtest/gtest.h>

#include "tests/control/fake_map_cache.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using testing::FakeMapCache;
using testing::ip;
using testing::prefix;

// The Map-Request inside an ECM the resolver sent.
lisp::MapRequest request_in(const Outgoing& sent) {
  auto message = lisp::decode_message(sent.bytes);
  EXPECT_TRUE(message.ok());
  const auto& ecm = std::get<lisp::EncapsulatedControlMessage>(message->value);
  return std::get<lisp::MapRequest>(ecm.inner->value);
}

lisp::MappingRecord record(const char* eid_prefix, std::vector<const char*> rlocs,
                           uint32_t ttl = 10) {
  const auto p = prefix(eid_prefix);
  lisp::MappingRecord r;
  r.ttl_minutes = ttl;
  r.eid_mask_len = p.length;
  r.eid = p.address;
  r.authoritative = true;
  for (const char* rloc : rlocs) {
    lisp::Locator locator;
    locator.address = ip(rloc);
    r.locators.push_back(locator);
  }
  return r;
}

lisp::MapReply reply_to(const lisp::MapRequest& request, lisp::MappingRecord r) {
  lisp::MapReply reply;
  reply.nonce = request.nonce;
  reply.records = {std::move(r)};
  return reply;
}

class ResolverTest : public ::testing::Test {
 protected:
  ResolverTest()
      : resolver_(
            {ip("192.0.2.2"), ip("192.0.2.3")}, {}, [this] { return ++nonce_ * 7919; }, cache_) {
    resolver_.set_local(
        LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
  }
  FakeMapCache cache_;
  uint64_t nonce_ = 0;
  Resolver resolver_;
  const TimePoint t0_{};
};

TEST_F(ResolverTest, MissSendsEncapsulatedMapRequestToTheResolver) {
  auto sent = resolver_.resolve(0, ip("203.0.113.10"), t0_);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].destination, (Endpoint{ip("192.0.2.2"), 4342}));
  auto message = lisp::decode_message(sent[0].bytes);
  ASSERT_TRUE(message.ok());
  const auto& ecm = std::get<lisp::EncapsulatedControlMessage>(message->value);
  const auto& inner = std::get<net::Ipv4Header>(ecm.inner_ip);
  EXPECT_EQ(inner.source, ip("198.18.0.10")) << "from our EID";
  EXPECT_EQ(inner.destination, ip("203.0.113.10")) << "to the EID asked for";
  EXPECT_EQ(ecm.inner_udp.destination_port, 4342);
  const auto request = std::get<lisp::MapRequest>(ecm.inner->value);
  EXPECT_NE(request.nonce, 0u);
  EXPECT_EQ(request.source_eid, lisp::Address(ip("198.18.0.10")));
  ASSERT_EQ(request.itr_rlocs.size(), 1u);
  EXPECT_EQ(request.itr_rlocs[0], lisp::Address(ip("192.0.2.5")));
  ASSERT_EQ(request.records.size(), 1u);
  EXPECT_EQ(request.records[0].eid_mask_len, 32);
  EXPECT_EQ(request.records[0].eid, lisp::Address(ip("203.0.113.10")));
  EXPECT_FALSE(request.smr_invoked);
  EXPECT_FALSE(request.pitr);
}

// A Proxy-ITR has no EID: its Map-Request carries no source EID (AFI 0),
// the p bit (RFC 9301 §5.3), its RLOCs as ITR-RLOCs (a proxy's, from no
// record), and the ECM's inner header leaves from its RLOC.
TEST(ResolverProxyItr, MapRequestHasThePBitAndNoSourceEid) {
  FakeMapCache cache;
  Resolver::Options options;
  options.proxy_itr = true;
  Resolver resolver(
      {ip("192.0.2.2")}, options, [] { return 7919; }, cache);
  resolver.set_local(LocalSnapshot::of({}, {ip("192.0.8.2")}));
  auto sent = resolver.resolve(0, ip("198.18.0.10"), TimePoint{});
  ASSERT_EQ(sent.size(), 1u);
  const auto message = lisp::decode_message(sent[0].bytes);
  ASSERT_TRUE(message.ok());
  const auto& ecm = std::get<lisp::EncapsulatedControlMessage>(message->value);
  EXPECT_EQ(std::get<net::Ipv4Header>(ecm.inner_ip).source, ip("192.0.8.2"));
  const auto request = request_in(sent[0]);
  EXPECT_TRUE(request.pitr);
  EXPECT_TRUE(request.source_eid.is_none());
  ASSERT_EQ(request.itr_rlocs.size(), 1u);
  EXPECT_EQ(request.itr_rlocs[0], lisp::Address(ip("192.0.8.2")));
}

TEST_F(ResolverTest, OneOutstandingRequestAndOnePerSecondPerEid) {
  ASSERT_EQ(resolver_.resolve(0, ip("203.0.113.10"), t0_).size(), 1u);
  EXPECT_TRUE(resolver_.resolve(0, ip("203.0.113.10"), t0_ + milliseconds(10)).empty());
  EXPECT_EQ(resolver_.counters().suppressed, 1u);
  EXPECT_EQ(resolver_.resolve(0, ip("203.0.113.11"), t0_).size(), 1u) << "another EID";
  EXPECT_EQ(resolver_.outstanding(), 2u);
}

TEST_F(ResolverTest, ReplyIsInstalledWithItsTtlAndRemovedWhenItLapses) {
  auto sent = resolver_.resolve(0, ip("203.0.113.10"), t0_);
  auto request = request_in(sent[0]);
  ASSERT_TRUE(resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.4"}, 10)),
                                     t0_ + milliseconds(5)));
  const auto* installed = cache_.find(0, "203.0.113.0/24");
  ASSERT_NE(installed, nullptr);
  EXPECT_EQ(installed->action, dataplane::MapAction::kEncapsulate);
  ASSERT_EQ(installed->locators.size(), 1u);
  EXPECT_EQ(installed->locators[0].rloc, ip("192.0.2.4"));
  EXPECT_EQ(resolver_.outstanding(), 0u);
  // Refreshed at 90% of 10 minutes; the refresh is a normal request.
  EXPECT_TRUE(resolver_.poll(t0_ + minutes(8)).empty());
  auto refresh = resolver_.poll(t0_ + seconds(541));
  ASSERT_EQ(refresh.size(), 1u);
  EXPECT_EQ(request_in(refresh[0]).records[0].eid, lisp::Address(ip("203.0.113.10")));
  // No answer to the refresh (nor its retries): the entry lapses at 10 minutes.
  for (int s = 542; s < 600; ++s) resolver_.poll(t0_ + seconds(s));
  EXPECT_NE(cache_.find(0, "203.0.113.0/24"), nullptr);
  resolver_.poll(t0_ + seconds(600) + milliseconds(5));
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24"), nullptr);
  EXPECT_EQ(resolver_.counters().expired, 1u);
}

TEST_F(ResolverTest, AnsweredRefreshRenewsTheEntry) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.4"}, 10)), t0_);
  auto refresh = request_in(resolver_.poll(t0_ + seconds(541))[0]);
  ASSERT_TRUE(resolver_.handle_reply(reply_to(refresh, record("203.0.113.0/24", {"192.0.2.9"}, 10)),
                                     t0_ + seconds(542)));
  EXPECT_EQ(resolver_.counters().refreshed, 1u);
  resolver_.poll(t0_ + seconds(700));
  const auto* installed = cache_.find(0, "203.0.113.0/24");
  ASSERT_NE(installed, nullptr) << "renewed until 542 s + 10 min";
  EXPECT_EQ(installed->locators[0].rloc, ip("192.0.2.9"));
}

TEST_F(ResolverTest, ReplyWithWrongNonceIsRefused) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  request.nonce ^= 1;
  EXPECT_FALSE(
      resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.66"})), t0_));
  EXPECT_TRUE(cache_.entries.empty());
  EXPECT_EQ(resolver_.counters().replies_unknown_nonce, 1u);
  EXPECT_EQ(resolver_.outstanding(), 1u);
}

TEST_F(ResolverTest, ReplyThatDoesNotCoverTheEidIsRefused) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  // Right nonce, but a mapping for somebody else's prefix (a poisoning attempt).
  EXPECT_FALSE(
      resolver_.handle_reply(reply_to(request, record("198.51.100.0/24", {"192.0.2.66"})), t0_));
  EXPECT_FALSE(
      resolver_.handle_reply(reply_to(request, record("203.0.113.128/25", {"192.0.2.66"})), t0_));
  EXPECT_TRUE(cache_.entries.empty());
  EXPECT_EQ(resolver_.counters().replies_not_covering, 2u);
  // The real answer still counts.
  EXPECT_TRUE(
      resolver_.handle_reply(reply_to(request, record("203.0.113.0/25", {"192.0.2.4"})), t0_));
  EXPECT_NE(cache_.find(0, "203.0.113.0/25"), nullptr);
}

TEST_F(ResolverTest, RecordsBesideTheCoveringOneAreNotInstalled) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  lisp::MapReply reply = reply_to(request, record("198.51.100.0/24", {"192.0.2.66"}));
  reply.records.push_back(record("203.0.113.0/24", {"192.0.2.4"}));
  EXPECT_TRUE(resolver_.handle_reply(reply, t0_));
  EXPECT_EQ(cache_.entries.size(), 1u);
  EXPECT_NE(cache_.find(0, "203.0.113.0/24"), nullptr);
}

TEST_F(ResolverTest, NegativeReplyInstallsItsAction) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  auto negative = record("203.0.0.0/8", {}, 15);
  negative.action = static_cast<uint8_t>(lisp::MapReplyAction::kNativelyForward);
  EXPECT_TRUE(resolver_.handle_reply(reply_to(request, negative), t0_));
  auto request2 = request_in(resolver_.resolve(0, ip("198.19.0.1"), t0_)[0]);
  auto drop = record("198.19.0.0/16", {}, 1);
  drop.action = static_cast<uint8_t>(lisp::MapReplyAction::kDrop);
  EXPECT_TRUE(resolver_.handle_reply(reply_to(request2, drop), t0_));
  ASSERT_NE(cache_.find(0, "203.0.0.0/8"), nullptr);
  EXPECT_EQ(cache_.find(0, "203.0.0.0/8")->action, dataplane::MapAction::kNativelyForward);
  ASSERT_NE(cache_.find(0, "198.19.0.0/16"), nullptr);
  EXPECT_EQ(cache_.find(0, "198.19.0.0/16")->action, dataplane::MapAction::kDrop);
  EXPECT_EQ(resolver_.counters().negative_installed, 2u);
  resolver_.poll(t0_ + seconds(61));
  EXPECT_EQ(cache_.find(0, "198.19.0.0/16"), nullptr) << "1-minute TTL lapsed";
  EXPECT_NE(cache_.find(0, "203.0.0.0/8"), nullptr);
}

TEST_F(ResolverTest, LostRepliesAreRetriedWithBackoffAndTheNextResolver) {
  auto first = resolver_.resolve(0, ip("203.0.113.10"), t0_);
  EXPECT_TRUE(resolver_.poll(t0_ + milliseconds(999)).empty());
  auto retry1 = resolver_.poll(t0_ + seconds(1));
  ASSERT_EQ(retry1.size(), 1u);
  EXPECT_EQ(retry1[0].destination.address, ip("192.0.2.3")) << "failover";
  EXPECT_EQ(request_in(retry1[0]).nonce, request_in(first[0]).nonce);
  EXPECT_TRUE(resolver_.poll(t0_ + milliseconds(2999)).empty()) << "then 2 s";
  auto retry2 = resolver_.poll(t0_ + seconds(3));
  ASSERT_EQ(retry2.size(), 1u);
  EXPECT_EQ(retry2[0].destination.address, ip("192.0.2.2"));
  EXPECT_TRUE(resolver_.poll(t0_ + seconds(7)).empty()) << "map-request-retries = 2";
  EXPECT_EQ(resolver_.counters().given_up, 1u);
  EXPECT_EQ(resolver_.counters().retransmissions, 2u);
  EXPECT_EQ(resolver_.outstanding(), 0u);
}

// A reload that leaves no Map-Resolver: what was outstanding is given up,
// not retransmitted to nowhere (an empty datagram to 0.0.0.0 once).
TEST_F(ResolverTest, OutstandingRequestsAreGivenUpWhenNoMapResolverIsLeft) {
  ASSERT_EQ(resolver_.resolve(0, ip("203.0.113.10"), t0_).size(), 1u);
  resolver_.set_map_resolvers({});
  EXPECT_TRUE(resolver_.poll(t0_ + seconds(1)).empty());
  EXPECT_EQ(resolver_.counters().retransmissions, 0u);
  EXPECT_EQ(resolver_.counters().given_up, 1u);
  EXPECT_EQ(resolver_.outstanding(), 0u);
  EXPECT_TRUE(resolver_.resolve(0, ip("203.0.113.11"), t0_ + seconds(2)).empty());
}

TEST_F(ResolverTest, StaticEntriesAreNeverReplacedNorExpired) {
  ASSERT_TRUE(resolver_
                  .install_static({0,
                                   prefix("203.0.113.0/24"),
                                   dataplane::MapAction::kEncapsulate,
                                   {{ip("192.0.2.4"), 1, 100, true}}})
                  .ok());
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  EXPECT_TRUE(
      resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.66"})), t0_));
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24")->locators[0].rloc, ip("192.0.2.4"));
  EXPECT_EQ(resolver_.counters().static_kept, 1u);
  resolver_.poll(t0_ + minutes(100000));
  EXPECT_NE(cache_.find(0, "203.0.113.0/24"), nullptr);
}

TEST_F(ResolverTest, TtlZeroIsNotCached) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  EXPECT_TRUE(
      resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.4"}, 0)), t0_));
  EXPECT_TRUE(cache_.entries.empty());
  EXPECT_EQ(resolver_.counters().ttl_zero, 1u);
}

TEST_F(ResolverTest, ATtlOfTwoToTheThirtyTwoMinutesIsCutToADay) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  ASSERT_TRUE(resolver_.handle_reply(
      reply_to(request, record("203.0.113.0/24", {"192.0.2.4"}, 0xffffffffu)), t0_));
  const auto* entry = resolver_.entry(0, prefix("203.0.113.0/24"));
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->ttl_minutes, 24u * 60);
  EXPECT_EQ(entry->expires, t0_ + minutes(24 * 60));
  EXPECT_EQ(resolver_.counters().ttl_clamped, 1u);
}

TEST_F(ResolverTest, InstanceIdsAreKeptApart) {
  auto sent = resolver_.resolve(7, ip("203.0.113.10"), t0_);
  auto request = request_in(sent[0]);
  const auto asked = eid_of(request.records[0].eid);
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->first, 7u);
  EXPECT_FALSE(
      resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.4"})), t0_))
      << "instance 0 does not cover instance 7";
  auto r = record("203.0.113.0/24", {"192.0.2.4"});
  r.eid = eid_address(7, ip("203.0.113.0"));
  EXPECT_TRUE(resolver_.handle_reply(reply_to(request, r), t0_));
  EXPECT_NE(cache_.find(7, "203.0.113.0/24"), nullptr);
}

TEST_F(ResolverTest, SmrMakesAnSmrInvokedRequestAndKeepsTheOldMapping) {
  auto request = request_in(resolver_.resolve(0, ip("198.18.1.1"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("198.18.1.0/24", {"192.0.2.4"})), t0_);
  lisp::MapRequest smr;
  smr.smr = true;
  smr.nonce = 99;
  smr.source_eid = ip("198.18.1.1");
  smr.itr_rlocs = {ip("192.0.2.44")};
  smr.records = {lisp::EidRecord{0, 32, ip("198.18.0.10")}};
  auto sent = resolver_.handle_smr(smr, ip("192.0.2.9"), t0_ + milliseconds(100));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].destination.address, ip("192.0.2.2")) << "through the mapping system";
  const auto invoked = request_in(sent[0]);
  EXPECT_TRUE(invoked.smr_invoked);
  EXPECT_EQ(invoked.records[0].eid, lisp::Address(ip("198.18.1.1")));
  EXPECT_EQ(cache_.find(0, "198.18.1.0/24")->locators[0].rloc, ip("192.0.2.4"))
      << "old mapping kept";
  ASSERT_TRUE(resolver_.handle_reply(reply_to(invoked, record("198.18.1.0/24", {"192.0.2.44"})),
                                     t0_ + milliseconds(110)));
  EXPECT_EQ(cache_.find(0, "198.18.1.0/24")->locators[0].rloc, ip("192.0.2.44"));
  // An SMR for an EID we hold no mapping for is ignored (no amplification).
  smr.source_eid = ip("198.51.100.1");
  EXPECT_TRUE(resolver_.handle_smr(smr, ip("192.0.2.9"), t0_ + seconds(5)).empty());
  EXPECT_EQ(resolver_.counters().smr_ignored, 1u);
}

TEST_F(ResolverTest, SmrPeersAreEveryLocatorOfEveryMapping) {
  auto request = request_in(resolver_.resolve(0, ip("198.18.1.1"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("198.18.1.0/24", {"192.0.2.4", "192.0.2.40"})),
                         t0_);
  const auto peers = resolver_.smr_peers();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0], (Solicitor::Peer{0, prefix("198.18.1.0/24"), ip("192.0.2.4")}));
  EXPECT_EQ(peers[1], (Solicitor::Peer{0, prefix("198.18.1.0/24"), ip("192.0.2.40")}));
}

// A second SMR while the SMR-invoked request is outstanding: that request
// may have reached the Map-Server before it held the peer's new locators,
// so it goes again now (same nonce) rather than waiting for its retry.
TEST_F(ResolverTest, AnSmrWhileItsRequestIsOutstandingSendsItAgainNow) {
  auto request = request_in(resolver_.resolve(0, ip("198.18.1.1"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("198.18.1.0/24", {"192.0.2.4"})), t0_);
  lisp::MapRequest smr;
  smr.smr = true;
  smr.source_eid = ip("198.18.1.1");
  smr.itr_rlocs = {ip("192.0.2.44")};
  smr.records = {lisp::EidRecord{0, 32, ip("198.18.0.10")}};
  auto first = resolver_.handle_smr(smr, ip("192.0.2.44"), t0_ + seconds(5));
  ASSERT_EQ(first.size(), 1u);
  // The SMRs to each of the peer's locators arrive together: one request.
  EXPECT_TRUE(
      resolver_.handle_smr(smr, ip("192.0.2.44"), t0_ + seconds(5) + milliseconds(1)).empty());
  auto second = resolver_.handle_smr(smr, ip("192.0.2.44"), t0_ + seconds(5) + milliseconds(100));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(request_in(second[0]).nonce, request_in(first[0]).nonce);
  EXPECT_TRUE(request_in(second[0]).smr_invoked);
  EXPECT_EQ(resolver_.outstanding(), 1u);
  EXPECT_EQ(resolver_.counters().retransmissions, 1u);
}

// Learn from what arrives: a Map-Request (or probe) from a peer whose
// ITR-RLOCs our mapping for it lacks means it moved; its mapping is asked
// for through the mapping system at once, never taken from the request.
TEST_F(ResolverTest, ARequestFromAPeersUnknownRlocAsksForItsMappingAgain) {
  auto request = request_in(resolver_.resolve(0, ip("198.18.1.1"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("198.18.1.0/24", {"192.0.2.4"})), t0_);
  lisp::MapRequest probe;
  probe.probe = true;
  probe.source_eid = ip("198.18.1.1");
  probe.itr_rlocs = {ip("192.0.2.4")};
  probe.records = {lisp::EidRecord{0, 32, ip("198.18.0.10")}};
  EXPECT_TRUE(resolver_.peer_seen(probe, ip("192.0.2.4"), t0_ + seconds(5)).empty())
      << "from a locator we hold";
  probe.itr_rlocs = {ip("192.0.2.77")};
  auto again = resolver_.peer_seen(probe, ip("192.0.2.77"), t0_ + seconds(6));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].destination.address, ip("192.0.2.2")) << "through the mapping system";
  EXPECT_EQ(request_in(again[0]).records[0].eid, lisp::Address(ip("198.18.1.1")));
  EXPECT_EQ(cache_.find(0, "198.18.1.0/24")->locators[0].rloc, ip("192.0.2.4"))
      << "the request itself installs nothing";
  EXPECT_EQ(resolver_.counters().peer_moved, 1u);
  // Not for a peer we hold no mapping for, and bounded for one we do.
  probe.source_eid = ip("203.0.113.1");
  EXPECT_TRUE(resolver_.peer_seen(probe, ip("192.0.2.77"), t0_ + seconds(7)).empty());
  probe.source_eid = ip("198.18.1.1");
  size_t sent = 0;
  for (int i = 0; i < 100; ++i) {
    sent += resolver_.peer_seen(probe, ip("192.0.2.77"), t0_ + seconds(6) + milliseconds(i)).size();
  }
  EXPECT_EQ(sent, 0u) << "one question per EID and request interval";
}

// A peer whose every locator went down (it moved and its SMR was lost,
// say) is asked for again at once, not dropped until its refresh.
TEST(ResolverProbing, AMappingWhoseEveryLocatorIsDownIsAskedForAgainAtOnce) {
  FakeMapCache cache;
  uint64_t nonce = 0;
  Resolver::Options options;
  options.probe_interval = seconds(2);
  options.probe_retries = 1;
  options.probe_retry_interval = seconds(1);
  Resolver resolver(
      {ip("192.0.2.2")}, options, [&] { return ++nonce; }, cache);
  resolver.set_local(
      LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
  const TimePoint t0{};
  auto request = request_in(resolver.resolve(0, ip("198.18.1.1"), t0)[0]);
  ASSERT_TRUE(resolver.handle_reply(reply_to(request, record("198.18.1.0/24", {"192.0.2.4"})), t0));
  std::vector<Outgoing> sent;
  TimePoint now = t0;
  // Nobody answers the probes: after 1 + 1 unanswered the locator is down.
  while (resolver.counters().locators_down == 0 && now < t0 + seconds(30)) {
    now += milliseconds(500);
    sent = resolver.poll(now);
  }
  ASSERT_EQ(resolver.counters().locators_down, 1u);
  const auto to_resolver = std::find_if(sent.begin(), sent.end(), [](const Outgoing& out) {
    return out.destination.address == ip("192.0.2.2");
  });
  ASSERT_NE(to_resolver, sent.end()) << "a Map-Request in the same poll";
  EXPECT_TRUE(request_in(*to_resolver).smr_invoked);
  EXPECT_EQ(request_in(*to_resolver).records[0].eid, lisp::Address(ip("198.18.1.1")));
  EXPECT_EQ(resolver.counters().all_locators_down, 1u);
}

TEST(ResolverProbing, LocatorGoesDownAfterUnansweredProbesAndUpAtTheFirstAnswer) {
  FakeMapCache cache;
  uint64_t nonce = 0;
  Resolver::Options options;
  options.probe_interval = seconds(30);
  options.probe_retries = 2;
  options.probe_retry_interval = seconds(5);
  Resolver resolver(
      {ip("192.0.2.2")}, options, [&] { return ++nonce; }, cache);
  resolver.set_local(
      LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
  ASSERT_TRUE(
      resolver
          .install_static({0,
                           prefix("203.0.113.0/24"),
                           dataplane::MapAction::kEncapsulate,
                           {{ip("192.0.2.4"), 1, 100, true}, {ip("192.0.2.40"), 1, 100, true}}})
          .ok());
  const TimePoint t0{};
  EXPECT_TRUE(resolver.poll(t0).empty()) << "first probes one interval after a locator appears";
  auto probes = resolver.poll(t0 + seconds(30));
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].destination, (Endpoint{ip("192.0.2.4"), 4342}));
  auto decoded = lisp::decode_message(probes[0].bytes);
  ASSERT_TRUE(decoded.ok());
  const auto probe = std::get<lisp::MapRequest>(decoded->value);
  EXPECT_TRUE(probe.probe);
  EXPECT_EQ(probe.records[0].eid_mask_len, 24);
  EXPECT_EQ(probe.itr_rlocs[0], lisp::Address(ip("192.0.2.5")));
  // 192.0.2.40 answers, 192.0.2.4 does not.
  auto answer = [&](const Outgoing& sent) {
    auto message = lisp::decode_message(sent.bytes);
    lisp::MapReply reply;
    reply.probe = true;
    reply.nonce = std::get<lisp::MapRequest>(message->value).nonce;
    return resolver.handle_reply(reply, t0);
  };
  EXPECT_TRUE(answer(probes[1]));
  // 192.0.2.4 unanswered: a retry; 192.0.2.40 on its schedule.
  EXPECT_EQ(resolver.poll(t0 + seconds(60)).size(), 2u);
  auto retry2 = resolver.poll(t0 + seconds(65));
  ASSERT_EQ(retry2.size(), 1u);
  EXPECT_EQ(retry2[0].destination.address, ip("192.0.2.4"));
  EXPECT_FALSE(resolver.locator_down(ip("192.0.2.4")));
  auto last = resolver.poll(t0 + seconds(70));
  EXPECT_TRUE(resolver.locator_down(ip("192.0.2.4"))) << "3 probes unanswered";
  EXPECT_FALSE(cache.find(0, "203.0.113.0/24")->locators[0].reachable);
  EXPECT_TRUE(cache.find(0, "203.0.113.0/24")->locators[1].reachable);
  EXPECT_EQ(resolver.counters().locators_down, 1u);
  // Still probed while down; the first answer brings it back.
  ASSERT_EQ(last.size(), 1u);
  EXPECT_TRUE(answer(last[0]));
  EXPECT_FALSE(resolver.locator_down(ip("192.0.2.4")));
  EXPECT_TRUE(cache.find(0, "203.0.113.0/24")->locators[0].reachable);
  EXPECT_EQ(resolver.counters().locators_up, 1u);
  // A probe reply nobody asked for is refused.
  lisp::MapReply stray;
  stray.probe = true;
  stray.nonce = 0xdead;
  EXPECT_FALSE(resolver.handle_reply(stray, t0));
}

TEST(MappingFromRecord, KeepsPriorityWeightAndReachability) {
  lisp::MappingRecord r = record("203.0.113.0/24", {"192.0.2.4", "2001:db8::4"});
  r.locators[0].priority = 2;
  r.locators[0].weight = 30;
  r.locators[1].flags = 0;  // R clear: down
  auto mapping = mapping_from_record(r, 3, prefix("203.0.113.0/24"));
  EXPECT_EQ(mapping.instance_id, 3u);
  ASSERT_EQ(mapping.locators.size(), 2u);
  EXPECT_EQ(mapping.locators[0].priority, 2);
  EXPECT_EQ(mapping.locators[0].weight, 30);
  EXPECT_TRUE(mapping.locators[0].reachable);
  EXPECT_FALSE(mapping.locators[1].reachable);
  auto negative = record("203.0.113.0/24", {});
  negative.action = 2;
  EXPECT_EQ(mapping_from_record(negative, 0, prefix("203.0.113.0/24")).action,
            dataplane::MapAction::kSendMapRequest);
}

}  // namespace
}  // namespace lispmob::control

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeMapCache;
using testing::ip;
using testing::prefix;

// RFC 9300 §7.2: an ICMP report about our LISP packets to an RLOC lowers
// that locator's path MTU in every mapping that uses it, for a while.
class PathMtuResolverTest : public ::testing::Test {
 protected:
  PathMtuResolverTest()
      : resolver_(
            {ip("192.0.2.2")}, {}, [this] { return ++nonce_; }, cache_) {
    resolver_.set_local(
        LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
    EXPECT_TRUE(resolver_
                    .install_static({0,
                                     prefix("203.0.113.0/24"),
                                     dataplane::MapAction::kEncapsulate,
                                     {{ip("192.0.2.4")}, {ip("192.0.2.44")}}})
                    .ok());
  }
  FakeMapCache cache_;
  uint64_t nonce_ = 0;
  Resolver resolver_;
  const TimePoint t0_{};
};

TEST_F(PathMtuResolverTest, ReportLowersThatLocatorsPathMtu) {
  resolver_.learn_path_mtu(ip("192.0.2.4"), 1400, t0_);
  const auto* mapping = cache_.find(0, "203.0.113.0/24");
  ASSERT_NE(mapping, nullptr);
  EXPECT_EQ(mapping->locators[0].path_mtu, 1400);
  EXPECT_EQ(mapping->locators[1].path_mtu, 0) << "the other locator's path is not affected";
  EXPECT_EQ(resolver_.path_mtus().counters().learned, 1u);
}

TEST_F(PathMtuResolverTest, ReportsOnlyLowerAndNeverBelowTheFloor) {
  resolver_.learn_path_mtu(ip("192.0.2.4"), 1400, t0_);
  resolver_.learn_path_mtu(ip("192.0.2.4"), 1450, t0_);
  resolver_.learn_path_mtu(ip("192.0.2.4"), 300, t0_);
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24")->locators[0].path_mtu, 1400);
  EXPECT_EQ(resolver_.path_mtus().counters().ignored, 2u);
}

TEST_F(PathMtuResolverTest, ReportForAnRlocWeDoNotUseIsIgnored) {
  resolver_.learn_path_mtu(ip("192.0.2.99"), 1400, t0_);
  EXPECT_EQ(resolver_.path_mtus().size(), 0u);
  EXPECT_EQ(resolver_.counters().path_mtu_unknown_rloc, 1u);
}

TEST_F(PathMtuResolverTest, LearnedMtuLapsesAfterTenMinutes) {
  resolver_.learn_path_mtu(ip("192.0.2.4"), 1400, t0_);
  resolver_.poll(t0_ + seconds(599));
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24")->locators[0].path_mtu, 1400);
  resolver_.poll(t0_ + seconds(601));
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24")->locators[0].path_mtu, 0);
  EXPECT_EQ(resolver_.path_mtus().counters().expired, 1u);
}

TEST_F(PathMtuResolverTest, ReportsAreBoundedPerSecond) {
  for (unsigned i = 0; i < Resolver::kPathMtuReportsPerSecond + 50; ++i) {
    resolver_.learn_path_mtu(ip("192.0.2.4"), 1400, t0_ + milliseconds(i % 900));
  }
  EXPECT_EQ(resolver_.counters().path_mtu_rate_limited, 50u);
  resolver_.learn_path_mtu(ip("192.0.2.44"), 1300, t0_ + seconds(2));
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24")->locators[1].path_mtu, 1300) << "a new second";
}

TEST(PathMtuTable, FullTableRefusesWithACounter) {
  PathMtuTable table({std::chrono::seconds(600), 2});
  const TimePoint t0{};
  EXPECT_TRUE(table.report(ip("192.0.2.1"), 1400, t0));
  EXPECT_TRUE(table.report(ip("192.0.2.2"), 1400, t0));
  EXPECT_FALSE(table.report(ip("192.0.2.3"), 1400, t0));
  EXPECT_EQ(table.counters().table_full, 1u);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_FALSE(table.report(ip("2001:db8::1"), 1279, t0)) << "below the IPv6 minimum";
  EXPECT_TRUE(table.report(ip("192.0.2.1"), 1300, t0)) << "lower, for a known RLOC";
}

}  // namespace
}  // namespace lispmob::control

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeMapCache;
using testing::ip;
using testing::prefix;

// A flood of SMRs cannot turn us into an amplifier aimed at the mapping
// system: SMR-invoked Map-Requests are bounded per source and in total.
class SmrFloodTest : public ::testing::Test {
 protected:
  SmrFloodTest()
      : resolver_(
            {ip("192.0.2.2")}, options(), [this] { return ++nonce_; }, cache_) {
    resolver_.set_local(
        LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
    EXPECT_TRUE(resolver_
                    .install_static({0,
                                     prefix("203.0.113.0/24"),
                                     dataplane::MapAction::kEncapsulate,
                                     {{ip("192.0.2.4")}}})
                    .ok());
  }
  static Resolver::Options options() {
    Resolver::Options options;
    options.min_request_interval = std::chrono::milliseconds(0);  // every EID at once
    return options;
  }
  lisp::MapRequest smr_for(uint32_t host) {
    lisp::MapRequest smr;
    smr.smr = true;
    smr.nonce = host;
    smr.source_eid = net::IpAddress::v4(0xcb007100u | (host & 0xff));  // in 203.0.113.0/24
    smr.itr_rlocs = {ip("192.0.2.4")};
    smr.records = {lisp::EidRecord{0, 32, ip("198.18.0.10")}};
    return smr;
  }
  FakeMapCache cache_;
  uint64_t nonce_ = 0;
  Resolver resolver_;
  const TimePoint t0_{};
};

TEST_F(SmrFloodTest, OneSourceGetsAFewSmrInvokedRequestsASecond) {
  size_t sent = 0;
  for (uint32_t i = 0; i < 200; ++i) {
    sent += resolver_.handle_smr(smr_for(i), ip("192.0.2.66"), t0_ + milliseconds(i)).size();
  }
  EXPECT_EQ(sent, 5u) << "the per-source burst; no refill within 200 ms at 5/s beyond it";
  EXPECT_EQ(resolver_.counters().smr_invoked_rate_limited, 195u);
}

TEST_F(SmrFloodTest, ManySpoofedSourcesStopAtTheTotalLimit) {
  size_t sent = 0;
  for (uint32_t i = 0; i < 1000; ++i) {
    sent += resolver_.handle_smr(smr_for(i), net::IpAddress::v4(0x0a000000u + i), t0_).size();
  }
  EXPECT_EQ(sent, 100u) << "smr_invoked_total_per_second";
  EXPECT_EQ(resolver_.counters().smr_invoked_rate_limited, 900u);
  // A second later there is room again.
  EXPECT_EQ(resolver_.handle_smr(smr_for(200), ip("10.9.9.9"), t0_ + seconds(1)).size(), 1u)
      << "an EID not yet asked for";
}

// Traffic decides what is refreshed: the data plane's marks of use.
TEST_F(ResolverTest, AnEntryNoTrafficUsedLapsesInsteadOfBeingRefreshed) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.4"}, 10)), t0_);
  cache_.used.emplace();  // no traffic from here on
  for (int s = 1; s < 600; ++s) {
    EXPECT_TRUE(resolver_.poll(t0_ + seconds(s)).empty()) << "no refresh at " << s << " s";
  }
  resolver_.poll(t0_ + seconds(600));
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24"), nullptr);
  EXPECT_EQ(resolver_.counters().lapsed_unused, 1u);
  EXPECT_EQ(resolver_.counters().expired, 1u);
}

TEST_F(ResolverTest, AnEntryUsedLateInItsTtlIsStillRefreshed) {
  auto request = request_in(resolver_.resolve(0, ip("203.0.113.10"), t0_)[0]);
  resolver_.handle_reply(reply_to(request, record("203.0.113.0/24", {"192.0.2.4"}, 10)), t0_);
  cache_.used.emplace();
  for (int s = 1; s < 570; ++s) EXPECT_TRUE(resolver_.poll(t0_ + seconds(s)).empty());
  cache_.used->emplace_back(0, prefix("203.0.113.0/24"));  // a packet, 30 s before the end
  auto refresh = resolver_.poll(t0_ + seconds(570));
  ASSERT_EQ(refresh.size(), 1u);
  EXPECT_EQ(request_in(refresh[0]).records[0].eid, lisp::Address(ip("203.0.113.10")));
}

// map-cache-max-entries, per address family, static entries included.
class MapCacheLimitTest : public ::testing::Test {
 protected:
  MapCacheLimitTest()
      : resolver_(
            {ip("192.0.2.2")}, options(), [this] { return ++nonce_; }, cache_) {
    resolver_.set_local(LocalSnapshot::of(LocalIdentity{
        {{0, prefix("198.18.0.10/32")}, {0, prefix("2001:db8:a::10/128")}}, {ip("192.0.2.5")}}));
  }
  static Resolver::Options options() {
    Resolver::Options options;
    options.max_entries = 3;
    return options;
  }
  // Resolves `eid` and answers with `eid_prefix`.
  void learn(const char* eid, const char* eid_prefix, TimePoint at) {
    auto sent = resolver_.resolve(0, ip(eid), at);
    ASSERT_EQ(sent.size(), 1u) << eid;
    ASSERT_TRUE(resolver_.handle_reply(
        reply_to(request_in(sent[0]), record(eid_prefix, {"192.0.2.4"}, 10)), at));
  }
  FakeMapCache cache_;
  uint64_t nonce_ = 0;
  Resolver resolver_;
  const TimePoint t0_{};
};

TEST_F(MapCacheLimitTest, AFullMapCacheGivesUpTheEntryTrafficUsedLeastRecently) {
  dataplane::Mapping fixed{
      0, prefix("192.0.2.128/25"), dataplane::MapAction::kEncapsulate, {{ip("192.0.2.9"), 1, 100}}};
  ASSERT_TRUE(resolver_.install_static(fixed).ok());
  cache_.used.emplace();
  learn("203.0.113.1", "203.0.113.0/24", t0_);
  learn("198.51.100.1", "198.51.100.0/24", t0_ + seconds(1));
  // Traffic to the older one only: the newer one is the least recently used.
  cache_.used->emplace_back(0, prefix("203.0.113.0/24"));
  resolver_.poll(t0_ + seconds(5));
  learn("2001:db8:1::1", "2001:db8:1::/48", t0_ + seconds(6));  // IPv6: its own count
  EXPECT_EQ(resolver_.counters().evicted, 0u);
  learn("192.0.2.1", "192.0.2.0/26", t0_ + seconds(7));
  EXPECT_EQ(resolver_.counters().evicted, 1u);
  EXPECT_EQ(cache_.find(0, "198.51.100.0/24"), nullptr) << "least recently used";
  EXPECT_NE(cache_.find(0, "203.0.113.0/24"), nullptr);
  EXPECT_NE(cache_.find(0, "192.0.2.0/26"), nullptr);
  EXPECT_NE(cache_.find(0, "192.0.2.128/25"), nullptr) << "static entries never go";
  EXPECT_NE(cache_.find(0, "2001:db8:1::/48"), nullptr);
  size_t ipv4 = 0;
  for (const auto& [key, mapping] : cache_.entries) ipv4 += mapping.prefix.address.is_v4();
  EXPECT_EQ(ipv4, 3u);
}

TEST_F(MapCacheLimitTest, AMapCacheFullOfStaticEntriesRefusesWithACounter) {
  for (const char* text : {"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"}) {
    ASSERT_TRUE(
        resolver_
            .install_static(
                {0, prefix(text), dataplane::MapAction::kEncapsulate, {{ip("192.0.2.9"), 1, 100}}})
            .ok());
  }
  EXPECT_FALSE(resolver_
                   .install_static({0,
                                    prefix("10.3.0.0/16"),
                                    dataplane::MapAction::kEncapsulate,
                                    {{ip("192.0.2.9"), 1, 100}}})
                   .ok());
  auto sent = resolver_.resolve(0, ip("203.0.113.1"), t0_);
  ASSERT_EQ(sent.size(), 1u);
  resolver_.handle_reply(reply_to(request_in(sent[0]), record("203.0.113.0/24", {"192.0.2.4"})),
                         t0_);
  EXPECT_EQ(cache_.find(0, "203.0.113.0/24"), nullptr);
  EXPECT_EQ(resolver_.counters().cache_full, 2u);
  EXPECT_EQ(cache_.entries.size(), 3u);
}

TEST_F(MapCacheLimitTest, ALowerLimitOnReloadGivesUpTheLeastRecentlyUsedAtOnce) {
  cache_.used.emplace();
  learn("203.0.113.1", "203.0.113.0/24", t0_);
  learn("198.51.100.1", "198.51.100.0/24", t0_ + seconds(1));
  learn("192.0.2.1", "192.0.2.0/26", t0_ + seconds(2));
  auto lower = options();
  lower.max_entries = 1;
  resolver_.set_options(lower);
  EXPECT_EQ(resolver_.counters().evicted, 2u);
  ASSERT_EQ(cache_.entries.size(), 1u);
  EXPECT_NE(cache_.find(0, "192.0.2.0/26"), nullptr) << "the most recent stays";
}

// A scan of many unknown destinations: at most misses_per_second Map-Requests.
TEST(ResolverMisses, MissesToManyDestinationsAreAskedAboutAtTheConfiguredRate) {
  FakeMapCache cache;
  uint64_t nonce = 0;
  Resolver::Options options;
  options.misses_per_second = 100;
  Resolver resolver(
      {ip("192.0.2.2")}, options, [&] { return ++nonce; }, cache);
  resolver.set_local(
      LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
  size_t sent = 0;
  uint32_t destination = 0x0a000000u;
  // 10 s of 10,000 distinct destinations a second.
  for (int ms = 0; ms < 10000; ++ms) {
    const TimePoint now = TimePoint{} + milliseconds(ms);
    for (int i = 0; i < 10; ++i) {
      sent += resolver.resolve(0, net::IpAddress::v4(destination++), now).size();
    }
    sent += resolver.poll(now).size();  // retries of the unanswered: counted too
  }
  EXPECT_LE(sent, 100u + 10 * 100u) << "the burst, then 100 a second, retries included";
  EXPECT_GE(sent, 10 * 100u);
  EXPECT_EQ(resolver.counters().requests_sent + resolver.counters().retransmissions, sent);
}

TEST(ResolverPending, OutstandingRequestsAreCapped) {
  FakeMapCache cache;
  uint64_t nonce = 0;
  Resolver::Options options;
  options.max_pending = 50;
  options.misses_per_second = 0;
  Resolver resolver(
      {ip("192.0.2.2")}, options, [&] { return ++nonce; }, cache);
  resolver.set_local(
      LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.5")}}));
  size_t sent = 0;
  for (uint32_t i = 0; i < 200; ++i) {
    sent += resolver.resolve(0, net::IpAddress::v4(0xc6336400u + i), TimePoint{}).size();
  }
  EXPECT_EQ(sent, 50u);
  EXPECT_EQ(resolver.outstanding(), 50u);
  EXPECT_EQ(resolver.counters().pending_table_full, 150u);
}

}  // namespace
}  // namespace lispmob::control
