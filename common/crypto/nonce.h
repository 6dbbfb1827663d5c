// Nonces for Map-Request/Register/Info and data-plane echo (RFC 9301 §5.2:
// they must be unpredictable), from OpenSSL's CSPRNG, never the clock.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"

namespace lispmob::crypto {

absl::StatusOr<uint64_t> random_nonce();

}  // namespace lispmob::crypto
