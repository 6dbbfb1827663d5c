// emit_messages OUT.pcap [DATAPLANE.pcap]: writes every message lispmob
// encodes (and data packets with each data-header flag) into a capture,
// each in Ethernet + IPv4 or IPv6 + UDP to the right LISP port, for tshark
// to judge; and into DATAPLANE.pcap the frames the data plane's golden
// tests expect it to send (encapsulated packets, fragments, ICMP errors).
#include <cstdio>

#include "common/lisp/data_header.h"
#include "common/net/headers.h"
#include "common/pcap/pcap.h"
#include "tests/dataplane/golden_packets.h"
#include "tests/support/samples.h"

namespace {

using namespace lispmob;

std::vector<uint8_t> frame(bool ipv6_outer, uint16_t source_port, uint16_t destination_port,
                           const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> bytes = {0x02,
                                0,
                                0,
                                0,
                                0,
                                0x02,
                                0x02,
                                0,
                                0,
                                0,
                                0,
                                0x01,
                                static_cast<uint8_t>(ipv6_outer ? 0x86 : 0x08),
                                static_cast<uint8_t>(ipv6_outer ? 0xdd : 0x00)};
  wire::Writer writer(bytes);
  net::IpHeader ip;
  if (ipv6_outer) {
    net::Ipv6Header v6;
    v6.source = *net::IpAddress::parse("2001:db8:ff::5");
    v6.destination = *net::IpAddress::parse("2001:db8:ff::2");
    ip = v6;
  } else {
    net::Ipv4Header v4;
    v4.source = *net::IpAddress::parse("192.0.2.5");
    v4.destination = *net::IpAddress::parse("192.0.2.2");
    ip = v4;
  }
  net::encode_ip_udp(writer, ip, {source_port, destination_port, std::nullopt, std::nullopt},
                     payload);
  return bytes;
}

// An ICMP echo request from 198.18.0.10 to 203.0.113.10, as the inner packet.
std::vector<uint8_t> inner_ping() {
  std::vector<uint8_t> icmp = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'l', 'i', 's', 'p'};
  const uint16_t checksum =
      static_cast<uint16_t>(~net::fold_checksum(net::ones_complement_sum(icmp)));
  icmp[2] = static_cast<uint8_t>(checksum >> 8);
  icmp[3] = static_cast<uint8_t>(checksum);
  std::vector<uint8_t> packet = {0x45, 0,  0,    static_cast<uint8_t>(20 + icmp.size()),
                                 0,    1,  0x40, 0,
                                 64,   1,  0,    0,
                                 198,  18, 0,    10,
                                 203,  0,  113,  10};
  const uint16_t header_checksum =
      static_cast<uint16_t>(~net::fold_checksum(net::ones_complement_sum(packet)));
  packet[10] = static_cast<uint8_t>(header_checksum >> 8);
  packet[11] = static_cast<uint8_t>(header_checksum);
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  return packet;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: emit_messages OUT.pcap [DATAPLANE.pcap]\n");
    return 2;
  }
  if (argc == 3) {
    namespace golden = dataplane::golden;
    pcap::File frames;
    uint32_t at = 0;
    for (const auto* bytes :
         {&golden::kEncap4in4, &golden::kEncap6in4, &golden::kEncap4in6, &golden::kEncap6in6,
          &golden::kEncap4in4Iid7, &golden::kFragNeeded4, &golden::kPacketTooBig6,
          &golden::kFragment1Encap4in4, &golden::kFragment2Encap4in4}) {
      pcap::Record record;
      record.seconds = ++at;
      record.data = *bytes;
      frames.records.push_back(std::move(record));
    }
    if (auto status = pcap::write_file(argv[2], frames); !status.ok()) {
      std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
      return 1;
    }
  }
  pcap::File file;
  uint32_t second = 0;
  auto add = [&](std::vector<uint8_t> bytes) {
    pcap::Record record;
    record.seconds = ++second;
    record.data = std::move(bytes);
    file.records.push_back(std::move(record));
  };
  bool ipv6_outer = false;
  for (const auto& sample : testing::sample_messages()) {
    // Replies go back to the requester's port; everything else to 4342.
    const bool reply = sample.message.type() == lisp::MessageType::kMapReply;
    add(frame(ipv6_outer, lisp::kControlPort, reply ? 61001 : lisp::kControlPort,
              testing::encode_sample(sample)));
    ipv6_outer = !ipv6_outer;
  }
  std::vector<lisp::DataHeader> headers(5);
  headers[1].set_nonce(0xabcdef);
  headers[2].set_nonce(0x123456);
  headers[2].flags |= lisp::DataHeader::kEchoNonce | lisp::DataHeader::kLsbEnabled;
  headers[2].second_word = 1;
  headers[3].set_map_versions(1, 2);
  headers[4].set_nonce(7);
  headers[4].set_instance_id(1000, 1);
  headers[4].flags |= lisp::DataHeader::kLsbEnabled;
  for (const auto& header : headers) {
    std::vector<uint8_t> payload(lisp::kDataHeaderSize);
    lisp::encode_data_header(header, payload.data());
    const auto inner = inner_ping();
    payload.insert(payload.end(), inner.begin(), inner.end());
    add(frame(ipv6_outer, 61002, lisp::kDataPort, payload));
    ipv6_outer = !ipv6_outer;
  }
  if (auto status = pcap::write_file(argv[1], file); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("%zu\n", file.records.size());
  return 0;
}
