#include "common/pcap/pcap.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace lispmob::pcap {
namespace {

using Handle = std::unique_ptr<pcap_t, decltype(&pcap_close)>;

absl::StatusOr<File> read_all(pcap_t* handle) {
  File file;
  file.link_type = static_cast<uint32_t>(pcap_datalink(handle));
  file.snap_length = static_cast<uint32_t>(pcap_snapshot(handle));
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int result;
  while ((result = pcap_next_ex(handle, &header, &data)) == 1) {
    Record record;
    record.seconds = static_cast<uint32_t>(header->ts.tv_sec);
    record.subseconds = static_cast<uint32_t>(header->ts.tv_usec);
    record.original_length = header->len;
    record.data.assign(data, data + header->caplen);
    file.records.push_back(std::move(record));
  }
  if (result != PCAP_ERROR_BREAK) {
    return absl::InvalidArgumentError(absl::StrCat("pcap: ", pcap_geterr(handle)));
  }
  return file;
}

// Writes `file` to the stream `out` (closed by libpcap).
absl::Status dump(const File& file, FILE* out) {
  Handle dead(pcap_open_dead(static_cast<int>(file.link_type), static_cast<int>(file.snap_length)),
              pcap_close);
  pcap_dumper_t* dumper = dead ? pcap_dump_fopen(dead.get(), out) : nullptr;
  if (dumper == nullptr) {
    std::fclose(out);
    return absl::InternalError("pcap: cannot start the file");
  }
  for (const auto& record : file.records) {
    pcap_pkthdr header{};
    header.ts.tv_sec = record.seconds;
    header.ts.tv_usec = record.subseconds;
    header.caplen = static_cast<uint32_t>(record.data.size());
    header.len = record.original_length ? record.original_length : header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, record.data.data());
  }
  pcap_dump_close(dumper);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<File> parse(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return absl::InvalidArgumentError("pcap: empty file");
  FILE* stream = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
  if (stream == nullptr) return absl::InternalError("fmemopen failed");
  char error[PCAP_ERRBUF_SIZE] = {};
  Handle handle(pcap_fopen_offline(stream, error), pcap_close);  // closes the stream
  if (!handle) {
    std::fclose(stream);
    return absl::InvalidArgumentError(absl::StrCat("pcap: ", error));
  }
  return read_all(handle.get());
}

absl::StatusOr<File> read_file(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  Handle handle(pcap_open_offline(path.c_str(), error), pcap_close);
  if (!handle) return absl::InvalidArgumentError(error);
  return read_all(handle.get());
}

std::vector<uint8_t> serialize(const File& file) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* stream = open_memstream(&buffer, &size);
  if (stream == nullptr || !dump(file, stream).ok()) return {};
  std::vector<uint8_t> out(buffer, buffer + size);
  free(buffer);
  return out;
}

absl::Status write_file(const std::string& path, const File& file) {
  FILE* stream = std::fopen(path.c_str(), "wb");
  if (stream == nullptr) return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  return dump(file, stream);
}

}  // namespace lispmob::pcap
