// Capture files through libpcap (Debian's libpcap-dev): classic pcap and
// pcapng are read, from a file or standard input ("-"); classic pcap is
// written. A whole-file form for the tests, the benchmark's traffic and
// lispdump's re-encoded output; lispdump streams with libpcap itself.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lispmob::pcap {

inline constexpr uint32_t kLinkTypeEthernet = 1;
inline constexpr uint32_t kDefaultSnapLength = 262144;

struct Record {
  uint32_t seconds = 0;
  uint32_t subseconds = 0;  // microseconds
  uint32_t original_length = 0;
  std::vector<uint8_t> data;
};

struct File {
  uint32_t link_type = kLinkTypeEthernet;
  uint32_t snap_length = kDefaultSnapLength;
  std::vector<Record> records;
};

// Reads the capture in `bytes`; a truncated or unknown file is refused.
absl::StatusOr<File> parse(std::span<const uint8_t> bytes);
absl::StatusOr<File> read_file(const std::string& path);  // "-": standard input
std::vector<uint8_t> serialize(const File& file);
absl::Status write_file(const std::string& path, const File& file);

}  // namespace lispmob::pcap
