#include "control/xtr/solicitor.h"

#include <gtest/gtest.h>

#include "tests/control/fake_map_cache.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ip;
using testing::prefix;

lisp::MapRequest decoded(const Outgoing& sent) {
  auto message = lisp::decode_message(sent.bytes);
  EXPECT_TRUE(message.ok());
  return std::get<lisp::MapRequest>(message->value);
}

class SolicitorTest : public ::testing::Test {
 protected:
  SolicitorTest() : solicitor_({}, [this] { return ++nonce_; }) {
    solicitor_.set_local(
        LocalSnapshot::of(LocalIdentity{{{0, prefix("198.18.0.10/32")}}, {ip("192.0.2.6")}}));
  }
  // The SMR-invoked Map-Request a peer at `rloc` (EID `eid`) sends after an SMR.
  static lisp::MapRequest smr_invoked_from(const char* eid, const char* rloc) {
    lisp::MapRequest request;
    request.smr_invoked = true;
    request.source_eid = ip(eid);
    request.itr_rlocs = {ip(rloc)};
    request.records = {lisp::EidRecord{0, 32, ip("198.18.0.10")}};
    return request;
  }
  uint64_t nonce_ = 0;
  Solicitor solicitor_;
  const TimePoint t0_{};
  const std::vector<Solicitor::Peer> peers_{
      {0, prefix("198.18.1.0/24"), ip("192.0.2.4")},
      {0, prefix("198.18.1.0/24"), ip("192.0.2.40")},
  };
};

TEST_F(SolicitorTest, EveryPeerRlocGetsAnSmrAboutItsPrefixFromOurNewRloc) {
  solicitor_.start(peers_, t0_);
  auto smrs = solicitor_.poll(t0_);
  ASSERT_EQ(smrs.size(), 2u);
  EXPECT_EQ(smrs[0].destination, (Endpoint{ip("192.0.2.4"), 4342}));
  EXPECT_EQ(smrs[1].destination, (Endpoint{ip("192.0.2.40"), 4342}));
  const auto smr = decoded(smrs[0]);
  EXPECT_TRUE(smr.smr);
  EXPECT_EQ(smr.source_eid, lisp::Address(ip("198.18.0.10"))) << "our EID";
  EXPECT_EQ(smr.itr_rlocs[0], lisp::Address(ip("192.0.2.6"))) << "our new RLOC";
  EXPECT_EQ(smr.records[0].eid, lisp::Address(ip("198.18.1.0")));
  EXPECT_EQ(smr.records[0].eid_mask_len, 24);
  EXPECT_EQ(solicitor_.counters().smr_sent, 2u);
}

// One lost SMR once cost a peer minutes on the old RLOC: now the SMR goes
// again, 50 ms then doubling, until the peer's SMR-invoked request arrives.
TEST_F(SolicitorTest, SmrsGoAgainWithBackoffUntilThePeerAsks) {
  solicitor_.start({peers_[0]}, t0_);
  ASSERT_EQ(solicitor_.poll(t0_).size(), 1u);  // lost on the way
  EXPECT_EQ(solicitor_.next_due(), t0_ + milliseconds(50));
  EXPECT_TRUE(solicitor_.poll(t0_ + milliseconds(49)).empty());
  ASSERT_EQ(solicitor_.poll(t0_ + milliseconds(50)).size(), 1u);
  EXPECT_EQ(solicitor_.next_due(), t0_ + milliseconds(150));
  ASSERT_EQ(solicitor_.poll(t0_ + milliseconds(150)).size(), 1u);
  EXPECT_EQ(solicitor_.next_due(), t0_ + milliseconds(350));
  EXPECT_EQ(solicitor_.counters().smr_retransmitted, 2u);
  // The peer asks (through the Map-Server, which forwarded it to us).
  solicitor_.acknowledged(smr_invoked_from("198.18.1.1", "192.0.2.4"));
  EXPECT_EQ(solicitor_.pending(), 0u);
  EXPECT_EQ(solicitor_.next_due(), std::nullopt);
  EXPECT_EQ(solicitor_.counters().smr_acknowledged, 1u);
}

// Up to 500 ms apart (a blackout of SMRs is followed within half a
// second of its end), for 10 s: 0, 50, 150, 350, 750, 1250 ... 9750 ms.
TEST_F(SolicitorTest, APeerThatNeverAsksIsToldEvery500MsAtMostThenGivenUp) {
  solicitor_.start({peers_[0]}, t0_);
  std::vector<TimePoint> sent_at;
  for (TimePoint now = t0_; now < t0_ + seconds(30); now += milliseconds(10)) {
    if (!solicitor_.poll(now).empty()) sent_at.push_back(now);
  }
  ASSERT_EQ(sent_at.size(), 23u);
  EXPECT_EQ(sent_at[4] - sent_at[3], milliseconds(400));
  EXPECT_EQ(sent_at[5] - sent_at[4], milliseconds(500));
  EXPECT_EQ(sent_at.back() - t0_, milliseconds(9750));
  EXPECT_EQ(solicitor_.counters().smr_given_up, 1u);
  EXPECT_EQ(solicitor_.pending(), 0u);
}

// The Map-Notify for the new registration: a peer that asked the
// Map-Server before it held our new RLOC never reached us; it is told again
// at once, and asks again.
TEST_F(SolicitorTest, TheMapNotifyTellsThePeersYetToAskAgainAtOnce) {
  solicitor_.start(peers_, t0_);
  ASSERT_EQ(solicitor_.poll(t0_).size(), 2u);
  solicitor_.acknowledged(smr_invoked_from("192.0.2.40", "192.0.2.40"));  // by ITR-RLOC
  EXPECT_EQ(solicitor_.pending(), 1u);
  solicitor_.registered(t0_ + milliseconds(10));
  auto again = solicitor_.poll(t0_ + milliseconds(10));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].destination.address, ip("192.0.2.4"));
}

TEST_F(SolicitorTest, TheProxyItrsAreAskedAboutOurOwnPrefixes) {
  solicitor_.set_local(LocalSnapshot::of(LocalIdentity{
      {{0, prefix("198.18.0.10/32")}, {0, prefix("2001:db8:a::/48")}}, {ip("192.0.2.6")}}));
  solicitor_.set_proxy_itrs({ip("192.0.4.9")});
  solicitor_.start({}, t0_);
  auto smrs = solicitor_.poll(t0_);
  ASSERT_EQ(smrs.size(), 2u) << "one per EID-prefix";
  for (const auto& sent : smrs) {
    EXPECT_EQ(sent.destination, (Endpoint{ip("192.0.4.9"), 4342}));
    const auto smr = decoded(sent);
    EXPECT_TRUE(smr.smr);
    EXPECT_EQ(smr.source_eid, smr.records[0].eid) << "asks about our own prefix";
  }
  EXPECT_EQ(decoded(smrs[1]).records[0].eid_mask_len, 48);
  // A Proxy-ITR's SMR-invoked request carries no source EID: its ITR-RLOC says who asked.
  lisp::MapRequest pitr;
  pitr.smr_invoked = true;
  pitr.itr_rlocs = {ip("192.0.4.9")};
  solicitor_.acknowledged(pitr);
  EXPECT_EQ(solicitor_.pending(), 0u);
}

// A flapping RLOC cannot turn into an SMR storm: 5 at once, then 10 per
// second per peer RLOC, however many rounds start.
TEST_F(SolicitorTest, SmrsToOneRlocAreRateLimited) {
  size_t sent = 0;
  for (int i = 0; i < 20; ++i) {
    solicitor_.start({peers_[0]}, t0_ + seconds(1));
    sent += solicitor_.poll(t0_ + seconds(1)).size();
  }
  EXPECT_EQ(sent, 5u);
  EXPECT_GT(solicitor_.counters().smr_rate_limited, 0u);
}

TEST_F(SolicitorTest, ThePeerTableIsBounded) {
  Solicitor::Options options;
  options.max_peers = 2;
  Solicitor small(options, [] { return 1; });
  std::vector<Solicitor::Peer> many;
  for (uint32_t i = 0; i < 5; ++i) {
    many.push_back({0, prefix("198.18.1.0/24"), net::IpAddress::v4(0xc0000200u + i)});
  }
  small.start(many, t0_);
  EXPECT_EQ(small.pending(), 2u);
  EXPECT_EQ(small.counters().smr_table_full, 3u);
}

}  // namespace
}  // namespace lispmob::control
