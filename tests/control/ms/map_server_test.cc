#include "control/ms/map_server.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

#include "common/crypto/auth.h"
#include "tools/lispd_config.h"

namespace lispmob::control {
namespace {

using std::chrono::seconds;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }
net::IpPrefix prefix(const char* text) { return *net::IpPrefix::parse(text); }

const TimePoint kStart{};

lisp::MappingRecord record(const char* eid_prefix, const char* rloc) {
  const auto p = prefix(eid_prefix);
  lisp::MappingRecord r;
  r.ttl_minutes = 10;
  r.eid_mask_len = p.length;
  r.authoritative = true;
  r.eid = p.address;
  lisp::Locator locator;
  locator.address = ip(rloc);
  r.locators = {locator};
  return r;
}

std::vector<uint8_t> map_register(std::vector<lisp::MappingRecord> records, const std::string& key,
                                  uint8_t algorithm = 1, uint64_t nonce = 0x1234,
                                  bool proxy = false, uint8_t key_id = 0) {
  lisp::MapRegister m;
  m.want_map_notify = true;
  m.proxy_reply = proxy;
  m.nonce = nonce;
  m.auth.key_id = key_id;
  m.auth.algorithm_id = algorithm;
  m.records = std::move(records);
  return *crypto::encode_authenticated(m, key);
}

std::vector<uint8_t> ecm_request(const char* eid, uint8_t mask_len, uint64_t nonce = 77) {
  lisp::MapRequest request;
  request.nonce = nonce;
  request.source_eid = ip("198.18.0.10");
  request.itr_rlocs = {ip("192.0.2.5")};
  request.records = {lisp::EidRecord{0, mask_len, ip(eid)}};
  lisp::EncapsulatedControlMessage ecm;
  net::Ipv4Header inner;
  inner.source = ip("198.18.0.10");
  inner.destination = ip(eid).is_v4() ? ip(eid) : ip("203.0.113.1");
  if (ip(eid).is_v6()) {
    net::Ipv6Header inner6;
    inner6.source = ip("2001:db8:3::10");
    inner6.destination = ip(eid);
    ecm.inner_ip = inner6;
  } else {
    ecm.inner_ip = inner;
  }
  ecm.inner_udp = {61000, lisp::kControlPort, std::nullopt, std::nullopt};
  *ecm.inner = request;
  return *lisp::encode_message(ecm);
}

class MapServerTest : public ::testing::Test {
 protected:
  MapServer server_{
      {Site{
           0, prefix("203.0.113.0/24"), {{0, 1, "old-key"}, {0, 2, "new-key"}}, true, false, false},
       Site{0, prefix("198.51.100.0/24"), {{0, 1, "k2"}}, false, false, false},
       Site{0, prefix("2001:db8:2::/48"), {{0, 1, "k6"}}, true, true, false},
       Site{7, prefix("10.0.0.0/8"), {{3, 1, "k7"}}, true, false, false}},
      {}};
  const Endpoint etr_{ip("192.0.2.4"), 4342};
};

TEST_F(MapServerTest, GoodHmacBothKeyTypesGetsMapNotify) {
  for (auto [algorithm, key] : {std::pair{1, "old-key"}, std::pair{2, "new-key"}}) {
    const auto reply = server_.handle(
        map_register({record("203.0.113.0/24", "192.0.2.4")}, key, static_cast<uint8_t>(algorithm)),
        etr_, kStart);
    ASSERT_EQ(reply.size(), 1u) << "algorithm " << algorithm;
    EXPECT_EQ(reply[0].destination, (Endpoint{ip("192.0.2.4"), 4342}));
    EXPECT_TRUE(crypto::verify_authentication(reply[0].bytes, key));
    auto notify = lisp::decode_message(reply[0].bytes);
    ASSERT_TRUE(notify.ok());
    const auto& m = std::get<lisp::MapNotify>(notify->value);
    EXPECT_EQ(m.nonce, 0x1234u);
    EXPECT_EQ(m.auth.algorithm_id, algorithm);
    EXPECT_EQ(m.records.size(), 1u);
  }
  EXPECT_EQ(server_.counters().registers_accepted, 2u);
  EXPECT_EQ(server_.registration_count(), 1u);
}

TEST_F(MapServerTest, BadHmacIsDroppedAndCounted) {
  auto bytes = map_register({record("203.0.113.0/24", "192.0.2.4")}, "wrong-key");
  EXPECT_TRUE(server_.handle(bytes, etr_, kStart).empty());
  // The right key under the wrong algorithm id is refused too.
  bytes = map_register({record("203.0.113.0/24", "192.0.2.4")}, "old-key", 2);
  EXPECT_TRUE(server_.handle(bytes, etr_, kStart).empty());
  // And a right signature with a changed byte.
  bytes = map_register({record("203.0.113.0/24", "192.0.2.4")}, "old-key");
  bytes.back() ^= 1;
  EXPECT_TRUE(server_.handle(bytes, etr_, kStart).empty());
  EXPECT_EQ(server_.counters().auth_failures, 3u);
  EXPECT_EQ(server_.registration_count(), 0u);
}

// RFC 9301 §8.2 and the flood case of the faults issue: the HMAC is checked
// before the records are decoded, so a forged register whose records would
// not even decode costs one HMAC and counts as an authentication failure.
TEST_F(MapServerTest, TheHmacIsCheckedBeforeTheRecordsAreDecoded) {
  auto forged = map_register({record("203.0.113.0/24", "192.0.2.4")}, "wrong-key");
  // | type, nonce, key/alg/length (16) | HMAC-SHA-1 (20) | Record TTL (4) | Locator Count |
  const size_t locator_count_at = lisp::kAuthDataOffset + 20 + 4;
  ASSERT_EQ(forged[locator_count_at], 1);
  forged[locator_count_at] = 255;  // one locator present
  ASSERT_FALSE(lisp::decode_message(forged).ok());
  EXPECT_TRUE(server_.handle(forged, etr_, kStart).empty());
  EXPECT_EQ(server_.counters().auth_failures, 1u);
  EXPECT_EQ(server_.counters().malformed, 0u);
}

TEST_F(MapServerTest, PrefixOutsideTheSiteIsRefused) {
  EXPECT_TRUE(
      server_.handle(map_register({record("192.0.2.128/25", "192.0.2.4")}, "old-key"), etr_, kStart)
          .empty());
  // One record inside, one outside: the whole message is refused.
  EXPECT_TRUE(server_
                  .handle(map_register({record("203.0.113.0/24", "192.0.2.4"),
                                        record("198.51.100.0/24", "192.0.2.4")},
                                       "old-key"),
                          etr_, kStart)
                  .empty());
  EXPECT_EQ(server_.counters().outside_site, 2u);
}

// An xTR registers its IPv4 and IPv6 EID-prefixes in one message; each is
// a lisp-site of its own with the same key (OOR's Map-Server takes that).
// A site with another key is still no part of it.
TEST(MapServerSites, OneRegisterCoversSitesThatShareItsKey) {
  MapServer server{{Site{0, prefix("10.1.0.0/24"), {{0, 2, "site-key"}}, false, false, false},
                    Site{0, prefix("2001:db8:a::/64"), {{0, 2, "site-key"}}, false, false, false},
                    Site{0, prefix("10.2.0.0/24"), {{0, 2, "other-key"}}, false, false, false}},
                   {}};
  const Endpoint etr{ip("192.0.3.4"), 4342};
  EXPECT_EQ(server
                .handle(map_register({record("10.1.0.0/24", "192.0.3.4"),
                                      record("2001:db8:a::/64", "192.0.3.4")},
                                     "site-key", 2),
                        etr, kStart)
                .size(),
            1u);
  EXPECT_EQ(server.registration_count(), 2u);
  EXPECT_TRUE(server
                  .handle(map_register({record("10.1.0.0/24", "192.0.3.4"),
                                        record("10.2.0.0/24", "192.0.3.4")},
                                       "site-key", 2),
                          etr, kStart)
                  .empty());
  EXPECT_EQ(server.counters().outside_site, 1u);
  EXPECT_EQ(server.registration_count(), 2u);
}

TEST_F(MapServerTest, AcceptMoreSpecifics) {
  // On for 203.0.113.0/24: a /32 inside registers.
  EXPECT_EQ(
      server_
          .handle(map_register({record("203.0.113.10/32", "192.0.2.4")}, "old-key"), etr_, kStart)
          .size(),
      1u);
  // Off for 198.51.100.0/24: only the site prefix itself.
  EXPECT_TRUE(
      server_.handle(map_register({record("198.51.100.10/32", "192.0.2.3")}, "k2"), etr_, kStart)
          .empty());
  EXPECT_EQ(
      server_.handle(map_register({record("198.51.100.0/24", "192.0.2.3")}, "k2"), etr_, kStart)
          .size(),
      1u);
  EXPECT_EQ(server_.counters().outside_site, 1u);
}

TEST_F(MapServerTest, InstanceIdAndKeyIdMustMatch) {
  lisp::MappingRecord r = record("10.1.0.0/16", "192.0.2.9");
  lisp::Lcaf lcaf;
  lcaf.body = lisp::InstanceIdLcaf{7, 0, r.eid};
  r.eid = lcaf;
  EXPECT_EQ(server_.handle(map_register({r}, "k7", 1, 1, false, 3), etr_, kStart).size(), 1u);
  EXPECT_TRUE(server_.handle(map_register({r}, "k7", 1, 1, false, 0), etr_, kStart).empty())
      << "key-id 0 is not the site's key-id 3";
  EXPECT_NE(server_.lookup(7, prefix("10.1.2.3/32")), nullptr);
  EXPECT_EQ(server_.lookup(0, prefix("10.1.2.3/32")), nullptr);
}

TEST_F(MapServerTest, RegistrationsExpireWithoutRefresh) {
  server_.handle(map_register({record("203.0.113.0/24", "192.0.2.4")}, "old-key"), etr_, kStart);
  server_.expire(kStart + seconds(170));
  EXPECT_EQ(server_.registration_count(), 1u);
  server_.handle(map_register({record("203.0.113.0/24", "192.0.2.4")}, "old-key"), etr_,
                 kStart + seconds(120));
  server_.expire(kStart + seconds(290));
  EXPECT_EQ(server_.registration_count(), 1u) << "refreshed at 120 s";
  server_.expire(kStart + seconds(301));
  EXPECT_EQ(server_.registration_count(), 0u);
  EXPECT_EQ(server_.counters().expired, 1u);
}

TEST_F(MapServerTest, NewRlocsNotifyThePreviousAttachment) {
  server_.handle(map_register({record("203.0.113.10/32", "192.0.2.4")}, "old-key"), etr_, kStart);
  const Endpoint moved{ip("192.0.2.77"), 61001};
  auto out =
      server_.handle(map_register({record("203.0.113.10/32", "192.0.2.77")}, "old-key", 1, 2),
                     moved, kStart + seconds(1));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].destination, (Endpoint{ip("192.0.2.4"), 4342})) << "the old RLOC learns of it";
  EXPECT_EQ(out[1].destination, (Endpoint{ip("192.0.2.77"), 61001})) << "the register's port";
  const auto* registration = server_.lookup(0, prefix("203.0.113.10/32"));
  ASSERT_NE(registration, nullptr);
  EXPECT_EQ(registration->record.locators[0].address.to_string(), "192.0.2.77");
  // A multihomed node losing one of two RLOCs: only the one it lost is told.
  auto two = record("203.0.113.10/32", "192.0.2.77");
  two.locators.push_back(two.locators[0]);
  two.locators[1].address = ip("192.0.2.88");
  server_.handle(map_register({two}, "old-key", 1, 3), moved, kStart + seconds(2));
  out = server_.handle(map_register({record("203.0.113.10/32", "192.0.2.88")}, "old-key", 1, 4),
                       {ip("192.0.2.88"), 4342}, kStart + seconds(3));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].destination.address, ip("192.0.2.77")) << "the RLOC it lost";
  EXPECT_EQ(out[1].destination.address, ip("192.0.2.88")) << "the register's source, once";
}

// Two xTRs of one site (merge on) register the same prefix, each with its
// RLOC and xTR-ID (the I bit): the Map-Server answers with both (a proxy
// reply: neither ETR holds the pair), neither registration replaces or
// notifies the other, and each keeps only its own locators alive.
class MergedSiteTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> register_from(uint8_t xtr, const char* rloc, bool with_id = true) {
    lisp::MapRegister m;
    m.want_map_notify = true;
    m.nonce = xtr;
    m.auth.algorithm_id = 1;
    m.records = {record("198.51.100.0/24", rloc)};
    if (with_id) m.identity = lisp::XtrIdentity{{xtr}, 7};
    return *crypto::encode_authenticated(m, "site-key");
  }
  MapServer server_{{Site{0, prefix("198.51.100.0/24"), {{0, 1, "site-key"}}, false, false, true}},
                    {}};
  const Endpoint xtr1_{ip("192.0.2.4"), 4342};
  const Endpoint xtr2_{ip("192.0.3.4"), 4342};
};

TEST_F(MergedSiteTest, TwoXtrsAreAnsweredTogetherAndLapseApart) {
  auto out = server_.handle(register_from(1, "192.0.2.4"), xtr1_, kStart);
  ASSERT_EQ(out.size(), 1u) << "only the Map-Notify";
  out = server_.handle(register_from(2, "192.0.3.4"), xtr2_, kStart + seconds(30));
  ASSERT_EQ(out.size(), 1u) << "the first xTR is not told of a move";
  EXPECT_EQ(out[0].destination, xtr2_);
  const auto* registration = server_.lookup(0, prefix("198.51.100.0/24"));
  ASSERT_NE(registration, nullptr);
  ASSERT_EQ(registration->record.locators.size(), 2u);
  EXPECT_EQ(registration->record.locators[0].address.to_string(), "192.0.2.4");
  EXPECT_EQ(registration->record.locators[1].address.to_string(), "192.0.3.4");
  EXPECT_EQ(registration->contributors.size(), 2u);
  // Refreshes change nothing.
  server_.handle(register_from(1, "192.0.2.4"), xtr1_, kStart + seconds(60));
  EXPECT_EQ(server_.lookup(0, prefix("198.51.100.0/24"))->record.locators.size(), 2u);

  // A Map-Request is answered by the Map-Server with both locators.
  out = server_.handle(ecm_request("198.51.100.10", 32), {ip("192.0.2.5"), 4342},
                       kStart + seconds(61));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].destination, (Endpoint{ip("192.0.2.5"), 61000}));
  auto reply = lisp::decode_message(out[0].bytes);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(std::get<lisp::MapReply>(reply->value).records.at(0).locators.size(), 2u);
  EXPECT_EQ(server_.counters().proxy_replies, 1u);

  // xTR 2 stops registering: its locator lapses, xTR 1's stays.
  server_.handle(register_from(1, "192.0.2.4"), xtr1_, kStart + seconds(200));
  server_.expire(kStart + seconds(211));
  registration = server_.lookup(0, prefix("198.51.100.0/24"));
  ASSERT_NE(registration, nullptr);
  ASSERT_EQ(registration->record.locators.size(), 1u);
  EXPECT_EQ(registration->record.locators[0].address.to_string(), "192.0.2.4");
  EXPECT_EQ(server_.counters().expired, 0u);
  server_.expire(kStart + seconds(381));
  EXPECT_EQ(server_.registration_count(), 0u);
  EXPECT_EQ(server_.counters().expired, 1u);
}

TEST_F(MergedSiteTest, WithoutXtrIdsTheRegistrantsAddressTellsThemApart) {
  server_.handle(register_from(1, "192.0.2.4", false), xtr1_, kStart);
  server_.handle(register_from(2, "192.0.3.4", false), xtr2_, kStart);
  EXPECT_EQ(server_.lookup(0, prefix("198.51.100.0/24"))->record.locators.size(), 2u);
  // The same xTR with a new RLOC replaces its own share only.
  auto out = server_.handle(register_from(1, "192.0.2.9", false), xtr1_, kStart + seconds(1));
  const auto& locators = server_.lookup(0, prefix("198.51.100.0/24"))->record.locators;
  ASSERT_EQ(locators.size(), 2u);
  EXPECT_EQ(locators[0].address.to_string(), "192.0.2.9");
  EXPECT_EQ(locators[1].address.to_string(), "192.0.3.4");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].destination, (Endpoint{ip("192.0.2.4"), 4342})) << "its old RLOC is told";
}

TEST_F(MergedSiteTest, MergedXtrsAreBounded) {
  MapServer::Options options;
  options.max_contributors = 2;
  server_.set_options(options);
  server_.handle(register_from(1, "192.0.2.4"), xtr1_, kStart);
  server_.handle(register_from(2, "192.0.3.4"), xtr2_, kStart);
  EXPECT_TRUE(
      server_.handle(register_from(3, "192.0.4.4"), {ip("192.0.4.4"), 4342}, kStart).empty());
  EXPECT_EQ(server_.counters().contributors_refused, 1u);
  EXPECT_EQ(server_.lookup(0, prefix("198.51.100.0/24"))->record.locators.size(), 2u);
  EXPECT_EQ(server_.handle(register_from(1, "192.0.2.4"), xtr1_, kStart).size(), 1u)
      << "one already merged still refreshes";
}

TEST_F(MapServerTest, RequestIsForwardedToTheEtrWithoutProxyReply) {
  server_.handle(map_register({record("203.0.113.0/24", "192.0.2.4")}, "old-key"), etr_, kStart);
  const auto request = ecm_request("203.0.113.10", 32);
  auto out = server_.handle(request, {ip("192.0.2.5"), 4342}, kStart);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].destination, (Endpoint{ip("192.0.2.4"), 4342}));
  EXPECT_EQ(out[0].bytes, request) << "the ECM goes on unchanged";
  EXPECT_EQ(server_.counters().requests_forwarded, 1u);
}

TEST_F(MapServerTest, ProxyReplyFromTheRegisterOrTheSite) {
  // The register's P bit.
  server_.handle(map_register({record("203.0.113.0/24", "192.0.2.4")}, "old-key", 1, 9, true), etr_,
                 kStart);
  auto out = server_.handle(ecm_request("203.0.113.10", 32, 4242), {ip("192.0.2.5"), 4342}, kStart);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].destination, (Endpoint{ip("192.0.2.5"), 61000})) << "ITR-RLOC, request's port";
  auto reply = lisp::decode_message(out[0].bytes);
  ASSERT_TRUE(reply.ok());
  const auto& m = std::get<lisp::MapReply>(reply->value);
  EXPECT_EQ(m.nonce, 4242u);
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].locators[0].address.to_string(), "192.0.2.4");
  // The site's proxy-reply (2001:db8:2::/48 has it).
  lisp::MappingRecord v6 = record("2001:db8:2::/48", "192.0.2.4");
  server_.handle(map_register({v6}, "k6"), etr_, kStart);
  out = server_.handle(ecm_request("2001:db8:2::10", 128), {ip("192.0.2.5"), 4342}, kStart);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(server_.counters().proxy_replies, 2u);
}

TEST_F(MapServerTest, NegativeReplyPrefixesIpv4) {
  bool in_site = true;
  // Outside every site: the largest prefix around the EID holding no site.
  EXPECT_EQ(server_.negative_prefix(0, ip("8.8.8.8"), &in_site).to_string(), "0.0.0.0/1");
  EXPECT_FALSE(in_site);
  EXPECT_EQ(server_.negative_prefix(0, ip("203.0.112.1")).to_string(), "203.0.112.0/24");
  EXPECT_EQ(server_.negative_prefix(0, ip("198.51.101.1")).to_string(), "198.51.101.0/24");
  // Inside a site with 203.0.113.0/25 registered: around .200 the /25 above it.
  server_.handle(map_register({record("203.0.113.0/25", "192.0.2.4")}, "old-key"), etr_, kStart);
  EXPECT_EQ(server_.negative_prefix(0, ip("203.0.113.200"), &in_site).to_string(),
            "203.0.113.128/25");
  EXPECT_TRUE(in_site);
  // Nothing registered in 198.51.100.0/24: the whole site.
  EXPECT_EQ(server_.negative_prefix(0, ip("198.51.100.7")).to_string(), "198.51.100.0/24");
}

TEST_F(MapServerTest, NegativeReplyPrefixesIpv6AndTheWireMessage) {
  EXPECT_EQ(server_.negative_prefix(0, ip("2001:db8:3::1")).to_string(), "2001:db8:3::/48");
  // 2400:: and the site 2001:db8:2::/48 share their first 5 bits only.
  EXPECT_EQ(server_.negative_prefix(0, ip("2400::1")).to_string(), "2400::/6");
  auto out = server_.handle(ecm_request("2001:db8:3::1", 128, 5), {ip("192.0.2.5"), 4342}, kStart);
  ASSERT_EQ(out.size(), 1u);
  auto reply = lisp::decode_message(out[0].bytes);
  ASSERT_TRUE(reply.ok());
  const auto& record = std::get<lisp::MapReply>(reply->value).records.at(0);
  EXPECT_EQ(record.eid_mask_len, 48);
  EXPECT_EQ(record.eid.to_string(), "2001:db8:3::");
  EXPECT_EQ(record.ttl_minutes, 15u);
  EXPECT_EQ(record.action, static_cast<uint8_t>(lisp::MapReplyAction::kNativelyForward));
  EXPECT_TRUE(record.locators.empty());
  // Unregistered space inside a site: short TTL, drop.
  out = server_.handle(ecm_request("198.51.100.7", 32, 6), {ip("192.0.2.5"), 4342}, kStart);
  auto decoded = lisp::decode_message(out.at(0).bytes);
  ASSERT_TRUE(decoded.ok());
  const auto& in_site = std::get<lisp::MapReply>(decoded->value);
  EXPECT_EQ(in_site.records.at(0).ttl_minutes, 1u);
  EXPECT_EQ(in_site.records.at(0).action, static_cast<uint8_t>(lisp::MapReplyAction::kDrop));
  EXPECT_EQ(server_.counters().negative_replies, 2u);
}

TEST_F(MapServerTest, SmrsAreNotAnsweredAsQueries) {
  lisp::MapRequest smr;
  smr.smr = true;
  smr.nonce = 9;
  smr.source_eid = ip("198.18.0.10");
  smr.itr_rlocs = {ip("192.0.2.5")};
  smr.records = {lisp::EidRecord{0, 24, ip("203.0.113.0")}};
  EXPECT_TRUE(server_.handle(*lisp::encode_message(smr), {ip("192.0.2.5"), 4342}, kStart).empty());
  smr.smr = false;  // the same, as a direct query, is answered
  EXPECT_EQ(server_.handle(*lisp::encode_message(smr), {ip("192.0.2.5"), 4342}, kStart).size(), 1u);
}

TEST_F(MapServerTest, RepliesAreRateLimitedPerRequester) {
  MapServer::Options options;
  options.replies_per_second = 10;
  options.reply_burst = 5;
  MapServer server({Site{0, prefix("203.0.113.0/24"), {{0, 1, "k"}}, true, true, false}}, options);
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    answered += !server.handle(ecm_request("203.0.113.1", 32), {ip("192.0.2.5")}, kStart).empty();
  }
  EXPECT_EQ(answered, 5);
  // Another requester has its own bucket; time refills.
  EXPECT_FALSE(server.handle(ecm_request("203.0.113.1", 32), {ip("192.0.2.6")}, kStart).empty());
  EXPECT_FALSE(server.handle(ecm_request("203.0.113.1", 32), {ip("192.0.2.5")}, kStart + seconds(1))
                   .empty());
  EXPECT_EQ(server.counters().rate_limited, 15u);

  // A reload lifts the limit (ms-replies-per-second = 0), then sets a new one.
  options.replies_per_second = 0;
  server.set_options(options);
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(server.handle(ecm_request("203.0.113.1", 32), {ip("192.0.2.5")}, kStart).empty());
  }
  options.replies_per_second = 1;
  options.reply_burst = 1;
  server.set_options(options);
  EXPECT_FALSE(server.handle(ecm_request("203.0.113.1", 32), {ip("192.0.2.5")}, kStart).empty());
  EXPECT_TRUE(server.handle(ecm_request("203.0.113.1", 32), {ip("192.0.2.5")}, kStart).empty());
}

// What registering ETRs can make the MS hold is bounded, per site and in
// all; a refresh of what is held still goes through, and room comes back
// when registrations lapse.
TEST(MapServerLimits, RegistrationsAreCappedPerSiteAndInAll) {
  MapServer::Options options;
  options.max_registrations = 5;
  options.max_registrations_per_site = 3;
  MapServer server({Site{0, prefix("203.0.113.0/24"), {{0, 1, "a"}}, true, false, false},
                    Site{0, prefix("198.51.100.0/24"), {{0, 1, "b"}}, true, false, false}},
                   options);
  const Endpoint etr{ip("192.0.2.4"), 4342};
  auto registers = [&](const std::string& eid, const std::string& key, TimePoint now) {
    return !server.handle(map_register({record(eid.c_str(), "192.0.2.4")}, key), etr, now).empty();
  };
  for (int i = 1; i <= 3; ++i)
    EXPECT_TRUE(registers(absl::StrCat("203.0.113.", i, "/32"), "a", kStart));
  EXPECT_FALSE(registers("203.0.113.4/32", "a", kStart)) << "the site's share is full";
  EXPECT_TRUE(registers("203.0.113.2/32", "a", kStart)) << "a refresh is no new entry";
  EXPECT_TRUE(registers("198.51.100.1/32", "b", kStart));
  EXPECT_TRUE(registers("198.51.100.2/32", "b", kStart));
  EXPECT_FALSE(registers("198.51.100.3/32", "b", kStart)) << "the table is full";
  EXPECT_EQ(server.registration_count(), 5u);
  EXPECT_EQ(server.counters().registrations_refused, 2u);
  server.expire(kStart + std::chrono::seconds(181));
  EXPECT_EQ(server.registration_count(), 0u);
  EXPECT_TRUE(registers("203.0.113.4/32", "a", kStart + std::chrono::seconds(182)));
}

// ms-static-registered-site: the Map-Server answers for the configured
// mapping itself, keeps it past any registration timeout, refuses a
// Map-Register for the same prefix, and a reload replaces it.
TEST_F(MapServerTest, StaticRegistrationsAreAnsweredByTheMapServerAndNeverLapse) {
  auto config = config::parse_text(R"(
operating-mode = "MS"
lisp-site { eid-prefix = 203.0.113.0/24  key = "old-key"  accept-more-specifics = on }
ms-static-registered-site {
  eid-prefix = 203.0.113.128/25
  rloc-address { address = 192.0.2.77  priority = 2  weight = 60 }
}
)",
                                   "ms.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config::unused_keys(*config).empty()) << config::unused_keys(*config)[0];
  const auto projected = tools::map_server_config_of(*config);
  ASSERT_EQ(projected.static_registrations.size(), 1u);
  server_.set_static(projected.static_registrations);
  ASSERT_EQ(server_.registration_count(), 1u);

  server_.expire(kStart + std::chrono::hours(24));
  ASSERT_EQ(server_.registration_count(), 1u) << "a configured mapping never lapses";
  // Asked through the mapping system: the Map-Server replies itself.
  auto out = server_.handle(ecm_request("203.0.113.200", 32, 31), {ip("192.0.2.5"), 4342}, kStart);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].destination, (Endpoint{ip("192.0.2.5"), 61000}));
  auto reply = lisp::decode_message(out[0].bytes);
  ASSERT_TRUE(reply.ok());
  const auto& m = std::get<lisp::MapReply>(reply->value);
  EXPECT_EQ(m.nonce, 31u);
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].eid_mask_len, 25);
  EXPECT_EQ(m.records[0].ttl_minutes, server_.options().static_ttl_minutes);
  ASSERT_EQ(m.records[0].locators.size(), 1u);
  EXPECT_EQ(m.records[0].locators[0].address.to_string(), "192.0.2.77");
  EXPECT_EQ(m.records[0].locators[0].priority, 2);
  EXPECT_EQ(m.records[0].locators[0].weight, 60);
  EXPECT_EQ(server_.counters().proxy_replies, 1u);

  // An ETR of the site cannot take the configured prefix over.
  EXPECT_TRUE(
      server_
          .handle(map_register({record("203.0.113.128/25", "192.0.2.4")}, "old-key"), etr_, kStart)
          .empty());
  EXPECT_EQ(server_.counters().static_overlaps, 1u);
  EXPECT_EQ(server_.lookup(0, prefix("203.0.113.200/32"))->record.locators[0].address.to_string(),
            "192.0.2.77");
  // A reload that drops it: the prefix is free for registrations again.
  server_.set_static({});
  EXPECT_EQ(server_.registration_count(), 0u);
  EXPECT_EQ(
      server_
          .handle(map_register({record("203.0.113.128/25", "192.0.2.4")}, "old-key"), etr_, kStart)
          .size(),
      1u);
}

TEST(MapServerConfigTest, SitesFromConfigGroupKeys) {
  auto config = config::parse_text(R"(
operating-mode = "MS"
lisp-site { eid-prefix = 203.0.113.0/24  key-type = 1  key = "old" accept-more-specifics = on }
lisp-site { eid-prefix = 203.0.113.0/24  key-type = 2  key = "new" }
lisp-site { eid-prefix = 198.51.100.0/24  key = "other" proxy-reply = on }
)",
                                   "ms.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  const auto sites = tools::map_server_config_of(*config).sites;
  ASSERT_EQ(sites.size(), 2u);
  ASSERT_EQ(sites[0].keys.size(), 2u);
  EXPECT_EQ(sites[0].keys[1].algorithm, 2);
  EXPECT_EQ(sites[0].keys[1].key, "new");
  EXPECT_TRUE(sites[0].accept_more_specifics);
  EXPECT_TRUE(sites[1].proxy_reply);
}

}  // namespace
}  // namespace lispmob::control
