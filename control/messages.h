// What every control-plane role shares: the time (runtime/clock.h), the endpoint a message
// comes from or goes to, a message to send, and the few helpers each role
// needs to build one (EID fields with or without an Instance-ID LCAF, the
// Map-Reply destination of RFC 9301 §5.4).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/lisp/message.h"
#include "common/net/ip_address.h"
#include "control/runtime/clock.h"

namespace lispmob::control {

struct Endpoint {
  net::IpAddress address;
  uint16_t port = lisp::kControlPort;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct Outgoing {
  Endpoint destination;
  std::vector<uint8_t> bytes;
};

// The EID field for `address` in `instance_id`: the bare address in
// instance 0, an Instance-ID LCAF (RFC 8060 §4.1) around it otherwise.
lisp::Address eid_address(uint32_t instance_id, const net::IpAddress& address);

// The instance-id and IP prefix an EID record names (plain, or inside an
// Instance-ID LCAF); nullopt for anything else.
std::optional<std::pair<uint32_t, net::IpPrefix>> eid_prefix_of(const lisp::Address& eid,
                                                                uint8_t mask_len);
// The same from an address already taken out of its EID field.
std::optional<std::pair<uint32_t, net::IpPrefix>> eid_prefix_of(uint32_t instance_id,
                                                                const net::IpAddress& address,
                                                                uint8_t mask_len);

// The instance-id and IP address of an EID field (a Map-Request's source
// EID): plain, or inside an Instance-ID LCAF; nullopt for anything else.
std::optional<std::pair<uint32_t, net::IpAddress>> eid_of(const lisp::Address& eid);

// Where a Map-Reply goes: the first ITR-RLOC that is an IP address of a
// family in `usable` (any, if empty), at the port the request came from
// (RFC 9301 §5.4).
std::optional<Endpoint> reply_destination(const lisp::MapRequest& request, uint16_t port,
                                          const std::vector<net::IpFamily>& usable = {});

// The message's bytes; empty if it does not fit its wire fields (a caller's
// bug that the encoder's validation reports, not something to send).
std::vector<uint8_t> encode_or_empty(const lisp::Message& message);

}  // namespace lispmob::control
