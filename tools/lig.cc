// lig -m MAP-RESOLVER [-i IID] [-c COUNT] [-t TIMEOUT-MS] EID
//
// Looks a mapping up the way an ITR does: an Encapsulated Map-Request to the
// Map-Resolver, and prints the Map-Reply (from the Map-Resolver, or from the
// ETR it forwarded the request to). Exits 0 on a reply, 1 on none.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/crypto/nonce.h"
#include "common/lisp/message.h"
#include "control/udp_socket.h"

namespace {

using namespace lispmob;

void usage() {
  std::fprintf(stderr, "usage: lig -m MAP-RESOLVER [-i IID] [-c COUNT] [-t TIMEOUT-MS] EID\n");
}

lisp::Address with_iid(const net::IpAddress& address, uint32_t iid) {
  if (iid == 0) return address;
  lisp::Lcaf lcaf;
  lcaf.body = lisp::InstanceIdLcaf{iid, 0, lisp::Address(address)};
  return lcaf;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<net::IpAddress> resolver;
  uint32_t iid = 0;
  int count = 1, timeout_ms = 2000, option;
  while ((option = getopt(argc, argv, "m:i:c:t:h")) != -1) {
    switch (option) {
      case 'm':
        resolver = net::IpAddress::parse(optarg);
        break;
      case 'i':
        iid = static_cast<uint32_t>(std::strtoul(optarg, nullptr, 10));
        break;
      case 'c':
        count = std::atoi(optarg);
        break;
      case 't':
        timeout_ms = std::atoi(optarg);
        break;
      default:
        usage();
        return 2;
    }
  }
  std::optional<net::IpAddress> eid =
      optind < argc ? net::IpAddress::parse(argv[optind]) : std::nullopt;
  if (!resolver || !eid) {
    usage();
    return 2;
  }
  auto itr_rloc = control::local_address_towards(*resolver);
  auto socket = control::UdpSocket::bind(resolver->family(), std::nullopt, 0);
  if (!itr_rloc || !socket.ok()) {
    std::fprintf(stderr, "lig: no route to %s\n", resolver->to_string().c_str());
    return 2;
  }
  int answered = 0;
  for (int attempt = 0; attempt < count; ++attempt) {
    auto nonce = crypto::random_nonce();
    if (!nonce.ok()) return 2;
    lisp::MapRequest request;
    request.nonce = *nonce;
    request.source_eid = *itr_rloc;
    request.itr_rlocs = {*itr_rloc};
    request.records = {
        lisp::EidRecord{0, static_cast<uint8_t>(eid->max_prefix_len()), with_iid(*eid, iid)}};
    lisp::EncapsulatedControlMessage ecm;
    if (eid->is_v4() == itr_rloc->is_v4()) {
      if (eid->is_v4()) {
        net::Ipv4Header inner;
        inner.source = *itr_rloc;
        inner.destination = *eid;
        ecm.inner_ip = inner;
      } else {
        net::Ipv6Header inner;
        inner.source = *itr_rloc;
        inner.destination = *eid;
        ecm.inner_ip = inner;
      }
    } else if (eid->is_v4()) {
      net::Ipv4Header inner;
      inner.source = net::IpAddress::v4(0u);
      inner.destination = *eid;
      ecm.inner_ip = inner;
    } else {
      net::Ipv6Header inner;
      inner.source = *net::IpAddress::parse("::");
      inner.destination = *eid;
      ecm.inner_ip = inner;
    }
    ecm.inner_udp = {socket->local_port(), lisp::kControlPort, std::nullopt, std::nullopt};
    *ecm.inner = request;
    auto bytes = lisp::encode_message(ecm);
    if (!bytes.ok()) return 2;
    const auto sent_at = std::chrono::steady_clock::now();
    std::printf("Send map-request to %s for %s ...\n", resolver->to_string().c_str(),
                eid->to_string().c_str());
    socket->send({*resolver, lisp::kControlPort}, *bytes);
    const auto deadline = sent_at + std::chrono::milliseconds(timeout_ms);
    bool got = false;
    while (!got && std::chrono::steady_clock::now() < deadline) {
      pollfd fd{socket->fd(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (poll(&fd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) break;
      std::array<uint8_t, 9000> buffer;
      control::Endpoint from;
      auto length = socket->receive(buffer, from);
      if (!length) continue;
      auto message = lisp::decode_message({buffer.data(), *length});
      const auto* reply = message.ok() ? std::get_if<lisp::MapReply>(&message->value) : nullptr;
      if (reply == nullptr || reply->nonce != request.nonce) continue;  // not our answer
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent_at)
              .count();
      std::printf("Received map-reply from %s with rtt %.3f ms\n", from.address.to_string().c_str(),
                  ms);
      for (const auto& record : reply->records) {
        std::printf("  %s\n", lisp::to_string(record).c_str());
      }
      got = true;
    }
    if (got) {
      ++answered;
    } else {
      std::printf("  no reply within %d ms\n", timeout_ms);
    }
  }
  return answered > 0 ? 0 : 1;
}
