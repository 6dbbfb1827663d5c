#include "common/net/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace lispmob::net {

IpAddress IpAddress::v4(std::span<const uint8_t, 4> bytes) {
  IpAddress address;
  address.family_ = IpFamily::kIpv4;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::v6(std::span<const uint8_t, 16> bytes) {
  IpAddress address;
  address.family_ = IpFamily::kIpv6;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::v4(uint32_t host_order) {
  const std::array<uint8_t, 4> bytes = {
      static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
      static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
  return v4(std::span<const uint8_t, 4>(bytes));
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, buffer, bytes.data()) == 1) {
    return v4(std::span<const uint8_t, 4>(bytes.data(), 4));
  }
  if (inet_pton(AF_INET6, buffer, bytes.data()) == 1) {
    return v6(std::span<const uint8_t, 16>(bytes));
  }
  return std::nullopt;
}

IpAddress IpAddress::masked(unsigned prefix_len) const {
  IpAddress result = *this;
  for (unsigned byte = 0; byte < size(); ++byte) {
    const unsigned first_bit = byte * 8;
    if (prefix_len >= first_bit + 8) continue;
    const unsigned keep = prefix_len > first_bit ? prefix_len - first_bit : 0;
    result.bytes_[byte] &= static_cast<uint8_t>(0xff00u >> keep);
  }
  return result;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  const int af = is_v4() ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes_.data(), buffer, sizeof(buffer)) == nullptr) return "?";
  return buffer;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const std::string_view length_text = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, error] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (error != std::errc() || end != length_text.data() + length_text.size() ||
      length_text.empty() || length > address->max_prefix_len()) {
    return std::nullopt;
  }
  if (address->masked(length) != *address) return std::nullopt;
  return IpPrefix{*address, static_cast<uint8_t>(length)};
}

bool IpPrefix::contains(const IpAddress& other) const {
  return other.family() == address.family() && other.masked(length) == address;
}

bool IpPrefix::contains(const IpPrefix& other) const {
  return other.length >= length && contains(other.address);
}

std::string IpPrefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

}  // namespace lispmob::net
