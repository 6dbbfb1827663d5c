#include "tests/support/samples.h"

#include <cstdlib>

#include "common/crypto/auth.h"

namespace lispmob::testing {
namespace {

using namespace lisp;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

MappingRecord mapping(const char* eid, uint8_t mask_len, std::vector<const char*> rlocs) {
  MappingRecord record;
  record.ttl_minutes = 10;
  record.eid_mask_len = mask_len;
  record.authoritative = true;
  record.eid = ip(eid);
  for (const char* rloc : rlocs) {
    Locator locator;
    locator.flags = Locator::kLocal | Locator::kReachable;
    locator.weight = static_cast<uint8_t>(100 / rlocs.size());
    locator.address = ip(rloc);
    record.locators.push_back(locator);
  }
  return record;
}

Address iid_prefix(uint32_t iid, const char* address) {
  Lcaf lcaf;
  lcaf.body = InstanceIdLcaf{iid, 0, Address(ip(address))};
  return lcaf;
}

MapRequest map_request() {
  MapRequest request;
  request.nonce = 0x1122334455667788;
  request.source_eid = ip("198.18.0.10");
  request.itr_rlocs = {ip("192.0.2.5"), ip("2001:db8:ff::5")};
  request.records = {EidRecord{0, 32, ip("203.0.113.10")}};
  return request;
}

}  // namespace

std::vector<Sample> sample_messages() {
  std::vector<Sample> samples;

  samples.push_back({"map-request", map_request()});
  MapRequest smr = map_request();
  smr.smr = true;
  smr.map_data = mapping("198.18.0.10", 32, {"192.0.2.5"});
  samples.push_back({"map-request-smr-with-map-data", smr});
  MapRequest probe = map_request();
  probe.probe = true;
  probe.source_eid = Address{};
  probe.itr_rlocs = {ip("192.0.2.5")};
  samples.push_back({"map-request-rloc-probe", probe});
  MapRequest smr_invoked = map_request();
  smr_invoked.smr_invoked = true;
  samples.push_back({"map-request-smr-invoked", smr_invoked});

  MapReply reply;
  reply.nonce = 0x1122334455667788;
  reply.records = {mapping("203.0.113.0", 24, {"192.0.2.4", "192.0.2.44"}),
                   mapping("2001:db8:2::", 48, {"2001:db8:ff::4"})};
  samples.push_back({"map-reply", reply});
  MapReply negative;
  negative.nonce = 1;
  MappingRecord drop;
  drop.ttl_minutes = 15;
  drop.eid_mask_len = 8;
  drop.action = static_cast<uint8_t>(MapReplyAction::kNativelyForward);
  drop.eid = ip("10.0.0.0");
  negative.records = {drop};
  samples.push_back({"map-reply-negative", negative});
  MapReply iid_reply;
  iid_reply.nonce = 2;
  MappingRecord with_iid = mapping("203.0.113.0", 24, {"192.0.2.4"});
  with_iid.eid = iid_prefix(7, "203.0.113.0");
  iid_reply.records = {with_iid};
  samples.push_back({"map-reply-instance-id", iid_reply});

  MapRegister reg;
  reg.want_map_notify = true;
  reg.nonce = 0xaabbccddeeff0011;
  reg.auth.algorithm_id = static_cast<uint8_t>(AuthAlgorithm::kHmacSha1_96);
  reg.records = {mapping("198.18.0.10", 32, {"192.0.2.5"})};
  samples.push_back({"map-register-sha1", reg, true});
  MapRegister reg256 = reg;
  reg256.auth.algorithm_id = static_cast<uint8_t>(AuthAlgorithm::kHmacSha256_128);
  reg256.proxy_reply = true;
  reg256.identity = XtrIdentity{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 42};
  samples.push_back({"map-register-sha256-xtr-id", reg256, true});

  MapNotify notify;
  notify.nonce = reg.nonce;
  notify.auth.algorithm_id = static_cast<uint8_t>(AuthAlgorithm::kHmacSha1_96);
  notify.records = reg.records;
  samples.push_back({"map-notify", notify, true});
  MapNotify ack = notify;
  ack.ack = true;
  samples.push_back({"map-notify-ack", ack, true});

  MapReferral referral;
  referral.nonce = 3;
  ReferralRecord referral_record;
  referral_record.record = mapping("10.0.0.0", 8, {"192.0.2.9"});
  referral_record.record.action = static_cast<uint8_t>(ReferralAction::kMsAck);
  referral.records = {referral_record};
  samples.push_back({"map-referral", referral});

  InfoMessage info_request;
  info_request.nonce = 4;
  info_request.auth.algorithm_id = static_cast<uint8_t>(AuthAlgorithm::kHmacSha1_96);
  info_request.eid_mask_len = 32;
  info_request.eid = ip("198.18.0.10");
  samples.push_back({"info-request", info_request, true});
  InfoMessage info_reply = info_request;
  info_reply.reply = true;
  info_reply.ttl_minutes = 1440;
  NatTraversalLcaf nat;
  nat.ms_udp_port = kControlPort;
  nat.etr_udp_port = 61000;
  *nat.global_etr_rloc = ip("203.0.113.200");
  *nat.ms_rloc = ip("192.0.2.2");
  *nat.private_etr_rloc = ip("10.0.0.5");
  nat.rtr_rlocs = {Address(ip("192.0.2.7"))};
  Lcaf nat_lcaf;
  nat_lcaf.body = nat;
  info_reply.payload = nat_lcaf;
  samples.push_back({"info-reply", info_reply, true});

  EncapsulatedControlMessage ecm4;
  net::Ipv4Header inner4;
  inner4.ttl = 32;
  inner4.source = ip("198.18.0.10");
  inner4.destination = ip("203.0.113.10");
  ecm4.inner_ip = inner4;
  ecm4.inner_udp = {kControlPort, kControlPort, std::nullopt, std::nullopt};
  *ecm4.inner = map_request();
  samples.push_back({"ecm-ipv4-map-request", ecm4});
  EncapsulatedControlMessage ecm6 = ecm4;
  net::Ipv6Header inner6;
  inner6.hop_limit = 32;
  inner6.source = ip("2001:db8:3::10");
  inner6.destination = ip("2001:db8:2::10");
  ecm6.inner_ip = inner6;
  MapRequest request6 = map_request();
  request6.source_eid = ip("2001:db8:3::10");
  request6.records = {EidRecord{0, 128, ip("2001:db8:2::10")}};
  *ecm6.inner = request6;
  samples.push_back({"ecm-ipv6-map-request", ecm6});
  return samples;
}

std::vector<uint8_t> encode_sample(const Sample& sample) {
  auto bytes = sample.authenticated ? crypto::encode_authenticated(sample.message, kSampleKey)
                                    : encode_message(sample.message);
  if (!bytes.ok()) std::abort();
  return *bytes;
}

}  // namespace lispmob::testing
