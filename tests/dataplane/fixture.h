// Shared set-up for data-plane tests: a QSBR variable, a map-cache, a local
// state like a mobile node's, and an mbuf pool.
#pragma once

#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include <memory>
#include <string>
#include <vector>

#include "dataplane/local_state.h"
#include "dataplane/map_cache.h"
#include "dataplane/packet_path.h"

namespace lispmob::dataplane::testing {

inline net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }
inline net::IpPrefix prefix(const char* text) { return *net::IpPrefix::parse(text); }

inline MacAddress mac(uint8_t last) { return {{0x02, 0, 0, 0, 0, last}}; }

// The golden outputs carry outer UDP source port 0: puts in the one the
// flow hash of `inner_frame` gives, and for an IPv6 outer header updates
// the UDP checksum for it (RFC 1624: HC' = ~(~HC + ~m + m'), m = 0).
inline std::vector<uint8_t> with_source_port(std::vector<uint8_t> expected,
                                             const std::vector<uint8_t>& inner_frame) {
  const uint32_t hash =
      flow_hash(inner_frame.data() + 14, static_cast<uint32_t>(inner_frame.size() - 14));
  const uint16_t port = static_cast<uint16_t>(0xc000 | (hash & 0x3fff));
  const bool ipv6 = expected[12] == 0x86;
  const size_t udp = 14 + (ipv6 ? 40 : 20);
  expected[udp] = static_cast<uint8_t>(port >> 8);
  expected[udp + 1] = static_cast<uint8_t>(port);
  if (ipv6) {
    const uint16_t old_checksum = static_cast<uint16_t>(expected[udp + 6] << 8 | expected[udp + 7]);
    uint32_t sum = static_cast<uint16_t>(~old_checksum) + 0xffffu + port;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t checksum = static_cast<uint16_t>(~sum);
    if (checksum == 0) checksum = 0xffff;  // RFC 768: zero means none
    expected[udp + 6] = static_cast<uint8_t>(checksum >> 8);
    expected[udp + 7] = static_cast<uint8_t>(checksum);
  }
  return expected;
}

inline LocalState mobile_node_state() {
  LocalState state;
  state.has_rloc4 = state.has_rloc6 = true;
  state.rloc4 = {192, 0, 2, 5};
  const net::IpAddress v6 = ip("2001:db8:ff::5");
  std::copy(v6.bytes().begin(), v6.bytes().end(), state.rloc6.begin());
  state.rloc_port_mac4 = state.rloc_port_mac6 = mac(0x05);
  state.next_hop_mac4 = state.next_hop_mac6 = mac(0xaa);
  state.eid_port_host_mac = mac(0x01);
  state.eid_port_gateway_mac = mac(0xee);
  state.local_eid_count = 2;
  state.local_eids[0] = prefix("198.18.0.10/32");
  state.local_eids[1] = prefix("2001:db8:3::10/128");
  return state;
}

// A QSBR variable for every lcore, on DPDK memory (rte_free it); null if
// there is no memory.
inline rte_rcu_qsbr* make_qsbr() {
  const size_t size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
  auto* qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("qsbr", size, RTE_CACHE_LINE_SIZE));
  if (qsbr != nullptr && rte_rcu_qsbr_init(qsbr, RTE_MAX_LCORE) != 0) {
    rte_free(qsbr);
    return nullptr;
  }
  return qsbr;
}

class DataplaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    qsbr_ = make_qsbr();
    ASSERT_NE(qsbr_, nullptr);
    MapCacheConfig config;
    config.max_entries = 1 << 12;
    config.ipv4_tbl8_groups = 4096;
    config.ipv6_tbl8_groups = 1024;
    auto cache = MapCache::create(config, qsbr_);
    ASSERT_TRUE(cache.ok()) << cache.status();
    cache_ = std::move(*cache);
    static int pool_number = 0;
    pool_ = rte_pktmbuf_pool_create(("pool" + std::to_string(pool_number++)).c_str(), 4095, 0, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
    local_ = mobile_node_state();
    context_.cache = cache_.get();
    context_.local = &local_;
    context_.counters = &counters_;
    context_.random_state = 1;
    context_.punt_interval_tsc = rte_get_tsc_hz();
  }
  void TearDown() override {
    cache_.reset();
    if (pool_) {
      EXPECT_EQ(rte_mempool_avail_count(pool_), 4095u) << "mbufs leaked";
      rte_mempool_free(pool_);
    }
    rte_free(qsbr_);
  }

  rte_mbuf* packet(const std::vector<uint8_t>& bytes, uint16_t headroom = RTE_PKTMBUF_HEADROOM) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    EXPECT_NE(m, nullptr);
    m->data_off = headroom;
    auto* data = rte_pktmbuf_append(m, static_cast<uint16_t>(bytes.size()));
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<uint8_t*>(data));
    return m;
  }
  static std::vector<uint8_t> bytes_of(rte_mbuf* m) {
    const auto* data = rte_pktmbuf_mtod(m, const uint8_t*);
    return {data, data + rte_pktmbuf_data_len(m)};
  }
  void add(const char* eid_prefix, std::vector<MappingLocator> locators, uint32_t iid = 0,
           MapAction action = MapAction::kEncapsulate) {
    Mapping mapping{iid, prefix(eid_prefix), action, std::move(locators)};
    ASSERT_TRUE(cache_->upsert(mapping).ok());
    cache_->flush();
  }

  rte_rcu_qsbr* qsbr_ = nullptr;
  std::unique_ptr<MapCache> cache_;
  rte_mempool* pool_ = nullptr;
  LocalState local_;
  LcoreCounters counters_;
  PathContext context_;
};

}  // namespace lispmob::dataplane::testing
