// Decode failures carry what was wrong and where, for logs and lispdump.
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace lispmob::wire {

inline absl::Status decode_error(std::string_view what, size_t offset) {
  return absl::InvalidArgumentError(
      absl::StrFormat("%s at offset %d", absl::string_view(what.data(), what.size()), offset));
}

}  // namespace lispmob::wire
