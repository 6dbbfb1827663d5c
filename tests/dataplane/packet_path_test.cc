// Golden packets: a built input frame, the exact output frame and verdict.
#include "dataplane/packet_path.h"

#include <gtest/gtest.h>
#include <rte_ring.h>

#include <map>
#include <set>
#include <string>

#include "tests/dataplane/fixture.h"
#include "tests/dataplane/golden_packets.h"
#include "tests/support/bytes.h"

namespace lispmob::dataplane {
namespace {

using testing::ip;
using testing::with_source_port;

class PacketPathTest : public testing::DataplaneTest {
 protected:
  void expect_encap(const std::vector<uint8_t>& input, const std::vector<uint8_t>& golden) {
    rte_mbuf* m = packet(input);
    ASSERT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
    EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)),
              lispmob::testing::to_hex(with_source_port(golden, input)));
    rte_pktmbuf_free(m);
  }
};

TEST_F(PacketPathTest, Encap4in4) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  expect_encap(golden::kInner4Frame, golden::kEncap4in4);
  EXPECT_EQ(counters_.encapsulated, 1u);
}

TEST_F(PacketPathTest, Encap6in4) {
  add("2001:db8:2::/48", {{ip("192.0.2.4")}});
  expect_encap(golden::kInner6Frame, golden::kEncap6in4);
}

TEST_F(PacketPathTest, Encap4in6) {
  add("203.0.113.0/24", {{ip("2001:db8:ff::4")}});
  expect_encap(golden::kInner4Frame, golden::kEncap4in6);
}

TEST_F(PacketPathTest, Encap6in6) {
  add("2001:db8:2::/48", {{ip("2001:db8:ff::4")}});
  expect_encap(golden::kInner6Frame, golden::kEncap6in6);
}

TEST_F(PacketPathTest, EncapWithInstanceId) {
  local_.instance_id = 7;
  add("203.0.113.0/24", {{ip("192.0.2.4")}}, 7);
  expect_encap(golden::kInner4Frame, golden::kEncap4in4Iid7);
}

TEST_F(PacketPathTest, MultihomingSplitsFlowsByWeight) {
  add("203.0.113.0/24", {{ip("192.0.2.4"), 1, 75}, {ip("192.0.2.44"), 1, 25}});
  std::map<uint8_t, int> by_rloc;
  for (uint16_t flow = 0; flow < 4000; ++flow) {
    auto frame = golden::kInner4Frame;
    frame[14 + 24] = static_cast<uint8_t>(flow >> 8);  // ICMP id varies the 5-tuple...
    frame[14 + 25] = static_cast<uint8_t>(flow);
    frame[14 + 12 + 3] = static_cast<uint8_t>(flow);  // ...and so does the source address
    rte_mbuf* m = packet(frame);
    ASSERT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
    by_rloc[rte_pktmbuf_mtod(m, uint8_t*)[14 + 19]]++;  // last byte of the outer destination
    // One flow always takes one RLOC.
    rte_mbuf* again = packet(frame);
    ASSERT_EQ(encapsulate(again, context_), Verdict::kToRlocPort);
    EXPECT_EQ(rte_pktmbuf_mtod(again, uint8_t*)[14 + 19], rte_pktmbuf_mtod(m, uint8_t*)[14 + 19]);
    rte_pktmbuf_free(m);
    rte_pktmbuf_free(again);
  }
  EXPECT_NEAR(by_rloc[4], 3000, 250);
  EXPECT_NEAR(by_rloc[44], 1000, 250);
}

TEST_F(PacketPathTest, Decap4in4) {
  rte_mbuf* m = packet(golden::kArriving4in4);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)), lispmob::testing::to_hex(golden::kDelivered4));
  EXPECT_EQ(counters_.decapsulated, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(PacketPathTest, Decap6in6) {
  rte_mbuf* m = packet(golden::kArriving6in6);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)), lispmob::testing::to_hex(golden::kDelivered6));
  rte_pktmbuf_free(m);
}

// A burst mixing LISP of both families, LISP with both N and V set and
// a frame for the kernel: each packet gets what decapsulate() gives it alone.
TEST_F(PacketPathTest, DecapBurstGivesEachPacketItsOwnVerdict) {
  auto both = golden::kArriving4in4;
  both[14 + 20 + 8] = 0x90;  // N and V: malformed
  auto not_lisp = golden::kArriving4in4;
  not_lisp[14 + 20 + 3] = 0x42;  // UDP to 4162: not LISP data
  const std::vector<std::vector<uint8_t>> frames = {golden::kArriving4in4, golden::kArriving6in6,
                                                    both, not_lisp, golden::kArriving4in4Ttl5};
  std::vector<Verdict> alone;
  std::vector<std::string> alone_bytes;
  for (const auto& frame : frames) {
    rte_mbuf* m = packet(frame);
    alone.push_back(decapsulate(m, context_));
    alone_bytes.push_back(lispmob::testing::to_hex(bytes_of(m)));
    rte_pktmbuf_free(m);
  }
  std::vector<rte_mbuf*> burst;
  for (const auto& frame : frames) burst.push_back(packet(frame));
  std::vector<Verdict> verdicts(burst.size());
  decapsulate_burst(burst.data(), static_cast<uint16_t>(burst.size()), verdicts.data(), context_);
  EXPECT_EQ(verdicts, alone);
  EXPECT_EQ(verdicts[0], Verdict::kToEidPort);
  EXPECT_EQ(verdicts[2], Verdict::kDrop);
  EXPECT_EQ(verdicts[3], Verdict::kToKernel);
  for (size_t i = 0; i < burst.size(); ++i) {
    EXPECT_EQ(lispmob::testing::to_hex(bytes_of(burst[i])), alone_bytes[i]) << "packet " << i;
    rte_pktmbuf_free(burst[i]);
  }
}

TEST_F(PacketPathTest, DecapCopiesALowerOuterTtl) {
  rte_mbuf* m = packet(golden::kArriving4in4Ttl5);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)),
            lispmob::testing::to_hex(golden::kDelivered4Ttl5));
  rte_pktmbuf_free(m);
}

// A Proxy-ETR (RFC 9300 §4.1) has no EIDs of its own: it decapsulates for
// any inner destination, the same bytes an ETR delivers, and its host
// forwards them natively.
TEST_F(PacketPathTest, AProxyEtrDecapsulatesForAnyInnerDestination) {
  local_.local_eid_count = 0;
  local_.decapsulate_any = true;
  rte_mbuf* m = packet(golden::kArriving4in4);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)), lispmob::testing::to_hex(golden::kDelivered4));
  rte_pktmbuf_free(m);
  m = packet(golden::kArriving6in6);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)), lispmob::testing::to_hex(golden::kDelivered6));
  rte_pktmbuf_free(m);
  EXPECT_EQ(counters_.decapsulated, 2u);
  EXPECT_EQ(counters_.drop_not_local_eid, 0u);
}

// A Proxy-ETR serving given sites decapsulates only what their EIDs send.
TEST_F(PacketPathTest, AProxyEtrServesOnlyItsSitesWhenTold) {
  local_.local_eid_count = 0;
  local_.decapsulate_any = true;
  local_.served_source_count = 1;
  local_.served_sources[0] = testing::prefix("198.51.100.0/24");
  rte_mbuf* m = packet(golden::kArriving4in4);  // from 203.0.113.10
  EXPECT_EQ(decapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_not_served, 1u);
  rte_pktmbuf_free(m);
  local_.served_sources[1] = testing::prefix("203.0.113.0/24");
  local_.served_source_count = 2;
  m = packet(golden::kArriving4in4);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(counters_.decapsulated, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(PacketPathTest, DecapRefusesWhatIsNotOurs) {
  // Not for a local EID.
  local_.local_eid_count = 0;
  rte_mbuf* m = packet(golden::kArriving4in4);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_not_local_eid, 1u);
  rte_pktmbuf_free(m);
  local_ = testing::mobile_node_state();
  // N and V both set.
  auto both = golden::kArriving4in4;
  both[14 + 20 + 8] = 0x90;
  m = packet(both);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_malformed, 1u);
  rte_pktmbuf_free(m);
  // An instance-id we do not serve.
  auto iid = golden::kArriving4in4;
  iid[14 + 20 + 8] = 0x88;
  iid[14 + 20 + 8 + 6] = 9;
  m = packet(iid);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_wrong_instance, 1u);
  rte_pktmbuf_free(m);
  // Truncated inside the LISP header, and inside the inner header.
  for (size_t length : {14 + 20 + 8 + 4, 14 + 20 + 8 + 8 + 10}) {
    m = packet({golden::kArriving4in4.begin(), golden::kArriving4in4.begin() + length});
    EXPECT_EQ(decapsulate(m, context_), Verdict::kDrop) << length;
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.drop_malformed, 3u);
  // A fragment of a LISP packet.
  auto fragment = golden::kArriving4in4;
  fragment[14 + 6] = 0x20;  // MF
  m = packet(fragment);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_fragment, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(PacketPathTest, NonLispTrafficGoesToTheKernel) {
  // UDP 4342 (control) to our RLOC, ARP, and traffic for another address.
  auto control = golden::kArriving4in4;
  control[14 + 20 + 2] = 0x10;
  control[14 + 20 + 3] = 0xf6;
  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  auto elsewhere = golden::kArriving4in4;
  elsewhere[14 + 19] = 99;
  for (const auto& frame : {control, arp, elsewhere}) {
    rte_mbuf* m = packet(frame);
    EXPECT_EQ(decapsulate(m, context_), Verdict::kToKernel);
    EXPECT_EQ(bytes_of(m), frame) << "left untouched for the kernel";
    rte_pktmbuf_free(m);
  }
}

TEST_F(PacketPathTest, NegativeEntryDrops) {
  add("203.0.113.0/24", {}, 0, MapAction::kDrop);
  rte_mbuf* m = packet(golden::kInner4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_negative, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(PacketPathTest, NegativeNativelyForward) {
  add("203.0.113.0/24", {}, 0, MapAction::kNativelyForward);
  rte_mbuf* m = packet(golden::kInner4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
  auto expected = golden::kInner4Frame;
  std::copy_n(golden::kEncap4in4.begin(), 12, expected.begin());  // next-hop and RLOC-port MACs
  EXPECT_EQ(bytes_of(m), expected);
  EXPECT_EQ(counters_.natively_forwarded, 1u);
  rte_pktmbuf_free(m);
  // With a PETR the non-LISP destination is reached through it: the EID
  // source never leaves natively.
  local_.has_petr4 = true;
  local_.petr4.address = {192, 0, 2, 4};
  m = packet(golden::kInner4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)),
            lispmob::testing::to_hex(with_source_port(golden::kEncap4in4, golden::kInner4Frame)));
  EXPECT_EQ(counters_.to_petr, 1u);
  EXPECT_EQ(counters_.natively_forwarded, 1u);
  rte_pktmbuf_free(m);
}

// The worker marks each entry it acts on, whatever the action; the control
// thread reads the marks once and they are gone.
TEST_F(PacketPathTest, EntriesTrafficUsesAreMarkedForTheControlThread) {
  context_.used = cache_->used_bits(0);
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  add("2001:db8:2::/48", {}, 0, MapAction::kDrop);
  add("198.51.100.0/24", {{ip("192.0.2.4")}});
  EXPECT_TRUE(cache_->take_used().empty());
  for (const auto& frame : {golden::kInner4Frame, golden::kInner6Frame, golden::kInner4Frame}) {
    rte_mbuf* m = packet(frame);
    encapsulate(m, context_);
    rte_pktmbuf_free(m);
  }
  const auto used = cache_->take_used();
  ASSERT_EQ(used.size(), 2u);
  std::set<std::string> prefixes;
  for (const auto& [instance_id, prefix] : used) prefixes.insert(prefix.to_string());
  EXPECT_EQ(prefixes, (std::set<std::string>{"203.0.113.0/24", "2001:db8:2::/48"}));
  EXPECT_TRUE(cache_->take_used().empty()) << "taken once";
  // A removed entry's mark names nothing.
  rte_mbuf* m = packet(golden::kInner4Frame);
  encapsulate(m, context_);
  rte_pktmbuf_free(m);
  ASSERT_TRUE(cache_->erase(0, *net::IpPrefix::parse("203.0.113.0/24")).ok());
  EXPECT_TRUE(cache_->take_used().empty());
}

TEST_F(PacketPathTest, MissPuntsOnceAndGoesToThePetr) {
  rte_ring* ring =
      rte_ring_create_elem("punt_test", sizeof(PuntRecord), 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
  ASSERT_NE(ring, nullptr);
  context_.punt_ring = ring;
  // No PETR: dropped, punted once however many packets arrive.
  for (int i = 0; i < 3; ++i) {
    rte_mbuf* m = packet(golden::kInner4Frame);
    EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.map_cache_miss, 3u);
  EXPECT_EQ(counters_.drop_miss, 3u);
  EXPECT_EQ(counters_.punted, 1u);
  EXPECT_EQ(counters_.punt_suppressed, 2u);
  PuntRecord record;
  ASSERT_EQ(rte_ring_sc_dequeue_elem(ring, &record, sizeof(record)), 0);
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(record.address, 4)).to_string(),
            "203.0.113.10");
  EXPECT_EQ(record.ipv6, 0);
  // With a PETR, the packet goes there, encapsulated.
  local_.has_petr4 = true;
  local_.petr4.address = {192, 0, 2, 4};
  rte_mbuf* m = packet(golden::kInner4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
  EXPECT_EQ(lispmob::testing::to_hex(bytes_of(m)),
            lispmob::testing::to_hex(with_source_port(golden::kEncap4in4, golden::kInner4Frame)));
  EXPECT_EQ(counters_.to_petr, 1u);
  rte_pktmbuf_free(m);
  rte_ring_free(ring);
}

TEST_F(PacketPathTest, FullPuntRingIsCounted) {
  rte_ring* ring = rte_ring_create_elem("punt_full", sizeof(PuntRecord), 4, SOCKET_ID_ANY,
                                        RING_F_SC_DEQ | RING_F_EXACT_SZ);
  ASSERT_NE(ring, nullptr);
  context_.punt_ring = ring;
  for (uint8_t host = 1; host <= 6; ++host) {
    auto frame = golden::kInner4Frame;
    frame[14 + 19] = host;  // six destinations
    rte_mbuf* m = packet(frame);
    encapsulate(m, context_);
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.punted, 4u);
  EXPECT_EQ(counters_.punt_ring_full, 2u);
  rte_ring_free(ring);
}

TEST_F(PacketPathTest, NoHeadroomIsADrop) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  rte_mbuf* m = packet(golden::kInner4Frame, /*headroom=*/16);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_no_headroom, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(PacketPathTest, MalformedAndNonIpFramesAreDropped) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  auto bad_version = golden::kInner4Frame;
  bad_version[14] = 0x55;
  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  std::vector<uint8_t> runt(golden::kInner4Frame.begin(), golden::kInner4Frame.begin() + 20);
  for (const auto& frame : {bad_version, arp, runt}) {
    rte_mbuf* m = packet(frame);
    EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.drop_malformed, 2u);
  EXPECT_EQ(counters_.drop_not_ip, 1u);
}

TEST_F(PacketPathTest, LinkScopeAndMulticastAreNotTunnelled) {
  rte_ring* ring =
      rte_ring_create_elem("punt_scope", sizeof(PuntRecord), 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
  context_.punt_ring = ring;
  auto multicast = golden::kInner4Frame;
  multicast[14 + 16] = 224;  // 224.0.113.10
  auto link_local6 = golden::kInner6Frame;
  link_local6[14 + 24] = 0xff;  // ff01:db8:2::10
  link_local6[14 + 25] = 0x02;
  for (const auto& frame : {multicast, link_local6}) {
    rte_mbuf* m = packet(frame);
    EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.drop_local_scope, 2u);
  EXPECT_EQ(counters_.punted, 0u);
  rte_ring_free(ring);
}

TEST_F(PacketPathTest, NoLocalRlocOfTheFamily) {
  add("203.0.113.0/24", {{ip("2001:db8:ff::4")}});
  local_.has_rloc6 = false;
  rte_mbuf* m = packet(golden::kInner4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_no_local_rloc, 1u);
  rte_pktmbuf_free(m);
}

TEST(FlowHashTest, SameFlowSameHash) {
  auto a = golden::kInner4Frame;
  auto b = golden::kInner4Frame;
  EXPECT_EQ(flow_hash(a.data() + 14, 36), flow_hash(b.data() + 14, 36));
  b[14 + 15] = 11;  // another source
  EXPECT_NE(flow_hash(a.data() + 14, 36), flow_hash(b.data() + 14, 36));
}

}  // namespace
}  // namespace lispmob::dataplane

namespace lispmob::dataplane {
namespace {

using testing::ip;
using testing::with_source_port;

// Full-size packets against egress links of MTU 1500 (RFC 9300 §7).
class FullSizePacketTest : public testing::DataplaneTest {
 protected:
  void SetUp() override {
    DataplaneTest::SetUp();
    local_.egress_mtu4 = local_.egress_mtu6 = 1500;
    static int number = 0;
    indirect_ = rte_pktmbuf_pool_create(("indirect" + std::to_string(number++)).c_str(), 255, 0, 0,
                                        0, SOCKET_ID_ANY);
    ASSERT_NE(indirect_, nullptr);
    context_.direct_pool = pool_;
    context_.indirect_pool = indirect_;
  }
  void TearDown() override {
    EXPECT_EQ(rte_mempool_avail_count(indirect_), 255u) << "indirect mbufs leaked";
    DataplaneTest::TearDown();
    rte_mempool_free(indirect_);
  }
  std::string hex(const std::vector<uint8_t>& bytes) { return lispmob::testing::to_hex(bytes); }
  // Every segment's bytes: a fragment is a header mbuf chained to the
  // original's data.
  static std::vector<uint8_t> all_bytes_of(const rte_mbuf* m) {
    std::vector<uint8_t> out(rte_pktmbuf_pkt_len(m));
    const void* data = rte_pktmbuf_read(m, 0, static_cast<uint32_t>(out.size()), out.data());
    if (data != out.data()) std::memcpy(out.data(), data, out.size());
    return out;
  }
  rte_mempool* indirect_ = nullptr;
};

// A site gateway (an xTR with a LAN port): the hosts' frames come to the
// LAN port's MAC (0xee here, as the golden frames' gateway), and
// decapsulated packets go to the hosts by their adjacencies.
class LanPathTest : public testing::DataplaneTest {
 protected:
  void SetUp() override {
    DataplaneTest::SetUp();
    local_.lan = true;
    local_.lan_port_mac = testing::mac(0xee);
    local_.lan_address_count = 1;
    local_.lan_addresses[0] = ip("10.1.0.1");
  }
  // `frame` with its IPv4 header at `offset` given TTL `ttl`, its checksum
  // computed afresh (the path updates it incrementally).
  static std::vector<uint8_t> with_ttl(std::vector<uint8_t> frame, size_t offset, uint8_t ttl) {
    frame[offset + 8] = ttl;
    frame[offset + 10] = frame[offset + 11] = 0;
    const uint16_t checksum = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(&frame[offset]));
    std::memcpy(&frame[offset + 10], &checksum, 2);
    return frame;
  }
  Verdict from_lan(rte_mbuf* m) {
    Verdict verdict;
    from_lan_burst(&m, 1, &verdict, context_);
    return verdict;
  }
  std::string hex(const std::vector<uint8_t>& bytes) { return lispmob::testing::to_hex(bytes); }
};

// A host's packet is routed: one hop less (inner and so outer TTL 63),
// then encapsulated as lmn0's would be.
TEST_F(LanPathTest, AHostsPacketIsEncapsulatedOneHopLess) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  rte_mbuf* m = packet(golden::kInner4Frame);
  ASSERT_EQ(from_lan(m), Verdict::kToRlocPort);
  auto expected = with_source_port(golden::kEncap4in4, golden::kInner4Frame);
  expected = with_ttl(with_ttl(expected, 14 + 36, 63), 14, 63);
  EXPECT_EQ(hex(bytes_of(m)), hex(expected));
  EXPECT_EQ(counters_.lan_received, 1u);
  EXPECT_EQ(counters_.encapsulated, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(LanPathTest, AnIpv6HostsPacketLosesAHop) {
  add("2001:db8:2::/48", {{ip("192.0.2.4")}});
  rte_mbuf* m = packet(golden::kInner6Frame);
  ASSERT_EQ(from_lan(m), Verdict::kToRlocPort);
  auto expected = with_source_port(golden::kEncap6in4, golden::kInner6Frame);
  expected[14 + 36 + 7] = 63;             // the inner hop limit
  expected = with_ttl(expected, 14, 63);  // the outer TTL copies it
  EXPECT_EQ(hex(bytes_of(m)), hex(expected));
  rte_pktmbuf_free(m);
}

// What the kernel answers goes to the LAN twin; a frame a switch flooded
// to us for another host is dropped. Nothing of these is looked up.
TEST_F(LanPathTest, WhatTheKernelAnswersGoesToTheTwin) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  auto broadcast = golden::kInner4Frame;  // an ARP request, say
  std::fill(broadcast.begin(), broadcast.begin() + 6, 0xff);
  broadcast[12] = 0x08;
  broadcast[13] = 0x06;
  auto other_host = golden::kInner4Frame;
  other_host[5] = 0x06;
  auto last_hop = with_ttl(golden::kInner4Frame, 14, 1);
  auto to_gateway = golden::kInner4Frame;  // to 10.1.0.1
  const uint8_t gateway[] = {10, 1, 0, 1};
  std::copy(std::begin(gateway), std::end(gateway), to_gateway.begin() + 14 + 16);
  to_gateway = with_ttl(to_gateway, 14, 64);
  auto to_site = golden::kInner4Frame;  // to 198.18.0.10, the site's own EID
  std::copy(golden::kInner4Frame.begin() + 14 + 12, golden::kInner4Frame.begin() + 14 + 16,
            to_site.begin() + 14 + 16);
  to_site = with_ttl(to_site, 14, 64);
  auto link_local = golden::kInner6Frame;  // a neighbour advertisement to our fe80::
  const uint8_t ours[] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  std::copy(std::begin(ours), std::end(ours), link_local.begin() + 14 + 24);
  struct Case {
    const char* what;
    std::vector<uint8_t> frame;
    Verdict verdict;
  };
  for (const Case& c : {Case{"broadcast", broadcast, Verdict::kToKernel},
                        Case{"another host's MAC", other_host, Verdict::kDrop},
                        Case{"TTL 1", last_hop, Verdict::kToKernel},
                        Case{"the gateway's address", to_gateway, Verdict::kToKernel},
                        Case{"the site's EID-prefix", to_site, Verdict::kToKernel},
                        Case{"a link-local address", link_local, Verdict::kToKernel}}) {
    rte_mbuf* m = packet(c.frame);
    EXPECT_EQ(from_lan(m), c.verdict) << c.what;
    EXPECT_EQ(hex(bytes_of(m)), hex(c.frame)) << c.what << ": unchanged";
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.lan_received, 6u);
  EXPECT_EQ(counters_.lan_to_kernel, 5u);
  EXPECT_EQ(counters_.lan_not_ours, 1u);
  EXPECT_EQ(counters_.encapsulated + counters_.map_cache_miss, 0u);
}

// Decapsulated for a host with an adjacency: to its MAC from the LAN
// port's, one hop less.
TEST_F(LanPathTest, ADecapsulatedPacketGoesToTheHostsMac) {
  const auto host = ip("198.18.0.10");
  ASSERT_TRUE(local_.adjacencies.insert(host.bytes().data(), false, testing::mac(0x77)));
  rte_mbuf* m = packet(golden::kArriving4in4);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  auto expected = with_ttl(golden::kDelivered4, 14, 63);
  expected[5] = 0x77;  // the host
  std::copy(local_.lan_port_mac.begin(), local_.lan_port_mac.end(), expected.begin() + 6);
  EXPECT_EQ(hex(bytes_of(m)), hex(expected));
  EXPECT_EQ(counters_.to_lan_host, 1u);
  rte_pktmbuf_free(m);

  const auto host6 = ip("2001:db8:3::10");
  ASSERT_TRUE(local_.adjacencies.insert(host6.bytes().data(), true, testing::mac(0x78)));
  m = packet(golden::kArriving6in6);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToEidPort);
  auto expected6 = golden::kDelivered6;
  expected6[5] = 0x78;
  std::copy(local_.lan_port_mac.begin(), local_.lan_port_mac.end(), expected6.begin() + 6);
  expected6[14 + 7] = 63;
  EXPECT_EQ(hex(bytes_of(m)), hex(expected6));
  rte_pktmbuf_free(m);
}

// A host not yet resolved: the packet goes to the kernel through the RLOC
// port's twin (a frame to the twin's MAC, the port's: the outer frame's
// destination), hops untouched: the kernel forwards it, resolving the host.
TEST_F(LanPathTest, AnUnresolvedHostIsReachedThroughTheKernel) {
  rte_mbuf* m = packet(golden::kArriving4in4);
  ASSERT_EQ(decapsulate(m, context_), Verdict::kToKernel);
  auto expected = golden::kDelivered4;
  std::copy(golden::kArriving4in4.begin(), golden::kArriving4in4.begin() + 6, expected.begin());
  std::copy(local_.lan_port_mac.begin(), local_.lan_port_mac.end(), expected.begin() + 6);
  EXPECT_EQ(hex(bytes_of(m)), hex(expected));
  EXPECT_EQ(counters_.adjacency_miss, 1u);
  EXPECT_EQ(counters_.decapsulated, 1u);
  rte_pktmbuf_free(m);
  // With no hop left it goes there too, adjacency or not: the kernel
  // answers Time Exceeded.
  const auto host = ip("198.18.0.10");
  ASSERT_TRUE(local_.adjacencies.insert(host.bytes().data(), false, testing::mac(0x77)));
  auto last_hop = golden::kArriving4in4;
  last_hop = with_ttl(last_hop, 14, 1);
  m = packet(last_hop);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kToKernel);
  EXPECT_EQ(rte_pktmbuf_mtod(m, uint8_t*)[14 + 8], 1) << "the kernel takes the hop";
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, LargestPacketThatFitsIsEncapsulated) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  auto frame = golden::kTooBig4Frame;
  frame.pop_back();  // 1464 bytes of IP: 1500 once encapsulated
  frame[14 + 3] = static_cast<uint8_t>(frame[14 + 3] - 1);
  rte_mbuf* m = packet(frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
  EXPECT_EQ(rte_pktmbuf_pkt_len(m), 14u + 1500u);
  EXPECT_EQ(counters_.too_big, 0u);
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, DfPacketOneByteTooBigGetsFragmentationNeeded) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  rte_mbuf* m = packet(golden::kTooBig4Frame);
  ASSERT_EQ(encapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(hex(bytes_of(m)), hex(golden::kFragNeeded4));
  EXPECT_EQ(counters_.too_big, 1u);
  EXPECT_EQ(counters_.icmp_too_big_sent, 1u);
  EXPECT_EQ(counters_.encapsulated, 0u);
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, Ipv6PacketOneByteTooBigGetsPacketTooBig) {
  add("2001:db8:2::/48", {{ip("2001:db8:ff::4")}});
  rte_mbuf* m = packet(golden::kTooBig6Frame);
  ASSERT_EQ(encapsulate(m, context_), Verdict::kToEidPort);
  EXPECT_EQ(hex(bytes_of(m)), hex(golden::kPacketTooBig6));
  EXPECT_EQ(counters_.icmp_too_big_sent, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, PacketWithoutDfIsFragmentedThenEncapsulated) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  rte_mbuf* m = packet(golden::kNoDf4Frame);
  Verdict verdict;
  encapsulate_burst(&m, 1, &verdict, context_);
  ASSERT_EQ(verdict, Verdict::kConsumed);
  ASSERT_EQ(context_.extra_count, 2u);
  // Both fragments take the whole packet's flow hash: one locator, one port.
  EXPECT_EQ(hex(all_bytes_of(context_.extra[0])),
            hex(with_source_port(golden::kFragment1Encap4in4, golden::kNoDf4Frame)));
  EXPECT_EQ(hex(all_bytes_of(context_.extra[1])),
            hex(with_source_port(golden::kFragment2Encap4in4, golden::kNoDf4Frame)));
  EXPECT_EQ(counters_.fragmented, 1u);
  EXPECT_EQ(counters_.fragments_encapsulated, 2u);
  for (uint16_t i = 0; i < context_.extra_count; ++i) rte_pktmbuf_free(context_.extra[i]);
  context_.extra_count = 0;
}

TEST_F(FullSizePacketTest, FragmentsAreChainedNotCopied) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  rte_mbuf* m = packet(golden::kNoDf4Frame);
  Verdict verdict;
  encapsulate_burst(&m, 1, &verdict, context_);
  ASSERT_EQ(context_.extra_count, 2u);
  EXPECT_EQ(rte_pktmbuf_pkt_len(context_.extra[0]), 14u + 36u + 1460u);
  EXPECT_EQ(rte_pktmbuf_pkt_len(context_.extra[1]), 14u + 36u + 160u);
  EXPECT_EQ(context_.extra[0]->nb_segs, 2u);
  for (uint16_t i = 0; i < context_.extra_count; ++i) rte_pktmbuf_free(context_.extra[i]);
  context_.extra_count = 0;
}

TEST_F(FullSizePacketTest, WithoutPoolsANonDfPacketIsDroppedAndCounted) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  context_.direct_pool = context_.indirect_pool = nullptr;
  rte_mbuf* m = packet(golden::kNoDf4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_fragmentation_failed, 1u);
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, IcmpErrorsAreRateLimited) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  context_.icmp_interval_tsc = ~0ull >> 1;  // no refill within the test
  for (unsigned i = 0; i < kIcmpBurst + 3; ++i) {
    rte_mbuf* m = packet(golden::kTooBig4Frame);
    const Verdict verdict = encapsulate(m, context_);
    EXPECT_EQ(verdict, i < kIcmpBurst ? Verdict::kToEidPort : Verdict::kDrop) << i;
    rte_pktmbuf_free(m);
  }
  EXPECT_EQ(counters_.icmp_too_big_sent, kIcmpBurst);
  EXPECT_EQ(counters_.drop_too_big, 3u);
  EXPECT_EQ(counters_.too_big, kIcmpBurst + 3u);
}

TEST_F(FullSizePacketTest, NoIcmpErrorAboutAnIcmpError) {
  add("198.18.0.0/24", {{ip("192.0.2.4")}});
  // The fragmentation-needed message itself, too big and with DF, sent on:
  // dropped, never answered with another error.
  auto error = golden::kFragNeeded4;
  std::vector<uint8_t> frame(error.begin(), error.begin() + 14);
  std::copy(golden::kInner4Frame.begin(), golden::kInner4Frame.begin() + 12, frame.begin());
  std::vector<uint8_t> ip_packet(1470, 0);
  std::copy(error.begin() + 14, error.end(), ip_packet.begin());
  ip_packet[2] = static_cast<uint8_t>(ip_packet.size() >> 8);
  ip_packet[3] = static_cast<uint8_t>(ip_packet.size());
  ip_packet[6] = 0x40;  // DF
  frame.insert(frame.end(), ip_packet.begin(), ip_packet.end());
  rte_mbuf* m = packet(frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kDrop);
  EXPECT_EQ(counters_.drop_too_big, 1u);
  EXPECT_EQ(counters_.icmp_too_big_sent, 0u);
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, LocatorPathMtuLowersTheLimit) {
  MappingLocator locator{ip("192.0.2.4")};
  locator.path_mtu = 1400;
  add("203.0.113.0/24", {locator});
  auto frame = golden::kTooBig4Frame;
  rte_mbuf* m = packet(frame);
  ASSERT_EQ(encapsulate(m, context_), Verdict::kToEidPort);
  const uint8_t* icmp = rte_pktmbuf_mtod(m, const uint8_t*) + 14 + 20;
  EXPECT_EQ(icmp[6] << 8 | icmp[7], 1400 - 36);
  rte_pktmbuf_free(m);
}

TEST_F(FullSizePacketTest, UnknownLinkMtuChecksNothing) {
  add("203.0.113.0/24", {{ip("192.0.2.4")}});
  local_.egress_mtu4 = 0;
  rte_mbuf* m = packet(golden::kTooBig4Frame);
  EXPECT_EQ(encapsulate(m, context_), Verdict::kToRlocPort);
  EXPECT_EQ(counters_.too_big, 0u);
  rte_pktmbuf_free(m);
}

class PathMtuReportTest : public FullSizePacketTest {
 protected:
  void SetUp() override {
    FullSizePacketTest::SetUp();
    ring_ = rte_ring_create_elem(("pmtu" + std::to_string(number_++)).c_str(), sizeof(PuntRecord),
                                 16, SOCKET_ID_ANY, RING_F_SC_DEQ);
    ASSERT_NE(ring_, nullptr);
    context_.punt_ring = ring_;
  }
  void TearDown() override {
    rte_ring_free(ring_);
    FullSizePacketTest::TearDown();
  }
  rte_ring* ring_ = nullptr;
  static inline int number_ = 0;
};

TEST_F(PathMtuReportTest, FragmentationNeededAboutOurLispPacketIsPunted) {
  rte_mbuf* m = packet(golden::kPathMtuReport4);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kToKernel);
  rte_pktmbuf_free(m);
  PuntRecord record;
  ASSERT_EQ(rte_ring_sc_dequeue_elem(ring_, &record, sizeof(record)), 0);
  EXPECT_EQ(record.kind, PuntKind::kPathMtu);
  EXPECT_EQ(record.mtu, 1400);
  EXPECT_EQ(net::IpAddress::v4(std::span<const uint8_t, 4>(record.address, 4)).to_string(),
            "192.0.2.4");
  EXPECT_EQ(counters_.path_mtu_reports, 1u);
}

TEST_F(PathMtuReportTest, PacketTooBigAboutOurLispPacketIsPunted) {
  rte_mbuf* m = packet(golden::kPathMtuReport6);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kToKernel);
  rte_pktmbuf_free(m);
  PuntRecord record;
  ASSERT_EQ(rte_ring_sc_dequeue_elem(ring_, &record, sizeof(record)), 0);
  EXPECT_EQ(record.kind, PuntKind::kPathMtu);
  EXPECT_EQ(record.ipv6, 1);
  EXPECT_EQ(record.mtu, 1280);
  EXPECT_EQ(net::IpAddress::v6(std::span<const uint8_t, 16>(record.address, 16)).to_string(),
            "2001:db8:ff::4");
}

TEST_F(PathMtuReportTest, ReportAboutSomethingElseIsNotPunted) {
  auto frame = golden::kPathMtuReport4;
  // The quoted packet's UDP destination port: 4342 (control), not LISP data.
  const size_t quoted_udp = 14 + 20 + 8 + 20;
  frame[quoted_udp + 3] = 0xf6;
  rte_mbuf* m = packet(frame);
  EXPECT_EQ(decapsulate(m, context_), Verdict::kToKernel);
  rte_pktmbuf_free(m);
  EXPECT_EQ(rte_ring_count(ring_), 0u);
  EXPECT_EQ(counters_.path_mtu_reports, 0u);
}

}  // namespace
}  // namespace lispmob::dataplane

namespace lispmob::dataplane {
namespace {

// Outer IPv4 fragments to our RLOC, reassembled with bounded state.
class ReassemblyTest : public FullSizePacketTest {
 protected:
  void SetUp() override {
    FullSizePacketTest::SetUp();
    make_table(64);
  }
  void make_table(uint32_t packets) {
    if (context_.reassembly) rte_ip_frag_table_destroy(context_.reassembly);
    context_.reassembly = rte_ip_frag_table_create(std::max(packets / 4, 1u), 4, packets,
                                                   rte_get_tsc_hz(), SOCKET_ID_ANY);
    ASSERT_NE(context_.reassembly, nullptr);
    context_.death_row = &death_row_;
  }
  void TearDown() override {
    maintain_reassembly(context_);
    rte_ip_frag_table_destroy(context_.reassembly);
    FullSizePacketTest::TearDown();
  }
  Verdict arrive(const std::vector<uint8_t>& frame, rte_mbuf** out = nullptr) {
    rte_mbuf* m = packet(frame);
    const Verdict verdict = decapsulate(m, context_);
    if (out != nullptr) {
      *out = m;
    } else if (verdict != Verdict::kConsumed) {
      rte_pktmbuf_free(m);
    }
    return verdict;
  }
  rte_ip_frag_death_row death_row_{};
};

TEST_F(ReassemblyTest, OutOfOrderFragmentsAreReassembledAndDelivered) {
  EXPECT_EQ(arrive(golden::kArrivingFragment3), Verdict::kConsumed);
  EXPECT_EQ(arrive(golden::kArrivingFragment1), Verdict::kConsumed);
  rte_mbuf* whole = nullptr;
  ASSERT_EQ(arrive(golden::kArrivingFragment2, &whole), Verdict::kToEidPort);
  EXPECT_EQ(hex(all_bytes_of(whole)), hex(golden::kDeliveredBig4));
  EXPECT_EQ(counters_.reassembled, 1u);
  EXPECT_EQ(counters_.decapsulated, 1u);
  EXPECT_EQ(counters_.drop_reassembly, 0u);
  rte_pktmbuf_free(whole);
}

TEST_F(ReassemblyTest, OverlappingFragmentsAreDroppedAndCounted) {
  EXPECT_EQ(arrive(golden::kArrivingFragment1), Verdict::kConsumed);
  EXPECT_EQ(arrive(golden::kArrivingFragmentOverlap), Verdict::kConsumed);
  EXPECT_EQ(arrive(golden::kArrivingFragment3), Verdict::kConsumed);
  EXPECT_EQ(counters_.reassembled, 0u);
  EXPECT_EQ(counters_.decapsulated, 0u);
  EXPECT_EQ(counters_.drop_reassembly, 3u);
}

TEST_F(ReassemblyTest, FloodFillsTheTableAndIsRefusedWithACounter) {
  make_table(8);
  for (uint16_t id = 1; id <= 20; ++id) {
    auto frame = golden::kArrivingFragment1;
    frame[14 + 4] = static_cast<uint8_t>(id >> 8);  // a packet of its own
    frame[14 + 5] = static_cast<uint8_t>(id);
    EXPECT_EQ(arrive(frame), Verdict::kConsumed);
  }
  EXPECT_EQ(counters_.drop_reassembly, 12u) << "8 held, the rest refused";
  // The table still takes the fragments of a packet it holds.
  auto second = golden::kArrivingFragment2, third = golden::kArrivingFragment3;
  for (auto* frame : {&second, &third}) {
    (*frame)[14 + 4] = 0;
    (*frame)[14 + 5] = 1;
  }
  EXPECT_EQ(arrive(second), Verdict::kConsumed);
  EXPECT_EQ(arrive(third), Verdict::kToEidPort);
  EXPECT_EQ(counters_.reassembled, 1u);
}

TEST_F(ReassemblyTest, IncompletePacketLapsesAndIsCounted) {
  context_.now_tsc = 1;
  EXPECT_EQ(arrive(golden::kArrivingFragment1), Verdict::kConsumed);
  maintain_reassembly(context_);
  EXPECT_EQ(counters_.drop_reassembly, 0u);
  context_.now_tsc = 2 * rte_get_tsc_hz();
  maintain_reassembly(context_);
  EXPECT_EQ(counters_.drop_reassembly, 1u);
  EXPECT_EQ(death_row_.cnt, 0u) << "freed";
}

}  // namespace
}  // namespace lispmob::dataplane
