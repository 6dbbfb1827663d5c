// LISP's UDP ports (RFC 9300 §19.1, RFC 9301 §12.1). Header-only so the fast
// path can use them without the control-message codecs.
#pragma once

#include <cstdint>

namespace lispmob::lisp {

inline constexpr uint16_t kDataPort = 4341;
inline constexpr uint16_t kControlPort = 4342;

}  // namespace lispmob::lisp
