// The plane contract (no DPDK): what a worker punts to the control thread:
// a destination that missed, or an ICMP report that a LISP packet of ours
// was too big for the path to an RLOC (RFC 9300 §7.2: the ITR keeps that
// RLOC's path MTU).
#pragma once

#include <cstdint>

namespace lispmob::dataplane {

enum class PuntKind : uint8_t { kMiss = 0, kPathMtu = 1 };

struct PuntRecord {
  uint32_t instance_id;  // kMiss
  uint8_t ipv6;
  PuntKind kind;
  uint16_t mtu;         // kPathMtu: the MTU the ICMP message reported
  uint8_t address[16];  // kMiss: the destination EID; kPathMtu: the RLOC
};
static_assert(sizeof(PuntRecord) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

}  // namespace lispmob::dataplane
