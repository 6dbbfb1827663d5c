#include "common/pcap/pcap.h"

#include <iterator>

#include "common/wire/errors.h"
#include "common/wire/reader.h"
#include "common/wire/writer.h"

namespace lispmob::pcap {
namespace {

constexpr uint32_t kMagicMicroseconds = 0xa1b2c3d4;
constexpr uint32_t kMagicNanoseconds = 0xa1b23c4d;
constexpr uint32_t kMaxSnapLength = 262144;

uint32_t swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

}  // namespace

absl::StatusOr<File> parse(std::span<const uint8_t> bytes) {
  wire::Reader reader(bytes);
  uint32_t magic = 0;
  if (!reader.read_u32(magic)) return wire::decode_error("no pcap header", 0);
  bool swapped = false;
  File file;
  if (magic == kMagicMicroseconds || magic == kMagicNanoseconds) {
    file.nanosecond = magic == kMagicNanoseconds;
  } else if (swap32(magic) == kMagicMicroseconds || swap32(magic) == kMagicNanoseconds) {
    swapped = true;
    file.nanosecond = swap32(magic) == kMagicNanoseconds;
  } else {
    return wire::decode_error("not a pcap file (pcapng is not supported)", 0);
  }
  auto u32 = [&](uint32_t& out) {
    if (!reader.read_u32(out)) return false;
    if (swapped) out = swap32(out);
    return true;
  };
  uint32_t version = 0, zone = 0, sigfigs = 0, snaplen = 0;
  if (!u32(version) || !u32(zone) || !u32(sigfigs) || !u32(snaplen) || !u32(file.link_type)) {
    return wire::decode_error("truncated pcap header", reader.position());
  }
  while (!reader.empty()) {
    Record record;
    uint32_t captured = 0;
    std::span<const uint8_t> data;
    if (!u32(record.seconds) || !u32(record.subseconds) || !u32(captured) ||
        !u32(record.original_length) || captured > kMaxSnapLength ||
        !reader.read_span(captured, data)) {
      return wire::decode_error("truncated pcap record", reader.position());
    }
    record.data.assign(data.begin(), data.end());
    file.records.push_back(std::move(record));
  }
  return file;
}

absl::StatusOr<File> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open " + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  return parse(bytes);
}

// Written little-endian, as libpcap does on the machines we run on.
std::vector<uint8_t> serialize(const File& file) {
  std::vector<uint8_t> out;
  auto le32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  le32(file.nanosecond ? kMagicNanoseconds : kMagicMicroseconds);
  le32(2 | 4u << 16);  // version 2.4: major 2 (u16), minor 4 (u16)
  le32(0);
  le32(0);
  le32(kMaxSnapLength);
  le32(file.link_type);
  for (const auto& record : file.records) {
    le32(record.seconds);
    le32(record.subseconds);
    le32(static_cast<uint32_t>(record.data.size()));
    le32(record.original_length ? record.original_length
                                : static_cast<uint32_t>(record.data.size()));
    out.insert(out.end(), record.data.begin(), record.data.end());
  }
  return out;
}

absl::Status write_file(const std::string& path, const File& file) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError("cannot write " + path);
  const auto bytes = serialize(file);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return out ? absl::OkStatus() : absl::DataLossError("short write to " + path);
}

}  // namespace lispmob::pcap
