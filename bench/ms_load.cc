// ms_load SERVER KEY SITE-BASE COUNT [WINDOW]
//
// Loads a Map-Server: COUNT authenticated Map-Registers (want-map-notify) for
// COUNT distinct /32 EIDs counting up from SITE-BASE, then COUNT Encapsulated
// Map-Requests for them (the site must have proxy-reply on), keeping at most
// WINDOW unanswered at a time. Unanswered messages are sent again (3 tries);
// what still has no answer is reported lost. Prints one JSON object.
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/crypto/auth.h"
#include "common/lisp/message.h"
#include "control/udp_socket.h"

namespace {

using namespace lispmob;
using Clock = std::chrono::steady_clock;

struct Phase {
  size_t answered = 0;
  size_t lost = 0;
  double seconds = 0;
};

// Sends message i (built by `make`) for every i, WINDOW at a time, and counts
// the answers whose nonce is i + 1.
template <class Make>
Phase run_phase(control::UdpSocket& socket, const control::Endpoint& server, size_t count,
                size_t window, Make make) {
  std::vector<std::vector<uint8_t>> messages(count);
  for (size_t i = 0; i < count; ++i) messages[i] = make(i);
  std::vector<bool> done(count, false);
  Phase phase;
  const auto start = Clock::now();
  for (int attempt = 0; attempt < 3 && phase.answered < count; ++attempt) {
    size_t next = 0, in_flight = 0;
    while (next < count || in_flight > 0) {
      while (next < count && in_flight < window) {
        if (!done[next]) {
          socket.send(server, messages[next]);
          ++in_flight;
        }
        ++next;
      }
      pollfd fd{socket.fd(), POLLIN, 0};
      if (poll(&fd, 1, 200) <= 0) break;  // the rest of this round is lost
      std::array<uint8_t, 2048> buffer;
      control::Endpoint from;
      while (auto length = socket.receive(buffer, from)) {
        auto message = lisp::decode_message({buffer.data(), *length});
        if (!message.ok()) continue;
        uint64_t nonce = 0;
        if (const auto* notify = std::get_if<lisp::MapNotify>(&message->value))
          nonce = notify->nonce;
        if (const auto* reply = std::get_if<lisp::MapReply>(&message->value)) nonce = reply->nonce;
        if (nonce == 0 || nonce > count || done[nonce - 1]) continue;
        done[nonce - 1] = true;
        ++phase.answered;
        if (in_flight) --in_flight;
      }
    }
  }
  phase.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  phase.lost = count - phase.answered;
  return phase;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: ms_load SERVER KEY SITE-BASE COUNT [WINDOW]\n");
    return 2;
  }
  const auto server_address = net::IpAddress::parse(argv[1]);
  const std::string key = argv[2];
  const auto base = net::IpAddress::parse(argv[3]);
  const size_t count = std::strtoul(argv[4], nullptr, 10);
  const size_t window = argc > 5 ? std::strtoul(argv[5], nullptr, 10) : 256;
  if (!server_address || !base || !base->is_v4()) return 2;
  auto socket = control::UdpSocket::bind(net::IpFamily::kIpv4, std::nullopt, 0);
  auto local = control::local_address_towards(*server_address);
  if (!socket.ok() || !local) return 2;
  const control::Endpoint server{*server_address, lisp::kControlPort};
  const auto b = base->bytes();
  const uint32_t first = static_cast<uint32_t>(b[0]) << 24 | b[1] << 16 | b[2] << 8 | b[3];
  auto eid = [&](size_t i) { return net::IpAddress::v4(first + static_cast<uint32_t>(i)); };

  const Phase registers = run_phase(*socket, server, count, window, [&](size_t i) {
    lisp::MapRegister m;
    m.want_map_notify = true;
    m.nonce = i + 1;
    m.auth.algorithm_id = 1;
    lisp::MappingRecord record;
    record.ttl_minutes = 10;
    record.eid_mask_len = 32;
    record.eid = eid(i);
    lisp::Locator locator;
    locator.address = *local;
    record.locators = {locator};
    m.records = {record};
    return *crypto::encode_authenticated(m, key);
  });
  const Phase requests = run_phase(*socket, server, count, window, [&](size_t i) {
    lisp::MapRequest request;
    request.nonce = i + 1;
    request.source_eid = *local;
    request.itr_rlocs = {*local};
    request.records = {lisp::EidRecord{0, 32, eid(i)}};
    lisp::EncapsulatedControlMessage ecm;
    net::Ipv4Header inner;
    inner.source = *local;
    inner.destination = eid(i);
    ecm.inner_ip = inner;
    ecm.inner_udp = {socket->local_port(), lisp::kControlPort, std::nullopt, std::nullopt};
    *ecm.inner = request;
    return *lisp::encode_message(ecm);
  });
  std::printf(
      "{\"registrations\": %zu, \"registrations_per_second\": %.0f, \"registrations_lost\": %zu, "
      "\"requests\": %zu, \"requests_answered_per_second\": %.0f, \"requests_lost\": %zu}\n",
      count, registers.answered / registers.seconds, registers.lost, count,
      requests.answered / requests.seconds, requests.lost);
  return registers.lost == 0 && requests.lost == 0 ? 0 : 1;
}
