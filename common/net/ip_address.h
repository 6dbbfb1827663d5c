// IPv4 or IPv6 address in network byte order, the value type used for EIDs
// and RLOCs throughout lispmob.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lispmob::net {

enum class IpFamily : uint8_t { kIpv4 = 4, kIpv6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;

  static IpAddress v4(std::span<const uint8_t, 4> bytes);
  static IpAddress v6(std::span<const uint8_t, 16> bytes);
  static IpAddress v4(uint32_t host_order);
  // Accepts dotted-quad or RFC 4291 text; nullopt on anything else.
  static std::optional<IpAddress> parse(std::string_view text);

  IpFamily family() const { return family_; }
  bool is_v4() const { return family_ == IpFamily::kIpv4; }
  bool is_v6() const { return family_ == IpFamily::kIpv6; }
  // 4 or 16.
  size_t size() const { return is_v4() ? 4 : 16; }
  std::span<const uint8_t> bytes() const { return {bytes_.data(), size()}; }
  // Bit count: 32 or 128.
  unsigned max_prefix_len() const { return is_v4() ? 32 : 128; }

  // This address with all bits after the first `prefix_len` cleared.
  IpAddress masked(unsigned prefix_len) const;

  std::string to_string() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  IpFamily family_ = IpFamily::kIpv4;
  std::array<uint8_t, 16> bytes_{};
};

// An address and prefix length, e.g. an EID-prefix.
struct IpPrefix {
  IpAddress address;
  uint8_t length = 0;

  // "a.b.c.d/n" or "x::/n"; the address must have no bits set past n.
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddress& other) const;
  bool contains(const IpPrefix& other) const;
  std::string to_string() const;

  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

}  // namespace lispmob::net
