// lispdump FILE.pcap [--reencode OUT.pcap]
//
// Prints one line per LISP packet (UDP 4341/4342) in a capture, tcpdump
// style, through lispmob's own decoders. Exits 1 if any LISP packet fails to
// decode or does not re-encode to the same bytes. With --reencode, writes the
// capture back with every LISP payload replaced by its re-encoding.
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "common/lisp/packet.h"
#include "common/net/frame.h"
#include "common/pcap/pcap.h"

namespace {

using namespace lispmob;

struct Counts {
  int lisp = 0;
  int failed = 0;
  int mismatched = 0;
};

void usage() { std::fprintf(stderr, "usage: lispdump FILE.pcap [--reencode OUT.pcap]\n"); }

// Decodes the frame's LISP payload, prints it, and replaces it by its re-encoding.
void process_frame(size_t index, pcap::Record& record, Counts& counts) {
  net::UdpFrame frame;
  if (!net::dissect_udp_frame(record.data, frame).ok()) return;
  const auto& datagram = frame.datagram;
  const lisp::LispPort port =
      lisp::classify_ports(datagram.udp.source_port, datagram.udp.destination_port);
  if (port == lisp::LispPort::kNone) return;
  ++counts.lisp;
  const std::string endpoints =
      absl::StrFormat("%d %s.%d > %s.%d: ", index + 1, net::source_of(datagram.ip).to_string(),
                      datagram.udp.source_port, net::destination_of(datagram.ip).to_string(),
                      datagram.udp.destination_port);
  auto payload = lisp::decode_payload(port, datagram.payload);
  if (!payload.ok()) {
    ++counts.failed;
    std::printf("%sMALFORMED %s\n", endpoints.c_str(),
                std::string(payload.status().message()).c_str());
    return;
  }
  std::printf("%s%s\n", endpoints.c_str(), lisp::summarize(*payload).c_str());
  auto reencoded = lisp::encode_payload(*payload);
  const bool same = reencoded.ok() && reencoded->size() == datagram.payload.size() &&
                    std::equal(reencoded->begin(), reencoded->end(), datagram.payload.begin());
  if (!same) {
    ++counts.mismatched;
    std::printf("%d REENCODE-MISMATCH\n", static_cast<int>(index + 1));
    if (!reencoded.ok()) return;
  }
  std::vector<uint8_t> rebuilt(record.data.begin(), record.data.begin() + frame.payload_offset);
  rebuilt.insert(rebuilt.end(), reencoded->begin(), reencoded->end());
  rebuilt.insert(rebuilt.end(),
                 record.data.begin() + frame.payload_offset + datagram.payload.size(),
                 record.data.end());
  record.data = std::move(rebuilt);
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, reencode_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reencode") == 0 && i + 1 < argc) {
      reencode_path = argv[++i];
    } else if (argv[i][0] != '-' && input.empty()) {
      input = argv[i];
    } else {
      usage();
      return 2;
    }
  }
  if (input.empty()) {
    usage();
    return 2;
  }
  auto file = pcap::read_file(input);
  if (!file.ok()) {
    std::fprintf(stderr, "lispdump: %s: %s\n", input.c_str(),
                 std::string(file.status().message()).c_str());
    return 2;
  }
  Counts counts;
  for (size_t i = 0; i < file->records.size(); ++i) process_frame(i, file->records[i], counts);
  if (!reencode_path.empty()) {
    if (auto status = pcap::write_file(reencode_path, *file); !status.ok()) {
      std::fprintf(stderr, "lispdump: %s\n", std::string(status.message()).c_str());
      return 2;
    }
  }
  std::fprintf(stderr, "lispdump: %zu frames, %d LISP, %d malformed, %d re-encode mismatches\n",
               file->records.size(), counts.lisp, counts.failed, counts.mismatched);
  return counts.failed || counts.mismatched ? 1 : 0;
}
