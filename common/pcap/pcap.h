// Classic libpcap file format (microsecond or nanosecond timestamps, either
// byte order): enough to read captures and to write what tests produce for
// tshark. Reading is bounds-checked like every other parser.
#pragma once

#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lispmob::pcap {

inline constexpr uint32_t kLinkTypeEthernet = 1;

struct Record {
  uint32_t seconds = 0;
  uint32_t subseconds = 0;  // micro- or nanoseconds, as the file says
  uint32_t original_length = 0;
  std::vector<uint8_t> data;
};

struct File {
  uint32_t link_type = kLinkTypeEthernet;
  bool nanosecond = false;
  std::vector<Record> records;
};

absl::StatusOr<File> parse(std::span<const uint8_t> bytes);
absl::StatusOr<File> read_file(const std::string& path);
std::vector<uint8_t> serialize(const File& file);
absl::Status write_file(const std::string& path, const File& file);

}  // namespace lispmob::pcap
