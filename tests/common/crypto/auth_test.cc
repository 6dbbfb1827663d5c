#include "common/crypto/auth.h"

#include <gtest/gtest.h>

#include <set>

#include "common/crypto/nonce.h"
#include "tests/support/bytes.h"

namespace lispmob::crypto {
namespace {

using testing::hex;

// Frame 1 of the OOR capture; OOR signed it with the key "password".
const std::vector<uint8_t> kOorMapRegister =
    hex("30 00 01 01 de cb 3e 7f e0 3e ca 9a 00 01 00 14 09 32 7d f4 f2 c1 ff 05 "
        "6f fa 6d 4e 65 ad c4 d7 a1 4c 0e 43 00 00 00 0a 01 18 10 00 00 00 00 01 "
        "cb 00 71 00 01 64 ff 00 00 05 00 01 c0 00 02 04");
// Frame 3: the Map-Server's Map-Notify in answer.
const std::vector<uint8_t> kOorMapNotify =
    hex("40 00 00 01 de cb 3e 7f e0 3e ca 9a 00 01 00 14 78 e1 c6 01 df af 12 cb "
        "96 22 e9 ae 1f 58 4f 7f 60 21 38 35 00 00 00 0a 01 18 10 00 00 00 00 01 "
        "cb 00 71 00 01 64 ff 00 00 01 00 01 c0 00 02 04");

TEST(AuthTest, VerifiesOorSignatures) {
  EXPECT_TRUE(verify_authentication(kOorMapRegister, "password"));
  EXPECT_TRUE(verify_authentication(kOorMapNotify, "password"));
  EXPECT_FALSE(verify_authentication(kOorMapRegister, "passwore"));
  EXPECT_FALSE(verify_authentication(kOorMapRegister, ""));
}

TEST(AuthTest, ReproducesOorSignature) {
  auto decoded = lisp::decode_message(kOorMapRegister);
  ASSERT_TRUE(decoded.ok());
  std::get<lisp::MapRegister>(decoded->value).auth.data.assign(20, 0xee);  // any old value
  auto signed_bytes = encode_authenticated(*decoded, "password");
  ASSERT_TRUE(signed_bytes.ok()) << signed_bytes.status();
  EXPECT_EQ(*signed_bytes, kOorMapRegister);
}

TEST(AuthTest, AnyChangedByteFailsVerification) {
  for (size_t at = 0; at < kOorMapRegister.size(); ++at) {
    auto changed = kOorMapRegister;
    changed[at] ^= 0x01;
    EXPECT_FALSE(verify_authentication(changed, "password")) << "byte " << at;
  }
}

TEST(AuthTest, Sha256SignsWith32Bytes) {
  lisp::MapRegister m;
  m.want_map_notify = true;
  m.nonce = 77;
  m.auth.algorithm_id = static_cast<uint8_t>(lisp::AuthAlgorithm::kHmacSha256_128);
  lisp::MappingRecord record;
  record.eid_mask_len = 32;
  record.eid = *net::IpAddress::parse("10.0.0.1");
  m.records = {record};
  auto bytes = encode_authenticated(m, "s3cret");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[13], 2);
  EXPECT_EQ((*bytes)[15], 32) << "the full SHA-256 output goes on the wire";
  EXPECT_TRUE(verify_authentication(*bytes, "s3cret"));
  EXPECT_FALSE(verify_authentication(*bytes, "s3cre"));
  EXPECT_EQ(auth_data_length(lisp::AuthAlgorithm::kHmacSha256_128), 32u);
  EXPECT_EQ(auth_data_length(lisp::AuthAlgorithm::kHmacSha1_96), 20u);
  EXPECT_EQ(auth_data_length(lisp::AuthAlgorithm::kNone), 0u);
}

TEST(AuthTest, InfoRequestIsSignedToo) {
  lisp::InfoMessage m;
  m.nonce = 3;
  m.auth.algorithm_id = 1;
  m.eid_mask_len = 32;
  m.eid = *net::IpAddress::parse("10.0.0.1");
  auto bytes = encode_authenticated(m, "k");
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(verify_authentication(*bytes, "k"));
}

TEST(AuthTest, RefusesWhatCannotBeVerified) {
  // Unknown algorithm, declared length not matching the algorithm, truncated,
  // a message type without authentication.
  auto unknown_alg = kOorMapRegister;
  unknown_alg[13] = 9;
  EXPECT_FALSE(verify_authentication(unknown_alg, "password"));
  auto wrong_length = kOorMapRegister;
  wrong_length[15] = 0x10;
  EXPECT_FALSE(verify_authentication(wrong_length, "password"));
  EXPECT_FALSE(verify_authentication(std::span(kOorMapRegister).first(30), "password"));
  auto reply = kOorMapRegister;
  reply[0] = 0x20;
  EXPECT_FALSE(verify_authentication(reply, "password"));
  lisp::MapReply not_signed;
  EXPECT_FALSE(encode_authenticated(not_signed, "password").ok());
  lisp::MapRegister no_algorithm;
  EXPECT_FALSE(encode_authenticated(no_algorithm, "password").ok());
}

TEST(NonceTest, NoncesDoNotRepeat) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    auto nonce = random_nonce();
    ASSERT_TRUE(nonce.ok());
    seen.insert(*nonce);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace lispmob::crypto
