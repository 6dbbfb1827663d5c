// Golden packets through real ethdevs: net_ring ports for the EID side, the
// RLOC side and the kernel twin, driven by the worker's own loop.
#include "dataplane/worker.h"

#include <atomic>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>

#include "dataplane/ports.h"
#include "tests/dataplane/fixture.h"
#include "tests/dataplane/golden_packets.h"
#include "tests/support/bytes.h"

namespace lispmob::dataplane {
namespace {

using testing::ip;
using testing::with_source_port;

// A net_ring port whose RX and TX rings the test holds.
struct RingPort {
  rte_ring* rx = nullptr;  // the test enqueues here: the port receives it
  rte_ring* tx = nullptr;  // the port transmits here: the test dequeues it
  uint16_t id = 0;
};

class WorkerTest : public testing::DataplaneTest {
 protected:
  void SetUp() override {
    DataplaneTest::SetUp();
    for (RingPort* port : {&eid_, &rloc_, &kernel_}) {
      static int number = 0;
      const std::string name = "wt" + std::to_string(number++);
      port->rx =
          rte_ring_create((name + "rx").c_str(), 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
      port->tx =
          rte_ring_create((name + "tx").c_str(), 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
      ASSERT_NE(port->rx, nullptr);
      ASSERT_NE(port->tx, nullptr);
      const int id = rte_eth_from_rings(name.c_str(), &port->rx, 1, &port->tx, 1, SOCKET_ID_ANY);
      ASSERT_GE(id, 0);
      port->id = static_cast<uint16_t>(id);
      PortOptions options;
      options.pool = pool_;
      ASSERT_TRUE(start_port(port->id, options).ok());
    }
    publisher_ = std::make_unique<LocalStatePublisher>(qsbr_);
    publisher_->publish(local_);
    config_.eid_port = eid_.id;
    config_.rloc_ports[0] = rloc_.id;
    config_.kernel_ports[0] = kernel_.id;
    config_.cache = cache_.get();
    config_.local = publisher_.get();
    config_.qsbr = qsbr_;
    config_.counters = &counters_;
    worker_context_ = make_context(config_, 0);
    worker_context_.random_state = 1;  // the golden nonce
  }
  void TearDown() override {
    for (RingPort* port : {&eid_, &rloc_, &kernel_}) {
      stop_port(port->id);
      rte_ring_free(port->rx);
      rte_ring_free(port->tx);
    }
    publisher_.reset();
    DataplaneTest::TearDown();
  }
  void send(RingPort& port, const std::vector<uint8_t>& frame) {
    ASSERT_EQ(rte_ring_enqueue(port.rx, packet(frame)), 0);
  }
  // The frames `port` transmitted, freed.
  std::vector<std::vector<uint8_t>> sent(RingPort& port) {
    std::vector<std::vector<uint8_t>> frames;
    void* object;
    while (rte_ring_dequeue(port.tx, &object) == 0) {
      auto* m = static_cast<rte_mbuf*>(object);
      frames.push_back(bytes_of(m));
      rte_pktmbuf_free(m);
    }
    return frames;
  }

  RingPort eid_, rloc_, kernel_;
  std::unique_ptr<LocalStatePublisher> publisher_;
  WorkerConfig config_;
  PathContext worker_context_;
};

TEST_F(WorkerTest, EncapDecapAndKernelTrafficThroughPorts) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  send(eid_, golden::kInner4Frame);
  send(rloc_, golden::kArriving4in4);
  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  send(rloc_, arp);
  std::vector<uint8_t> from_kernel = golden::kArriving6in6;  // anything the kernel sends
  send(kernel_, from_kernel);
  poll_once(config_, worker_context_);

  auto to_network = sent(rloc_);
  ASSERT_EQ(to_network.size(), 2u);
  const uint32_t hash =
      flow_hash(golden::kInner4Frame.data() + 14, golden::kInner4Frame.size() - 14);
  auto expected = golden::kEncap4in4;
  expected[34] = static_cast<uint8_t>((0xc000 | (hash & 0x3fff)) >> 8);
  expected[35] = static_cast<uint8_t>(0xc000 | (hash & 0x3fff));
  EXPECT_EQ(lispmob::testing::to_hex(to_network[0]), lispmob::testing::to_hex(expected));
  EXPECT_EQ(to_network[1], from_kernel) << "the kernel's traffic leaves unchanged";
  auto to_host = sent(eid_);
  ASSERT_EQ(to_host.size(), 1u);
  EXPECT_EQ(lispmob::testing::to_hex(to_host[0]), lispmob::testing::to_hex(golden::kDelivered4));
  auto to_kernel = sent(kernel_);
  ASSERT_EQ(to_kernel.size(), 1u);
  EXPECT_EQ(to_kernel[0], arp);
  EXPECT_EQ(counters_.rx_packets, 4u);
  EXPECT_EQ(counters_.tx_packets, 4u);
  EXPECT_EQ(counters_.encapsulated, 1u);
  EXPECT_EQ(counters_.decapsulated, 1u);
  EXPECT_EQ(counters_.to_kernel, 1u);
}

TEST_F(WorkerTest, EveryAddressFamilyCombinationThroughPorts) {
  struct Case {
    const char* eid_prefix;
    const char* rloc;
    const std::vector<uint8_t>& input;
    const std::vector<uint8_t>& golden;
  };
  const Case cases[] = {
      {"203.0.113.0/24", "192.0.2.4", golden::kInner4Frame, golden::kEncap4in4},
      {"2001:db8:2::/48", "192.0.2.4", golden::kInner6Frame, golden::kEncap6in4},
      {"203.0.113.0/24", "2001:db8:ff::4", golden::kInner4Frame, golden::kEncap4in6},
      {"2001:db8:2::/48", "2001:db8:ff::4", golden::kInner6Frame, golden::kEncap6in6},
  };
  for (const auto& c : cases) {
    add(c.eid_prefix, {{ip(c.rloc)}});
    worker_context_.random_state = 1;
    worker_context_.ip_id = 0;
    send(eid_, c.input);
    poll_once(config_, worker_context_);
    auto frames = sent(rloc_);
    ASSERT_EQ(frames.size(), 1u) << c.eid_prefix << " via " << c.rloc;
    EXPECT_EQ(lispmob::testing::to_hex(frames[0]),
              lispmob::testing::to_hex(with_source_port(c.golden, c.input)))
        << c.eid_prefix << " via " << c.rloc;
  }
  // And back: IPv6 in IPv6 decapsulated to the host.
  send(rloc_, golden::kArriving6in6);
  poll_once(config_, worker_context_);
  auto delivered = sent(eid_);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0], golden::kDelivered6);
}

TEST_F(WorkerTest, MultihomingNegativeMissMalformedAndHeadroomThroughPorts) {
  add("203.0.113.0/24", {{ip("192.0.2.4"), 1, 50}, {ip("192.0.2.44"), 1, 50}});
  add("203.0.113.128/25", {}, 0, MapAction::kDrop);
  // Multihoming: 64 flows over two equal locators, each flow on one RLOC.
  std::map<uint8_t, int> by_rloc;
  for (uint8_t flow = 0; flow < 64; ++flow) {
    auto frame = golden::kInner4Frame;
    frame[14 + 15] = flow;  // source address varies the flow
    send(eid_, frame);
  }
  poll_once(config_, worker_context_);
  poll_once(config_, worker_context_);
  for (const auto& frame : sent(rloc_)) by_rloc[frame[14 + 19]]++;
  EXPECT_EQ(by_rloc[4] + by_rloc[44], 64);
  EXPECT_GT(by_rloc[4], 16);
  EXPECT_GT(by_rloc[44], 16);
  // Negative entry, miss, malformed: nothing leaves, each is counted.
  auto negative = golden::kInner4Frame;
  negative[14 + 19] = 200;  // 203.0.113.200, in the Drop /25
  auto miss = golden::kInner4Frame;
  miss[14 + 18] = 114;  // 203.0.114.10
  auto malformed = golden::kInner4Frame;
  malformed[14] = 0x41;  // IHL 1
  for (const auto& frame : {negative, miss, malformed}) send(eid_, frame);
  poll_once(config_, worker_context_);
  EXPECT_TRUE(sent(rloc_).empty());
  EXPECT_EQ(counters_.drop_negative, 1u);
  EXPECT_EQ(counters_.map_cache_miss, 1u);
  EXPECT_EQ(counters_.drop_malformed, 1u);
  // No headroom for the outer headers.
  rte_mbuf* tight = packet(golden::kInner4Frame, 16);
  ASSERT_EQ(rte_ring_enqueue(eid_.rx, tight), 0);
  poll_once(config_, worker_context_);
  EXPECT_TRUE(sent(rloc_).empty());
  EXPECT_EQ(counters_.drop_no_headroom, 1u);
  EXPECT_EQ(rte_mempool_avail_count(pool_), 4095u) << "every dropped mbuf was freed";
}

TEST_F(WorkerTest, HandoverSwapsTheSourceRloc) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  LocalState moved = local_;
  moved.rloc4 = {192, 0, 2, 77};
  publisher_->publish(moved);
  send(eid_, golden::kInner4Frame);
  poll_once(config_, worker_context_);
  auto frames = sent(rloc_);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0][14 + 15], 77) << "the new RLOC is the outer source";
}

TEST_F(WorkerTest, DroppedPacketsAreFreed) {
  for (int i = 0; i < 100; ++i) send(eid_, golden::kInner4Frame);  // all misses, no PETR
  poll_once(config_, worker_context_);
  poll_once(config_, worker_context_);
  poll_once(config_, worker_context_);
  poll_once(config_, worker_context_);
  EXPECT_TRUE(sent(rloc_).empty());
  EXPECT_EQ(counters_.drop_miss, 100u);
  EXPECT_EQ(rte_mempool_avail_count(pool_), 4095u);
}

// A site gateway: the EID port is a LAN port with its own twin. The hosts'
// frames are routed and encapsulated or handed to the LAN twin; the twin's
// frames leave by the LAN port unchanged; LISP for a host goes to its MAC,
// and for a host not resolved yet to the RLOC port's twin (the kernel).
TEST_F(WorkerTest, ASiteGatewaysLanPortAndItsTwin) {
  RingPort lan_twin;
  lan_twin.rx = rte_ring_create("lantwinrx", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  lan_twin.tx = rte_ring_create("lantwintx", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  const int id = rte_eth_from_rings("lantwin", &lan_twin.rx, 1, &lan_twin.tx, 1, SOCKET_ID_ANY);
  ASSERT_GE(id, 0);
  lan_twin.id = static_cast<uint16_t>(id);
  PortOptions options;
  options.pool = pool_;
  ASSERT_TRUE(start_port(lan_twin.id, options).ok());
  config_.eid_kernel_port = lan_twin.id;
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  LocalState gateway = local_;
  gateway.lan = true;
  gateway.lan_port_mac = testing::mac(0xee);
  publisher_->publish(gateway);

  send(eid_, golden::kInner4Frame);    // a host's packet to a mapped EID
  std::vector<uint8_t> arp(60, 0xff);  // a host's ARP request
  arp[12] = 0x08;
  arp[13] = 0x06;
  send(eid_, arp);
  const std::vector<uint8_t> from_kernel = golden::kDelivered6;  // the kernel's to a host
  send(lan_twin, from_kernel);
  send(rloc_, golden::kArriving4in4);  // for 198.18.0.10, not resolved yet
  poll_once(config_, worker_context_);

  auto to_network = sent(rloc_);
  ASSERT_EQ(to_network.size(), 1u);
  EXPECT_EQ(to_network[0][14 + 8], 63) << "one hop less";
  auto to_twin = sent(lan_twin);
  ASSERT_EQ(to_twin.size(), 1u);
  EXPECT_EQ(to_twin[0], arp);
  auto to_kernel = sent(kernel_);
  ASSERT_EQ(to_kernel.size(), 1u) << "the unresolved host's packet, for the kernel";
  EXPECT_EQ(to_kernel[0][5], 0x05) << "to the RLOC twin's MAC";
  auto to_lan = sent(eid_);
  ASSERT_EQ(to_lan.size(), 1u);
  EXPECT_EQ(to_lan[0], from_kernel) << "the twin's frame leaves unchanged";

  // Resolved: the next packet goes to the host's MAC, from the LAN port's.
  const auto host = ip("198.18.0.10");
  ASSERT_TRUE(gateway.adjacencies.insert(host.bytes().data(), false, testing::mac(0x77)));
  publisher_->publish(gateway);
  send(rloc_, golden::kArriving4in4);
  poll_once(config_, worker_context_);
  to_lan = sent(eid_);
  ASSERT_EQ(to_lan.size(), 1u);
  EXPECT_EQ(to_lan[0][5], 0x77);
  EXPECT_EQ(to_lan[0][11], 0xee);
  EXPECT_EQ(counters_.to_lan_host, 1u);
  EXPECT_EQ(counters_.adjacency_miss, 1u);
  EXPECT_EQ(counters_.lan_received, 2u);

  stop_port(lan_twin.id);
  rte_ring_free(lan_twin.rx);
  rte_ring_free(lan_twin.tx);
}

// Two workers, each on its own queue pair of every port (two ring pairs a
// port here; RSS is played by the test, which puts each flow on the queue
// its hash picks). Run at once on two lcores (sharing CPU 1 on this
// machine): every packet comes out exactly once, each flow by the queue of
// the worker that received it, and both workers did work.
class TwoWorkerTest : public testing::DataplaneTest {
 protected:
  struct Port {
    rte_ring* rx[2] = {};
    rte_ring* tx[2] = {};
    uint16_t id = 0;
  };
  void make_port(Port& port, const std::string& name) {
    for (int q = 0; q < 2; ++q) {
      port.rx[q] = rte_ring_create((name + "rx" + std::to_string(q)).c_str(), 2048, SOCKET_ID_ANY,
                                   RING_F_SP_ENQ | RING_F_SC_DEQ);
      port.tx[q] = rte_ring_create((name + "tx" + std::to_string(q)).c_str(), 2048, SOCKET_ID_ANY,
                                   RING_F_SP_ENQ | RING_F_SC_DEQ);
      ASSERT_NE(port.rx[q], nullptr);
      ASSERT_NE(port.tx[q], nullptr);
    }
    const int id = rte_eth_from_rings(name.c_str(), port.rx, 2, port.tx, 2, SOCKET_ID_ANY);
    ASSERT_GE(id, 0);
    port.id = static_cast<uint16_t>(id);
    PortOptions options;
    options.pool = pool_;
    options.queues = 2;
    options.rx_descriptors = options.tx_descriptors = 512;
    ASSERT_TRUE(start_port(port.id, options).ok());
  }
  void free_port(Port& port) {
    stop_port(port.id);
    for (int q = 0; q < 2; ++q) {
      void* object;
      while (rte_ring_dequeue(port.tx[q], &object) == 0) {
        rte_pktmbuf_free(static_cast<rte_mbuf*>(object));
      }
      rte_ring_free(port.rx[q]);
      rte_ring_free(port.tx[q]);
    }
  }
};

TEST_F(TwoWorkerTest, EveryPacketOnceAndEachFlowOnOneWorker) {
  Port eid, rloc, kernel;
  make_port(eid, "tw_eid");
  make_port(rloc, "tw_rloc");
  make_port(kernel, "tw_kernel");
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  LocalStatePublisher publisher(qsbr_);
  publisher.publish(local_);
  std::atomic<bool> stop{false};
  LcoreCounters counters[2];
  WorkerConfig configs[2];
  for (uint16_t w = 0; w < 2; ++w) {
    configs[w].eid_port = eid.id;
    configs[w].rloc_ports[0] = rloc.id;
    configs[w].kernel_ports[0] = kernel.id;
    configs[w].queue = w;
    configs[w].cache = cache_.get();
    configs[w].local = &publisher;
    configs[w].qsbr = qsbr_;
    configs[w].counters = &counters[w];
    configs[w].stop = &stop;
  }
  // 64 flows (source addresses) of 16 packets (ICMP sequence numbers),
  // each flow on the queue of its hash.
  constexpr int kFlows = 64, kPackets = 16;
  std::map<int, int> queue_of_flow;
  for (int flow = 0; flow < kFlows; ++flow) {
    auto frame = golden::kInner4Frame;
    frame[14 + 15] = static_cast<uint8_t>(flow);
    const int queue = static_cast<int>(flow_hash(frame.data() + 14, frame.size() - 14) % 2);
    queue_of_flow[flow] = queue;
    for (int seq = 0; seq < kPackets; ++seq) {
      frame[14 + 20 + 7] = static_cast<uint8_t>(seq);
      ASSERT_EQ(rte_ring_enqueue(eid.rx[queue], packet(frame)), 0);
    }
  }
  std::set<int> queues;
  for (const auto& entry : queue_of_flow) queues.insert(entry.second);
  ASSERT_EQ(queues.size(), 2u) << "the flows hash to both queues";

  unsigned lcores[2];
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (int w = 0; w < 2; ++w, lcore = rte_get_next_lcore(lcore, 1, 0)) {
    ASSERT_LT(lcore, RTE_MAX_LCORE) << "the test needs two worker lcores (--lcores 0,1,2@1)";
    lcores[w] = lcore;
    ASSERT_EQ(rte_eal_remote_launch(run_worker, &configs[w], lcore), 0);
  }
  for (int i = 0; i < 500 && rte_ring_count(rloc.tx[0]) + rte_ring_count(rloc.tx[1]) <
                                 static_cast<unsigned>(kFlows * kPackets);
       ++i) {
    rte_delay_us_sleep(10000);
  }
  stop = true;
  for (unsigned worker_lcore : lcores) rte_eal_wait_lcore(worker_lcore);

  std::map<std::pair<int, int>, int> seen;  // (flow, seq) -> times
  for (int queue = 0; queue < 2; ++queue) {
    void* object;
    while (rte_ring_dequeue(rloc.tx[queue], &object) == 0) {
      auto* m = static_cast<rte_mbuf*>(object);
      const uint8_t* inner = rte_pktmbuf_mtod(m, uint8_t*) + 14 + 36;
      const int flow = inner[15], seq = inner[20 + 7];
      seen[{flow, seq}]++;
      EXPECT_EQ(queue, queue_of_flow[flow]) << "flow " << flow << " left by another worker";
      rte_pktmbuf_free(m);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kFlows * kPackets));
  for (const auto& [packet_id, times] : seen) {
    EXPECT_EQ(times, 1) << "flow " << packet_id.first << " seq " << packet_id.second;
  }
  EXPECT_EQ(counters[0].encapsulated + counters[1].encapsulated,
            static_cast<uint64_t>(kFlows * kPackets));
  EXPECT_GT(counters[0].encapsulated, 0u);
  EXPECT_GT(counters[1].encapsulated, 0u);
  free_port(eid);
  free_port(rloc);
  free_port(kernel);
}

}  // namespace
}  // namespace lispmob::dataplane
