#include "control/xtr/registrar.h"

#include <gtest/gtest.h>

#include "common/crypto/auth.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

lisp::MappingRecord record(const char* rloc) {
  lisp::MappingRecord r;
  r.ttl_minutes = 10;
  r.eid_mask_len = 32;
  r.eid = ip("198.18.0.10");
  lisp::Locator locator;
  locator.address = ip(rloc);
  r.locators = {locator};
  return r;
}

class RegistrarTest : public ::testing::Test {
 protected:
  RegistrarTest()
      : ms_({Site{0, *net::IpPrefix::parse("198.18.0.0/24"), {{0, 1, "key"}}, true, false, false}},
            {}),
        registrar_({{ip("192.0.2.2"), 0, 1, "key", false}, {ip("192.0.2.3"), 0, 1, "key", false}},
                   {}, [this] { return ++counter_; }) {
    registrar_.set_local(LocalSnapshot::of(std::vector<lisp::MappingRecord>{record("192.0.2.5")}));
  }
  // The Map-Server answers every register that reaches it.
  void deliver(const std::vector<Outgoing>& registers, TimePoint now) {
    for (const auto& reg : registers) {
      for (const auto& notify : ms_.handle(reg.bytes, {ip("192.0.2.5"), 4342}, now)) {
        registrar_.handle(notify.bytes, now);
      }
    }
  }
  MapServer ms_;
  uint64_t counter_ = 0;
  Registrar registrar_;
  const TimePoint t0_{};
};

TEST_F(RegistrarTest, RegistersWithEveryMapServerAtOnceThenEveryMinute) {
  auto sent = registrar_.poll(t0_);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].destination, (Endpoint{ip("192.0.2.2"), 4342}));
  EXPECT_EQ(sent[1].destination, (Endpoint{ip("192.0.2.3"), 4342}));
  deliver(sent, t0_);
  EXPECT_TRUE(registrar_.state(0).registered);
  EXPECT_TRUE(registrar_.state(1).registered);
  EXPECT_EQ(registrar_.active_server(), 0u);
  EXPECT_TRUE(registrar_.poll(t0_ + seconds(59)).empty());
  EXPECT_EQ(registrar_.poll(t0_ + seconds(60)).size(), 2u);
}

TEST_F(RegistrarTest, LostNotifyIsRetransmittedWithBackoff) {
  registrar_.poll(t0_);         // lost
  std::vector<int> sent_at_ms;  // to the first Map-Server
  for (int ms = 1; ms <= 20000; ++ms) {
    for (const auto& reg : registrar_.poll(t0_ + milliseconds(ms))) {
      if (reg.destination.address == ip("192.0.2.2")) sent_at_ms.push_back(ms);
    }
  }
  ASSERT_GE(sent_at_ms.size(), 3u);
  // ~1 s, then ~2 s later, then ~4 s later (each +-10%).
  EXPECT_NEAR(sent_at_ms[0], 1000, 100);
  EXPECT_NEAR(sent_at_ms[1] - sent_at_ms[0], 2000, 200);
  EXPECT_NEAR(sent_at_ms[2] - sent_at_ms[1], 4000, 400);
}

// Map-Notifies lost for a while: the Map-Server keeps the registration
// (each retransmission refreshes it), and once they pass again the next
// retransmission, at most 10 s away, registers.
TEST_F(RegistrarTest, RetransmissionsDoubleUpToTenSeconds) {
  registrar_.poll(t0_);  // lost
  std::vector<int> sent_at_ms;
  for (int ms = 1; ms <= 60000; ++ms) {
    for (const auto& reg : registrar_.poll(t0_ + milliseconds(ms))) {
      if (reg.destination.address == ip("192.0.2.2")) sent_at_ms.push_back(ms);
    }
  }
  ASSERT_GE(sent_at_ms.size(), 6u);
  // 1, 2, 4, 8 s apart, then 10 s (each +-10%).
  for (size_t i = 4; i < sent_at_ms.size(); ++i) {
    EXPECT_NEAR(sent_at_ms[i] - sent_at_ms[i - 1], 10000, 1000) << i;
  }
  EXPECT_FALSE(registrar_.state(0).registered);
  // They pass again: the next retransmission is answered.
  const int last = sent_at_ms.back();
  for (int ms = 60001; ms <= last + 11000; ++ms)
    deliver(registrar_.poll(t0_ + milliseconds(ms)), t0_ + milliseconds(ms));
  EXPECT_TRUE(registrar_.state(0).registered);
}

TEST_F(RegistrarTest, NotifyWithBadHmacOrWrongNonceIsRefused) {
  auto sent = registrar_.poll(t0_);
  auto decoded = lisp::decode_message(sent[0].bytes);
  const auto& reg = std::get<lisp::MapRegister>(decoded->value);
  lisp::MapNotify notify;
  notify.nonce = reg.nonce;
  notify.auth.algorithm_id = 1;
  notify.records = reg.records;
  EXPECT_FALSE(registrar_.handle(*crypto::encode_authenticated(notify, "not-the-key"), t0_));
  notify.nonce = reg.nonce + 1;
  EXPECT_FALSE(registrar_.handle(*crypto::encode_authenticated(notify, "key"), t0_));
  EXPECT_EQ(registrar_.state(0).notifies_refused, 2u);
  EXPECT_FALSE(registrar_.state(0).registered);
  notify.nonce = reg.nonce;
  EXPECT_TRUE(registrar_.handle(*crypto::encode_authenticated(notify, "key"), t0_));
  EXPECT_TRUE(registrar_.state(0).registered);
}

TEST_F(RegistrarTest, ActiveServerChangesAfterThreeMisses) {
  // The first Map-Server is unreachable; the second answers.
  auto deliver_to_second = [&](const std::vector<Outgoing>& sent, TimePoint now) {
    std::vector<Outgoing> reachable;
    for (const auto& reg : sent) {
      if (reg.destination.address == ip("192.0.2.3")) reachable.push_back(reg);
    }
    deliver(reachable, now);
  };
  TimePoint now = t0_;
  deliver_to_second(registrar_.poll(now), now);
  EXPECT_TRUE(registrar_.state(1).registered) << "registered with both from the start";
  EXPECT_EQ(registrar_.active_server(), 0u);
  int polls = 0;
  while (registrar_.active_server() == 0 && polls++ < 100000) {
    now += milliseconds(10);
    deliver_to_second(registrar_.poll(now), now);
  }
  EXPECT_EQ(registrar_.active_server(), 1u);
  EXPECT_EQ(registrar_.state(0).misses_in_a_row, 3);
  EXPECT_EQ(registrar_.state(0).registers_sent, 4u) << "the first, then 3 unanswered retries";
  EXPECT_FALSE(registrar_.state(0).registered);
  EXPECT_TRUE(registrar_.state(1).registered);
  // The unreachable one is still retried (backoff capped at the interval).
  int retries = 0;
  for (int s = 0; s < 300; ++s) {
    now += seconds(1);
    for (const auto& reg : registrar_.poll(now))
      retries += reg.destination.address == ip("192.0.2.2");
  }
  EXPECT_GE(retries, 4);
}

TEST_F(RegistrarTest, RlocChangeRegistersAtOnce) {
  deliver(registrar_.poll(t0_), t0_);
  EXPECT_TRUE(registrar_.poll(t0_ + seconds(1)).empty());
  registrar_.set_local(LocalSnapshot::of(std::vector<lisp::MappingRecord>{record("192.0.2.6")}));
  auto sent = registrar_.poll(t0_ + seconds(1));
  ASSERT_EQ(sent.size(), 2u) << "to both Map-Servers";
  deliver(sent, t0_ + seconds(1));
  const auto* registration = ms_.lookup(0, *net::IpPrefix::parse("198.18.0.10/32"));
  ASSERT_NE(registration, nullptr);
  EXPECT_EQ(registration->record.locators[0].address.to_string(), "192.0.2.6");
  // The same records again change nothing.
  registrar_.set_local(LocalSnapshot::of(std::vector<lisp::MappingRecord>{record("192.0.2.6")}));
  EXPECT_TRUE(registrar_.poll(t0_ + seconds(2)).empty());
}

}  // namespace
}  // namespace lispmob::control
