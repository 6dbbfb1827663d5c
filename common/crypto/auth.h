// Authentication of Map-Register, Map-Notify and Info messages (RFC 9301
// §5.6): an HMAC over the whole message with the authentication-data field
// zeroed. The full HMAC output goes on the wire (20 bytes for HMAC-SHA-1-96,
// 32 for HMAC-SHA-256-128), as every deployed implementation does.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/lisp/message.h"

namespace lispmob::crypto {

// Bytes of authentication data for `algorithm`; 0 for none or unknown.
size_t auth_data_length(lisp::AuthAlgorithm algorithm);

// Encodes a Map-Register, Map-Notify(-Ack) or Info message with its
// authentication data computed from `key` and the message's algorithm id.
absl::StatusOr<std::vector<uint8_t>> encode_authenticated(lisp::Message message,
                                                          std::string_view key);

// True when the encoded message's authentication data is the HMAC of the
// message under `key`. The comparison takes the same time wherever it differs.
bool verify_authentication(std::span<const uint8_t> encoded, std::string_view key);

}  // namespace lispmob::crypto
