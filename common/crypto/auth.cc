#include "common/crypto/auth.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>

#include "common/crypto/nonce.h"

namespace lispmob::crypto {
namespace {

const EVP_MD* digest_for(uint8_t algorithm_id) {
  switch (static_cast<lisp::AuthAlgorithm>(algorithm_id)) {
    case lisp::AuthAlgorithm::kHmacSha1_96:
      return EVP_sha1();
    case lisp::AuthAlgorithm::kHmacSha256_128:
      return EVP_sha256();
    default:
      return nullptr;
  }
}

lisp::Authentication* authentication_of(lisp::Message& message) {
  if (auto* m = std::get_if<lisp::MapRegister>(&message.value)) return &m->auth;
  if (auto* m = std::get_if<lisp::MapNotify>(&message.value)) return &m->auth;
  if (auto* m = std::get_if<lisp::InfoMessage>(&message.value)) return &m->auth;
  return nullptr;
}

// HMAC of `message` with the auth field (at kAuthDataOffset, `length` bytes)
// taken as zeros: fed in three pieces, so the message is never copied.
bool compute_hmac(std::span<const uint8_t> message, const EVP_MD* digest, size_t length,
                  std::string_view key, uint8_t* out) {
  static constexpr uint8_t kZeros[EVP_MAX_MD_SIZE] = {};
  if (length > sizeof(kZeros) || message.size() < lisp::kAuthDataOffset + length) return false;
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* context = hmac ? EVP_MAC_CTX_new(hmac) : nullptr;
  if (context == nullptr) return false;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                             OSSL_MAC_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(digest)), 0),
                         OSSL_PARAM_construct_end()};
  const size_t after = lisp::kAuthDataOffset + length;
  size_t out_length = 0;
  const bool done = EVP_MAC_init(context, reinterpret_cast<const uint8_t*>(key.data()), key.size(),
                                 params) == 1 &&
                    EVP_MAC_update(context, message.data(), lisp::kAuthDataOffset) == 1 &&
                    EVP_MAC_update(context, kZeros, length) == 1 &&
                    EVP_MAC_update(context, message.data() + after, message.size() - after) == 1 &&
                    EVP_MAC_final(context, out, &out_length, EVP_MAX_MD_SIZE) == 1;
  EVP_MAC_CTX_free(context);
  return done && out_length == length;
}

}  // namespace

size_t auth_data_length(lisp::AuthAlgorithm algorithm) {
  const EVP_MD* digest = digest_for(static_cast<uint8_t>(algorithm));
  return digest ? static_cast<size_t>(EVP_MD_get_size(digest)) : 0;
}

absl::StatusOr<std::vector<uint8_t>> encode_authenticated(lisp::Message message,
                                                          std::string_view key) {
  lisp::Authentication* auth = authentication_of(message);
  if (auth == nullptr) return absl::InvalidArgumentError("message type carries no authentication");
  const EVP_MD* digest = digest_for(auth->algorithm_id);
  if (digest == nullptr) return absl::InvalidArgumentError("unsupported authentication algorithm");
  const size_t length = static_cast<size_t>(EVP_MD_get_size(digest));
  auth->data.assign(length, 0);
  auto encoded = lisp::encode_message(message);
  if (!encoded.ok()) return encoded.status();
  if (!compute_hmac(*encoded, digest, length, key, encoded->data() + lisp::kAuthDataOffset)) {
    return absl::InternalError("HMAC failed");
  }
  return encoded;
}

bool verify_authentication(std::span<const uint8_t> encoded, std::string_view key) {
  // | type word | nonce | Key ID | Algorithm ID | Auth Data Length | data ... |
  if (encoded.size() < lisp::kAuthDataOffset) return false;
  switch (static_cast<lisp::MessageType>(encoded[0] >> 4)) {
    case lisp::MessageType::kMapRegister:
    case lisp::MessageType::kMapNotify:
    case lisp::MessageType::kMapNotifyAck:
    case lisp::MessageType::kInfo:
      break;
    default:
      return false;
  }
  const EVP_MD* digest = digest_for(encoded[13]);
  if (digest == nullptr) return false;
  const size_t length = static_cast<size_t>(EVP_MD_get_size(digest));
  const size_t declared = static_cast<size_t>(encoded[14] << 8 | encoded[15]);
  if (declared != length || encoded.size() < lisp::kAuthDataOffset + length) return false;
  uint8_t expected[EVP_MAX_MD_SIZE];
  if (!compute_hmac(encoded, digest, length, key, expected)) return false;
  return CRYPTO_memcmp(expected, encoded.data() + lisp::kAuthDataOffset, length) == 0;
}

absl::StatusOr<uint64_t> random_nonce() {
  uint8_t bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return absl::UnavailableError("RAND_bytes failed");
  uint64_t nonce = 0;
  for (uint8_t byte : bytes) nonce = nonce << 8 | byte;
  return nonce;
}

}  // namespace lispmob::crypto
