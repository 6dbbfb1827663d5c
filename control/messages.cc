#include "control/messages.h"

#include <algorithm>

namespace lispmob::control {

lisp::Address eid_address(uint32_t instance_id, const net::IpAddress& address) {
  if (instance_id == 0) return address;
  lisp::Lcaf lcaf;
  lcaf.body = lisp::InstanceIdLcaf{instance_id, 0, lisp::Address(address)};
  return lcaf;
}

std::optional<std::pair<uint32_t, net::IpAddress>> eid_of(const lisp::Address& eid) {
  if (const auto* ip = eid.ip()) return std::make_pair(0u, *ip);
  const auto* lcaf = eid.lcaf();
  const auto* iid = lcaf ? std::get_if<lisp::InstanceIdLcaf>(&lcaf->body) : nullptr;
  const auto* ip = iid ? iid->address->ip() : nullptr;
  if (ip == nullptr) return std::nullopt;
  return std::make_pair(iid->instance_id, *ip);
}

std::optional<std::pair<uint32_t, net::IpPrefix>> eid_prefix_of(const lisp::Address& eid,
                                                                uint8_t mask_len) {
  const auto address = eid_of(eid);
  if (!address) return std::nullopt;
  return eid_prefix_of(address->first, address->second, mask_len);
}

std::optional<std::pair<uint32_t, net::IpPrefix>> eid_prefix_of(uint32_t instance_id,
                                                                const net::IpAddress& address,
                                                                uint8_t mask_len) {
  if (mask_len > address.max_prefix_len()) return std::nullopt;
  return std::make_pair(instance_id, net::IpPrefix{address.masked(mask_len), mask_len});
}

std::optional<Endpoint> reply_destination(const lisp::MapRequest& request, uint16_t port,
                                          const std::vector<net::IpFamily>& usable) {
  for (const auto& rloc : request.itr_rlocs) {
    const auto* ip = rloc.ip();
    if (ip == nullptr) continue;
    if (usable.empty() || std::find(usable.begin(), usable.end(), ip->family()) != usable.end()) {
      return Endpoint{*ip, port};
    }
  }
  return std::nullopt;
}

std::vector<uint8_t> encode_or_empty(const lisp::Message& message) {
  auto bytes = lisp::encode_message(message);
  return bytes.ok() ? std::move(*bytes) : std::vector<uint8_t>{};
}

}  // namespace lispmob::control
