// Big-endian writer appending to a byte vector. Length fields that are known
// only after their body is written are reserved with `reserve_u16` and filled
// by `patch_u16`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lispmob::wire {

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  size_t position() const { return out_.size(); }

  void write_u8(uint8_t value) { out_.push_back(value); }
  void write_u16(uint16_t value) {
    out_.push_back(static_cast<uint8_t>(value >> 8));
    out_.push_back(static_cast<uint8_t>(value));
  }
  void write_u32(uint32_t value) {
    write_u16(static_cast<uint16_t>(value >> 16));
    write_u16(static_cast<uint16_t>(value));
  }
  void write_u64(uint64_t value) {
    write_u32(static_cast<uint32_t>(value >> 32));
    write_u32(static_cast<uint32_t>(value));
  }
  void write_bytes(std::span<const uint8_t> bytes) {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  void write_zeros(size_t count) { out_.insert(out_.end(), count, 0); }

  // Appends a placeholder and returns its offset for patch_u16.
  size_t reserve_u16() {
    size_t offset = out_.size();
    write_u16(0);
    return offset;
  }
  void patch_u16(size_t offset, uint16_t value) {
    out_[offset] = static_cast<uint8_t>(value >> 8);
    out_[offset + 1] = static_cast<uint8_t>(value);
  }

  std::vector<uint8_t>& buffer() { return out_; }

 private:
  std::vector<uint8_t>& out_;
};

}  // namespace lispmob::wire
