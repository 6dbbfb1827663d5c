// lispdump [-t] [--reencode OUT.pcap] FILE|- [FILTER...]
//
// Prints one line per LISP packet (UDP 4341/4342) of a capture, tcpdump
// style, with its timestamp, through lispmob's own decoders. The capture is
// read by libpcap: classic pcap or pcapng, a file or standard input ("-",
// as in tshark -w - | lispdump -), and FILTER is a BPF expression as
// tcpdump takes it ("udp port 4342"). Exits 1 if any LISP packet fails to
// decode or does not re-encode to the same bytes. With --reencode, writes
// the capture back (classic pcap) with every LISP payload replaced by its
// re-encoding.
#include <pcap/pcap.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/lisp/packet.h"
#include "common/net/frame.h"
#include "tools/command_line.h"

namespace {

using namespace lispmob;

struct Counts {
  size_t frames = 0;
  int lisp = 0;
  int failed = 0;
  int mismatched = 0;
};

// "14:03:07.123456", UTC, as tcpdump prints a time of day.
std::string time_of_day(const timeval& ts) {
  tm utc{};
  const time_t seconds = ts.tv_sec;
  gmtime_r(&seconds, &utc);
  return absl::StrFormat("%02d:%02d:%02d.%06d", utc.tm_hour, utc.tm_min, utc.tm_sec,
                         static_cast<int>(ts.tv_usec));
}

// Decodes the frame's LISP payload and prints it. Returns the frame with
// the payload replaced by its re-encoding (the frame as it was when it is
// not LISP or did not decode).
std::vector<uint8_t> process_frame(std::span<const uint8_t> bytes, const std::string& prefix,
                                   Counts& counts) {
  std::vector<uint8_t> frame_out(bytes.begin(), bytes.end());
  net::UdpFrame frame;
  if (!net::dissect_udp_frame(bytes, frame).ok()) return frame_out;
  const auto& datagram = frame.datagram;
  const lisp::LispPort port =
      lisp::classify_ports(datagram.udp.source_port, datagram.udp.destination_port);
  if (port == lisp::LispPort::kNone) return frame_out;
  ++counts.lisp;
  const std::string endpoints =
      absl::StrFormat("%s%s.%d > %s.%d: ", prefix, net::source_of(datagram.ip).to_string(),
                      datagram.udp.source_port, net::destination_of(datagram.ip).to_string(),
                      datagram.udp.destination_port);
  auto payload = lisp::decode_payload(port, datagram.payload);
  if (!payload.ok()) {
    ++counts.failed;
    std::printf("%sMALFORMED %s\n", endpoints.c_str(),
                std::string(payload.status().message()).c_str());
    return frame_out;
  }
  std::printf("%s%s\n", endpoints.c_str(), lisp::summarize(*payload).c_str());
  auto reencoded = lisp::encode_payload(*payload);
  const bool same = reencoded.ok() && reencoded->size() == datagram.payload.size() &&
                    std::equal(reencoded->begin(), reencoded->end(), datagram.payload.begin());
  if (!same) {
    ++counts.mismatched;
    std::printf("%zu REENCODE-MISMATCH\n", counts.frames);
    if (!reencoded.ok()) return frame_out;
  }
  std::vector<uint8_t> rebuilt(bytes.begin(), bytes.begin() + frame.payload_offset);
  rebuilt.insert(rebuilt.end(), reencoded->begin(), reencoded->end());
  rebuilt.insert(rebuilt.end(), bytes.begin() + frame.payload_offset + datagram.payload.size(),
                 bytes.end());
  return rebuilt;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, reencode_path;
  std::vector<std::string> filter_words;
  bool no_timestamps = false;
  CLI::App app{"lispdump: the LISP packets of a capture, decoded and re-encoded by lispmob",
               "lispdump"};
  app.add_option("FILE", input, "a pcap or pcapng capture, or - for standard input")->required();
  app.add_option("FILTER", filter_words, "a BPF filter, as tcpdump takes it (udp port 4342)");
  app.add_option("--reencode", reencode_path, "write the capture back, LISP re-encoded")
      ->type_name("OUT.pcap");
  app.add_flag("-t,--no-timestamps", no_timestamps, "leave the time of day out");
  tools::add_version_flag(app, "lispdump");
  if (auto exit_status = tools::parse_command_line(app, argc, argv, "lispdump")) {
    return *exit_status;
  }
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, decltype(&pcap_close)> handle(pcap_open_offline(input.c_str(), error),
                                                        pcap_close);
  if (!handle) {
    std::fprintf(stderr, "lispdump: %s\n", error);
    return 2;
  }
  if (!filter_words.empty()) {
    const std::string filter = absl::StrJoin(filter_words, " ");
    bpf_program program{};
    if (pcap_compile(handle.get(), &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(handle.get(), &program) != 0) {
      std::fprintf(stderr, "lispdump: filter '%s': %s\n", filter.c_str(),
                   pcap_geterr(handle.get()));
      pcap_freecode(&program);
      return 2;
    }
    pcap_freecode(&program);
  }
  // Re-encoded frames go to a classic pcap of the input's link type and
  // snap length, so a file that round-trips is byte-identical.
  pcap_dumper_t* dumper = nullptr;
  if (!reencode_path.empty()) {
    dumper = pcap_dump_open(handle.get(), reencode_path.c_str());
    if (dumper == nullptr) {
      std::fprintf(stderr, "lispdump: %s\n", pcap_geterr(handle.get()));
      return 2;
    }
  }
  Counts counts;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int result;
  while ((result = pcap_next_ex(handle.get(), &header, &data)) == 1) {
    ++counts.frames;
    const std::string prefix =
        no_timestamps ? absl::StrFormat("%d ", counts.frames)
                      : absl::StrFormat("%d %s ", counts.frames, time_of_day(header->ts));
    const auto frame = process_frame({data, header->caplen}, prefix, counts);
    if (dumper != nullptr) {
      pcap_pkthdr out = *header;
      out.len = header->len + static_cast<uint32_t>(frame.size()) - header->caplen;
      out.caplen = static_cast<uint32_t>(frame.size());
      pcap_dump(reinterpret_cast<u_char*>(dumper), &out, frame.data());
    }
  }
  if (dumper != nullptr) pcap_dump_close(dumper);
  if (result != PCAP_ERROR_BREAK) {
    std::fprintf(stderr, "lispdump: %s: %s\n", input.c_str(), pcap_geterr(handle.get()));
    return 2;
  }
  std::fflush(stdout);  // the lines first, when both go to one file
  std::fprintf(stderr, "lispdump: %zu frames, %d LISP, %d malformed, %d re-encode mismatches\n",
               counts.frames, counts.lisp, counts.failed, counts.mismatched);
  return counts.failed || counts.mismatched ? 1 : 0;
}
