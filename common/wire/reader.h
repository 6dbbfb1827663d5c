// Bounds-checked big-endian reader over a byte span. Every parser in lispmob
// reads through this type: a read past the end fails and leaves the reader in
// a failed state, it never touches memory beyond the span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace lispmob::wire {

class Reader {
 public:
  Reader() = default;
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  // Number of bytes not yet consumed.
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool ok() const { return ok_; }
  bool empty() const { return remaining() == 0; }

  bool read_u8(uint8_t& out) {
    if (!require(1)) return false;
    out = data_[pos_++];
    return true;
  }
  bool read_u16(uint16_t& out) {
    if (!require(2)) return false;
    out = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool read_u32(uint32_t& out) {
    if (!require(4)) return false;
    out = static_cast<uint32_t>(data_[pos_]) << 24 | static_cast<uint32_t>(data_[pos_ + 1]) << 16 |
          static_cast<uint32_t>(data_[pos_ + 2]) << 8 | static_cast<uint32_t>(data_[pos_ + 3]);
    pos_ += 4;
    return true;
  }
  bool read_u64(uint64_t& out) {
    uint32_t high = 0, low = 0;
    if (!read_u32(high) || !read_u32(low)) return false;
    out = static_cast<uint64_t>(high) << 32 | low;
    return true;
  }
  bool read_bytes(std::span<uint8_t> out) {
    if (!require(out.size())) return false;
    if (!out.empty()) std::memcpy(out.data(), data_.data() + pos_, out.size());
    pos_ += out.size();
    return true;
  }
  // A view of the next `length` bytes, consumed from this reader.
  bool read_span(size_t length, std::span<const uint8_t>& out) {
    if (!require(length)) return false;
    out = data_.subspan(pos_, length);
    pos_ += length;
    return true;
  }
  // A reader limited to the next `length` bytes, consumed from this reader.
  bool read_sub(size_t length, Reader& out) {
    std::span<const uint8_t> view;
    if (!read_span(length, view)) return false;
    out = Reader(view);
    return true;
  }
  bool skip(size_t length) {
    if (!require(length)) return false;
    pos_ += length;
    return true;
  }
  // The rest of the buffer, consumed.
  std::span<const uint8_t> read_rest() {
    auto rest = data_.subspan(pos_);
    pos_ = data_.size();
    return rest;
  }
  // Look at the next byte without consuming it.
  bool peek_u8(uint8_t& out) const {
    if (!ok_ || remaining() < 1) return false;
    out = data_[pos_];
    return true;
  }

 private:
  bool require(size_t length) {
    if (!ok_ || remaining() < length) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace lispmob::wire
