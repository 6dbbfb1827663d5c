// The MN/xTR control plane end to end, without sockets: a mobile node and
// an xTR (two XtrControl) and lispmob's Map-Server on a fake network that
// delivers every message at once (or drops what a test says). They
// register, resolve each other through the Map-Server (which forwards the
// ECM to the ETR), the MN's RLOC moves, and the xTR learns the new one
// through SMR before the old mapping's TTL is anywhere near.
#include "control/xtr/xtr_control.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "absl/strings/str_format.h"
#include "control/ms/map_server.h"
#include "tools/lispd_config.h"

#include "tests/control/fake_map_cache.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using testing::FakeMapCache;
using testing::ip;
using testing::prefix;

XtrConfig node_config(const char* eid, const char* rloc) {
  auto config = config::parse_text(absl::StrFormat(R"(
operating-mode = "xTR"
map-server { address = 192.0.2.2  key-type = 2  key = "site-key" }
database-mapping {
  eid-prefix = %s
  rloc-address { address = %s  priority = 1  weight = 100 }
}
)",
                                                   eid, rloc),
                                   "node.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return tools::xtr_config_of(*config);
}

// A mapping record of ours, as records_to_register builds it.
lisp::MappingRecord our_record(const char* eid, const char* rloc) {
  const auto p = prefix(eid);
  lisp::MappingRecord record;
  record.ttl_minutes = 10;
  record.eid_mask_len = p.length;
  record.eid = p.address;
  record.authoritative = true;
  lisp::Locator locator;
  locator.flags = lisp::Locator::kLocal | lisp::Locator::kReachable;
  locator.address = ip(rloc);
  record.locators = {locator};
  return record;
}

class XtrControlTest : public ::testing::Test {
 protected:
  XtrControlTest()
      : ms_({Site{0, prefix("198.18.0.0/16"), {{0, 2, "site-key"}}, true, false, false}}, {}),
        mn_config_(node_config("198.18.0.10/32", "192.0.2.5")),
        xtr_config_(node_config("198.18.1.0/24", "192.0.2.4")),
        mn_(
            mn_config_.map_servers, mn_config_.map_resolvers, {}, [this] { return ++nonce_; },
            mn_cache_),
        xtr_(
            xtr_config_.map_servers, xtr_config_.map_resolvers, {}, [this] { return ++nonce_; },
            xtr_cache_) {
    mn_.set_local({our_record("198.18.0.10/32", mn_rloc_)});
    xtr_.set_local({our_record("198.18.1.0/24", "192.0.2.4")});
  }

  // Delivers everything in flight, and what the answers cause, until quiet.
  void run(std::vector<Outgoing> out, const net::IpAddress& from, TimePoint now) {
    std::deque<std::pair<net::IpAddress, Outgoing>> queue;
    for (auto& message : out) queue.push_back({from, std::move(message)});
    while (!queue.empty()) {
      auto [source, message] = std::move(queue.front());
      queue.pop_front();
      ASSERT_FALSE(message.bytes.empty());
      auto decoded = lisp::decode_message(message.bytes);
      ASSERT_TRUE(decoded.ok());
      log_.push_back(lisp::summarize(*decoded));
      if (drop_ && drop_(message)) continue;
      const auto& to = message.destination.address;
      const Endpoint endpoint{source, 4342};
      std::vector<Outgoing> answers;
      if (to == ip("192.0.2.2")) {
        answers = ms_.handle(message.bytes, endpoint, now);
      } else if (to == ip(mn_rloc_)) {
        answers = mn_.handle(message.bytes, endpoint, now);
      } else if (to == ip("192.0.2.4")) {
        answers = xtr_.handle(message.bytes, endpoint, now);
      } else {
        continue;  // the address moved away: lost
      }
      for (auto& answer : answers) queue.push_back({to, std::move(answer)});
    }
  }
  void tick(TimePoint now) {
    run(mn_.poll(now), ip(mn_rloc_), now);
    run(xtr_.poll(now), ip("192.0.2.4"), now);
  }

  MapServer ms_;
  uint64_t nonce_ = 0;
  FakeMapCache mn_cache_, xtr_cache_;
  const char* mn_rloc_ = "192.0.2.5";
  XtrConfig mn_config_, xtr_config_;
  XtrControl mn_, xtr_;
  std::function<bool(const Outgoing&)> drop_;
  std::vector<std::string> log_;
  const TimePoint t0_{};
};

TEST_F(XtrControlTest, RegisterResolveAndHandOver) {
  tick(t0_);
  EXPECT_TRUE(mn_.registrar().state(0).registered);
  EXPECT_TRUE(xtr_.registrar().state(0).registered);
  EXPECT_EQ(ms_.registration_count(), 2u);

  // Each misses the other; the Map-Server forwards the ECM to the ETR,
  // which answers the ITR directly.
  run(mn_.miss(0, ip("198.18.1.1"), t0_), ip(mn_rloc_), t0_);
  run(xtr_.miss(0, ip("198.18.0.10"), t0_), ip("192.0.2.4"), t0_);
  EXPECT_EQ(ms_.counters().requests_forwarded, 2u);
  EXPECT_EQ(mn_cache_.rloc_for("198.18.1.0/24"), ip("192.0.2.4"));
  EXPECT_EQ(xtr_cache_.rloc_for("198.18.0.10/32"), ip("192.0.2.5"));
  EXPECT_EQ(xtr_.etr().counters().requests_answered, 1u);
  EXPECT_EQ(mn_.etr().counters().requests_answered, 1u);

  // The MN moves: it re-registers and sends an SMR; the xTR asks again
  // (SMR-invoked, through the Map-Server, to the MN's new RLOC).
  mn_rloc_ = "192.0.2.6";
  mn_.set_local({our_record("198.18.0.10/32", mn_rloc_)});
  const TimePoint moved = t0_ + seconds(30);
  tick(moved);
  EXPECT_GE(mn_.solicitor().counters().smr_sent, 1u);
  EXPECT_GE(xtr_.resolver().counters().smr_received, 1u);
  // The xTR's SMR-invoked request reached the MN's ETR: no more SMRs.
  EXPECT_EQ(mn_.solicitor().counters().smr_acknowledged, 1u);
  EXPECT_EQ(mn_.solicitor().pending(), 0u);
  EXPECT_EQ(xtr_cache_.rloc_for("198.18.0.10/32"), ip("192.0.2.6"));
  EXPECT_EQ(ms_.lookup(0, prefix("198.18.0.10/32"))->record.locators[0].address,
            lisp::Address(ip("192.0.2.6")));
}

TEST_F(XtrControlTest, LostSmrInvokedReplyIsRetriedAndTheOldMappingServesMeanwhile) {
  tick(t0_);
  run(mn_.miss(0, ip("198.18.1.1"), t0_), ip(mn_rloc_), t0_);
  run(xtr_.miss(0, ip("198.18.0.10"), t0_), ip("192.0.2.4"), t0_);
  mn_rloc_ = "192.0.2.6";
  mn_.set_local({our_record("198.18.0.10/32", mn_rloc_)});
  int dropped = 0;
  drop_ = [&](const Outgoing& message) {
    auto decoded = lisp::decode_message(message.bytes);
    if (std::holds_alternative<lisp::MapReply>(decoded->value) && dropped == 0) {
      dropped++;
      return true;
    }
    return false;
  };
  tick(t0_ + seconds(30));
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(xtr_cache_.rloc_for("198.18.0.10/32"), ip("192.0.2.5"))
      << "old mapping until the reply";
  tick(t0_ + seconds(31));
  EXPECT_EQ(xtr_cache_.rloc_for("198.18.0.10/32"), ip("192.0.2.6"));
  EXPECT_EQ(xtr_.resolver().counters().retransmissions, 1u);
}

TEST_F(XtrControlTest, EveryMessageDecodesAndRloCProbesAreAnswered) {
  tick(t0_);
  lisp::MapRequest probe;
  probe.probe = true;
  probe.nonce = 0x1234;
  probe.itr_rlocs = {ip("192.0.2.4")};
  probe.records = {lisp::EidRecord{0, 32, ip("198.18.0.10")}};
  auto answer = mn_.handle(encode_or_empty(probe), {ip("192.0.2.4"), 4342}, t0_);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].destination, (Endpoint{ip("192.0.2.4"), 4342}));
  auto reply = lisp::decode_message(answer[0].bytes);
  ASSERT_TRUE(reply.ok());
  const auto& map_reply = std::get<lisp::MapReply>(reply->value);
  EXPECT_TRUE(map_reply.probe);
  EXPECT_EQ(map_reply.nonce, 0x1234u);
  ASSERT_EQ(map_reply.records.size(), 1u);
  EXPECT_TRUE(map_reply.records[0].locators[0].probed());
  EXPECT_TRUE(map_reply.records[0].locators[0].local());
  EXPECT_EQ(mn_.etr().counters().probes_answered, 1u);
  // Garbage is counted, not answered.
  const std::vector<uint8_t> junk = {0x20, 0, 0};
  EXPECT_TRUE(mn_.handle(junk, {ip("192.0.2.4"), 4342}, t0_).empty());
  EXPECT_EQ(mn_.counters().malformed, 1u);
}

TEST(EtrResponder, AnswersOnlyForItsOwnPrefixesAtTheRequestsPortRateLimited) {
  EtrResponder etr({2, 2});
  etr.set_local(LocalSnapshot::of(
      std::vector<lisp::MappingRecord>{our_record("198.18.1.0/24", "192.0.2.4")}));
  lisp::MapRequest request;
  request.nonce = 5;
  request.itr_rlocs = {ip("2001:db8::5"), ip("192.0.2.5")};
  request.records = {lisp::EidRecord{0, 32, ip("198.18.1.7")}};
  const TimePoint t0{};
  auto reply = etr.answer(request, 61000, ip("192.0.2.2"), t0);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->destination, (Endpoint{ip("192.0.2.5"), 61000}))
      << "the first ITR-RLOC of a family we have";
  auto decoded = lisp::decode_message(reply->bytes);
  ASSERT_TRUE(decoded.ok());
  const auto& map_reply = std::get<lisp::MapReply>(decoded->value);
  EXPECT_EQ(map_reply.nonce, 5u);
  EXPECT_FALSE(map_reply.probe);
  ASSERT_EQ(map_reply.records.size(), 1u);
  EXPECT_EQ(map_reply.records[0].eid_mask_len, 24);
  EXPECT_TRUE(map_reply.records[0].authoritative);

  request.records = {lisp::EidRecord{0, 32, ip("198.18.2.7")}};
  EXPECT_FALSE(etr.answer(request, 4342, ip("192.0.2.2"), t0)) << "not ours";
  EXPECT_EQ(etr.counters().not_ours, 1u);
  request.records = {lisp::EidRecord{0, 16, ip("198.18.0.0")}};
  EXPECT_FALSE(etr.answer(request, 4342, ip("192.0.2.2"), t0)) << "wider than ours";

  request.records = {lisp::EidRecord{0, 32, ip("198.18.1.7")}};
  EXPECT_TRUE(etr.answer(request, 4342, ip("192.0.2.2"), t0));
  EXPECT_FALSE(etr.answer(request, 4342, ip("192.0.2.2"), t0)) << "burst of 2 spent";
  EXPECT_TRUE(etr.answer(request, 4342, ip("192.0.2.3"), t0)) << "another requester";
  EXPECT_TRUE(etr.answer(request, 4342, ip("192.0.2.2"), t0 + milliseconds(500)));
  EXPECT_EQ(etr.counters().rate_limited, 1u);
}

TEST(RateLimiter, TableStaysBoundedUnderSpoofedSources) {
  RateLimiter limiter(10, 2, 100);
  const TimePoint t0{};
  for (uint32_t i = 0; i < 10000; ++i) {
    EXPECT_TRUE(limiter.allow(net::IpAddress::v4(0x0a000000 + i), t0 + milliseconds(i)));
  }
  EXPECT_LE(limiter.sources(), 100u);
  const auto victim = ip("192.0.2.9");
  EXPECT_TRUE(limiter.allow(victim, t0));
  EXPECT_TRUE(limiter.allow(victim, t0));
  EXPECT_FALSE(limiter.allow(victim, t0));
  EXPECT_EQ(limiter.refused(), 1u);
}

}  // namespace
}  // namespace lispmob::control
