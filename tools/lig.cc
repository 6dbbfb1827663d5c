// lig [-m MAP-RESOLVER] [-s SOURCE-EID] [-i IID] [-c COUNT] [-t TIMEOUT-MS] EID
//
// The LISP Internet Groper (RFC 6835): looks a mapping up the way an ITR
// does, with an Encapsulated Map-Request to the Map-Resolver, and prints
// the Map-Reply (from the Map-Resolver, or from the ETR it forwarded the
// request to) in RFC 6835's form. EID is an address, a prefix or a host
// name; so is the Map-Resolver. Exits 0 on a reply, 1 on none, 2 on a
// usage error.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "common/crypto/nonce.h"
#include "common/lisp/message.h"
#include "control/udp_socket.h"
#include "tools/command_line.h"
#include "tools/lig_output.h"

namespace {

using namespace lispmob;

lisp::Address with_iid(const net::IpAddress& address, uint32_t iid) {
  if (iid == 0) return address;
  lisp::Lcaf lcaf;
  lcaf.body = lisp::InstanceIdLcaf{iid, 0, lisp::Address(address)};
  return lcaf;
}

// An address, or the first address a host name resolves to.
std::optional<net::IpAddress> resolve(const std::string& name) {
  if (auto address = net::IpAddress::parse(name)) return address;
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  std::optional<net::IpAddress> out;
  char text[INET6_ADDRSTRLEN] = {};
  for (addrinfo* entry = found; entry != nullptr && !out; entry = entry->ai_next) {
    const void* raw =
        entry->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(entry->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(entry->ai_addr)->sin6_addr);
    if (inet_ntop(entry->ai_family, raw, text, sizeof(text)) != nullptr) {
      out = net::IpAddress::parse(text);
    }
  }
  freeaddrinfo(found);
  return out;
}

// What the EID argument asks for: the prefix (a host's own /32 or /128).
std::optional<net::IpPrefix> eid_prefix(const std::string& text) {
  if (text.find('/') != std::string::npos) return net::IpPrefix::parse(text);
  const auto address = resolve(text);
  if (!address) return std::nullopt;
  return net::IpPrefix{*address, static_cast<uint8_t>(address->max_prefix_len())};
}

lisp::EncapsulatedControlMessage encapsulate(const lisp::MapRequest& request,
                                             const net::IpAddress& inner_source,
                                             const net::IpAddress& eid, uint16_t source_port) {
  lisp::EncapsulatedControlMessage ecm;
  // The inner header goes from the source EID (or our RLOC) to the EID; an
  // inner source of the other family than the EID is unspecified.
  const bool same_family = inner_source.is_v4() == eid.is_v4();
  if (eid.is_v4()) {
    net::Ipv4Header inner;
    inner.source = same_family ? inner_source : net::IpAddress::v4(0u);
    inner.destination = eid;
    ecm.inner_ip = inner;
  } else {
    net::Ipv6Header inner;
    inner.source = same_family ? inner_source : *net::IpAddress::parse("::");
    inner.destination = eid;
    ecm.inner_ip = inner;
  }
  ecm.inner_udp = {source_port, lisp::kControlPort, std::nullopt, std::nullopt};
  *ecm.inner = request;
  return ecm;
}

}  // namespace

int main(int argc, char** argv) {
  std::string resolver_name, source_name, eid_text;
  uint32_t iid = 0;
  int count = 1, timeout_ms = 2000;
  CLI::App app{"lig: the LISP Internet Groper (RFC 6835), a Map-Request as an ITR sends it", "lig"};
  app.add_option("-m,--map-resolver", resolver_name, "the Map-Resolver: an address or host name")
      ->type_name("MAP-RESOLVER")
      ->required();
  app.add_option("-s,--source-eid", source_name, "the Map-Request's source EID (default: our RLOC)")
      ->type_name("SOURCE-EID");
  app.add_option("-i,--iid", iid, "the instance ID")
      ->type_name("IID")
      ->check(CLI::Range(0, 16777215));
  app.add_option("-c,--count", count, "Map-Requests to send")
      ->type_name("COUNT")
      ->check(CLI::Range(1, 100));
  app.add_option("-t,--timeout", timeout_ms, "how long to wait for each reply, in ms")
      ->type_name("TIMEOUT-MS")
      ->check(CLI::Range(1, 60000));
  app.add_option("EID", eid_text, "an address, a prefix or a host name")->required();
  tools::add_version_flag(app, "lig");
  if (auto exit_status = tools::parse_command_line(app, argc, argv, "lig")) {
    return *exit_status;
  }
  const auto resolver = resolve(resolver_name);
  if (!resolver) {
    std::fprintf(stderr, "lig: -m %s: not an address or a host name that resolves\n",
                 resolver_name.c_str());
    return 2;
  }
  const auto eid = eid_prefix(eid_text);
  if (!eid) {
    std::fprintf(stderr, "lig: %s: not an address, a prefix or a host name that resolves\n",
                 eid_text.c_str());
    return 2;
  }
  std::optional<net::IpAddress> source_eid;
  if (!source_name.empty()) {
    source_eid = resolve(source_name);
    if (!source_eid) {
      std::fprintf(stderr, "lig: -s %s: not an address or a host name that resolves\n",
                   source_name.c_str());
      return 2;
    }
  }
  auto itr_rloc = control::local_address_towards(*resolver);
  auto socket = control::UdpSocket::bind(resolver->family(), std::nullopt, 0);
  if (!itr_rloc || !socket.ok()) {
    std::fprintf(stderr, "lig: no route to %s\n", resolver->to_string().c_str());
    return 2;
  }
  const std::string asked_for =
      eid->length == eid->address.max_prefix_len() ? eid->address.to_string() : eid->to_string();
  int answered = 0;
  for (int attempt = 0; attempt < count; ++attempt) {
    auto nonce = crypto::random_nonce();
    if (!nonce.ok()) return 2;
    lisp::MapRequest request;
    request.nonce = *nonce;
    request.source_eid = with_iid(source_eid.value_or(*itr_rloc), iid);
    request.itr_rlocs = {*itr_rloc};
    request.records = {lisp::EidRecord{0, eid->length, with_iid(eid->address, iid)}};
    auto bytes = lisp::encode_message(
        encapsulate(request, source_eid.value_or(*itr_rloc), eid->address, socket->local_port()));
    if (!bytes.ok()) return 2;
    const auto sent_at = std::chrono::steady_clock::now();
    std::printf("Send map-request to %s for %s ...\n", resolver->to_string().c_str(),
                asked_for.c_str());
    std::fflush(stdout);
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
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - sent_at).count();
      std::printf("Received map-reply from %s with rtt %.5f secs\n",
                  from.address.to_string().c_str(), seconds);
      for (const auto& record : reply->records) {
        std::printf("\n%s", tools::mapping_entry(asked_for, record).c_str());
      }
      got = true;
    }
    if (got) {
      ++answered;
    } else {
      std::printf("*** No map-reply received within %d ms ***\n", timeout_ms);
    }
  }
  return answered > 0 ? 0 : 1;
}
