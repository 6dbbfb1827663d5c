// The plane contract (no DPDK): what LISP encapsulation adds to an IP packet
// (RFC 9300 §5.1): the outer IP header, UDP and the 8-byte LISP header.
// The instance-id travels in the LISP header and adds nothing.
#pragma once

#include <cstdint>

namespace lispmob::dataplane {

inline constexpr uint16_t kEncapOverheadV4 = 20 + 8 + 8;  // 36
inline constexpr uint16_t kEncapOverheadV6 = 40 + 8 + 8;  // 56

}  // namespace lispmob::dataplane
