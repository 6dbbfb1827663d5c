// The control side rewrites 100k mappings while two worker lcores look them
// up and encapsulate through them (on this machine's two CPUs both readers
// share CPU 1: correctness, not speed). Run under ASan (build-asan), a
// worker that read a freed entry would be reported; at the end every mbuf
// is back in its pool.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <atomic>

#include "tests/dataplane/fixture.h"
#include "tests/dataplane/golden_packets.h"

namespace lispmob::dataplane {
namespace {

using testing::ip;

// One reader's own: its context and what it found. `stop` is shared.
struct WorkerShared {
  PathContext context;
  LcoreCounters counters;
  rte_mempool* pool;
  rte_rcu_qsbr* qsbr;
  const std::atomic<bool>* stop;
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bad_outer{0};
  // Set last by the worker, read after rte_eal_wait_lcore: the EAL's own
  // hand-over is not instrumented, so this is what shows ThreadSanitizer
  // that the worker is done before the QSBR variable is freed.
  std::atomic<bool> finished{false};
};

constexpr int kPrefixes = 256;

// The worker: encapsulates packets to 10.x.y.1 in a loop and checks every
// outer destination is one of the two RLOCs the writer ever installs.
int worker(void* argument) {
  auto* shared = static_cast<WorkerShared*>(argument);
  const unsigned lcore = rte_lcore_id();
  rte_rcu_qsbr_thread_register(shared->qsbr, lcore);
  rte_rcu_qsbr_thread_online(shared->qsbr, lcore);
  auto frame = golden::kInner4Frame;
  uint32_t n = 0;
  while (!shared->stop->load(std::memory_order_relaxed)) {
    const uint32_t index = n++ % kPrefixes;
    frame[14 + 16] = 10;
    frame[14 + 17] = static_cast<uint8_t>(index >> 8);
    frame[14 + 18] = static_cast<uint8_t>(index);
    rte_mbuf* m = rte_pktmbuf_alloc(shared->pool);
    if (m == nullptr) continue;
    auto* data = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
    std::copy(frame.begin(), frame.end(), reinterpret_cast<uint8_t*>(data));
    if (encapsulate(m, shared->context) == Verdict::kToRlocPort) {
      const uint8_t last = rte_pktmbuf_mtod(m, uint8_t*)[14 + 19];
      if (last != 4 && last != 44) shared->bad_outer++;
    }
    rte_pktmbuf_free(m);
    shared->packets++;
    rte_rcu_qsbr_quiescent(shared->qsbr, lcore);
  }
  rte_rcu_qsbr_thread_offline(shared->qsbr, lcore);
  rte_rcu_qsbr_thread_unregister(shared->qsbr, lcore);
  shared->finished.store(true, std::memory_order_release);
  return 0;
}

class RcuStressTest : public testing::DataplaneTest {};

TEST_F(RcuStressTest, HundredThousandRewritesUnderTraffic) {
  constexpr int kReaders = 2;
  std::atomic<bool> stop{false};
  WorkerShared readers[kReaders];
  unsigned lcores[kReaders];
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (int r = 0; r < kReaders; ++r, lcore = rte_get_next_lcore(lcore, 1, 0)) {
    ASSERT_LT(lcore, RTE_MAX_LCORE) << "the test needs two worker lcores (--lcores 0,1,2@1)";
    lcores[r] = lcore;
    readers[r].context = context_;
    readers[r].context.counters = &readers[r].counters;
    readers[r].context.random_state = static_cast<uint32_t>(r + 1);
    readers[r].pool = pool_;
    readers[r].qsbr = qsbr_;
    readers[r].stop = &stop;
  }
  for (int r = 0; r < kReaders; ++r) {
    ASSERT_EQ(rte_eal_remote_launch(worker, &readers[r], lcores[r]), 0);
  }
  // A failed assertion below returns early: the readers must stop anyway.
  struct StopReaders {
    std::atomic<bool>& stop;
    ~StopReaders() {
      stop = true;
      rte_eal_mp_wait_lcore();
    }
  } stop_readers{stop};

  int rewrites = 0;
  int narrower_added = 0, refused = 0;
  for (int round = 0; rewrites < 100000; ++round) {
    for (int i = 0; i < kPrefixes && rewrites < 100000; ++i, ++rewrites) {
      const std::string prefix =
          "10." + std::to_string(i >> 8) + "." + std::to_string(i & 0xff) + ".0/24";
      // Alternate replace and delete+add, and flip the RLOC, so entries and
      // slots are recycled under the workers.
      if ((round + i) % 3 == 0) {
        (void)cache_->erase(0, testing::prefix(prefix.c_str()));
      }
      // A /25 over the readers' destination (10.x.y.1), added and taken out
      // again: its LPM group is made and collapsed, and recycled, under them.
      const auto half = testing::prefix(
          ("10." + std::to_string(i >> 8) + "." + std::to_string(i & 0xff) + ".0/25").c_str());
      if ((round + i) % 2 == 0) {
        Mapping narrower{0, half, MapAction::kEncapsulate, {{ip("192.0.2.44")}}};
        // With a reader off its CPU, groups retired wait out its grace
        // period; the table's cap may then refuse, as it must, and count it.
        auto status = cache_->upsert(narrower);
        if (status.code() == absl::StatusCode::kResourceExhausted) {
          ++refused;
        } else {
          ASSERT_TRUE(status.ok()) << status << " at rewrite " << rewrites;
          ++narrower_added;
        }
      } else {
        (void)cache_->erase(0, half);
      }
      Mapping mapping{0,
                      testing::prefix(prefix.c_str()),
                      MapAction::kEncapsulate,
                      {{ip((round + i) % 2 ? "192.0.2.4" : "192.0.2.44")}}};
      auto status = cache_->upsert(mapping);
      ASSERT_TRUE(status.ok()) << status << " at rewrite " << rewrites;
      // IPv6 too: its groups are made under the workers.
      Mapping v6{0,
                 testing::prefix(("2001:db8:" + std::to_string(i) + "::/48").c_str()),
                 MapAction::kEncapsulate,
                 {{ip("192.0.2.4")}}};
      if (i % 16 == 0) {
        ASSERT_TRUE(cache_->upsert(v6).ok());
      }
    }
  }
  cache_->flush();
  std::printf("%d /25s added, %d refused (groups all in use or waiting), %lu counted\n",
              narrower_added, refused, static_cast<unsigned long>(cache_->failed_adds()));
  EXPECT_GT(narrower_added, 10000);
  EXPECT_EQ(cache_->failed_adds(), static_cast<uint64_t>(refused));
  stop = true;
  for (int r = 0; r < kReaders; ++r) {
    rte_eal_wait_lcore(lcores[r]);
    EXPECT_TRUE(readers[r].finished.load(std::memory_order_acquire));
    std::printf("worker %d encapsulated %lu packets during %d rewrites\n", r,
                static_cast<unsigned long>(readers[r].packets.load()), rewrites);
    EXPECT_GT(readers[r].packets.load(), 0u) << "reader " << r;
    EXPECT_EQ(readers[r].bad_outer.load(), 0u) << "reader " << r;
  }
  EXPECT_EQ(rte_mempool_avail_count(pool_), 4095u);
}

}  // namespace
}  // namespace lispmob::dataplane
