// A site gateway's adjacencies: the MAC of each host on its LAN, by IP
// address, as the LAN twin's neighbour table has them (the control thread
// copies them from rtnetlink; the kernel resolves, lispd follows). Part of
// the LocalState snapshot the workers read: a fixed number of slots, open
// addressing with linear probing kept at most half full, so a lookup reads
// a slot or two and nothing allocates. A full table refuses the next host;
// its packets still reach it through the kernel (the slow path).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace lispmob::dataplane {

// An Ethernet address, as plain bytes.
using MacAddress = std::array<uint8_t, 6>;

class AdjacencyTable {
 public:
  static constexpr unsigned kMaxHosts = 1024;
  static constexpr unsigned kSlots = 2 * kMaxHosts;  // a power of two

  // Adds the host, or changes its MAC; false when the table is full.
  bool insert(const uint8_t* address, bool ipv6, const MacAddress& mac) {
    unsigned slot = slot_of(address, ipv6);
    for (;; slot = (slot + 1) & (kSlots - 1)) {
      Slot& entry = slots_[slot];
      if (entry.used && matches(entry, address, ipv6)) {
        entry.mac = mac;
        return true;
      }
      if (!entry.used) break;
    }
    if (size_ >= kMaxHosts) return false;
    Slot& entry = slots_[slot];
    entry.used = 1;
    entry.ipv6 = ipv6 ? 1 : 0;
    entry.mac = mac;
    std::memcpy(entry.address.data(), address, ipv6 ? 16 : 4);
    ++size_;
    return true;
  }

  // The host's MAC, or null.
  const MacAddress* find(const uint8_t* address, bool ipv6) const {
    for (unsigned slot = slot_of(address, ipv6);; slot = (slot + 1) & (kSlots - 1)) {
      const Slot& entry = slots_[slot];
      if (!entry.used) return nullptr;
      if (matches(entry, address, ipv6)) return &entry.mac;
    }
  }

  unsigned size() const { return size_; }

  // Calls visit(address bytes, ipv6, mac) for each host.
  template <class Visit>
  void for_each(Visit visit) const {
    for (const Slot& entry : slots_) {
      if (entry.used) visit(entry.address.data(), entry.ipv6 != 0, entry.mac);
    }
  }

  friend bool operator==(const AdjacencyTable&, const AdjacencyTable&) = default;

 private:
  struct Slot {
    uint8_t used = 0;
    uint8_t ipv6 = 0;
    MacAddress mac{};
    std::array<uint8_t, 16> address{};  // 4 bytes used for IPv4
    friend bool operator==(const Slot&, const Slot&) = default;
  };

  static bool matches(const Slot& entry, const uint8_t* address, bool ipv6) {
    return entry.ipv6 == (ipv6 ? 1 : 0) &&
           std::memcmp(entry.address.data(), address, ipv6 ? 16 : 4) == 0;
  }
  // Hosts of one LAN differ in the last bytes of their address: those pick
  // the slot (a multiplicative hash of the last 4 bytes, with the family).
  static unsigned slot_of(const uint8_t* address, bool ipv6) {
    uint32_t tail;
    std::memcpy(&tail, address + (ipv6 ? 12 : 0), 4);
    const uint32_t hash = (tail ^ (ipv6 ? 0x5bd1e995u : 0u)) * 0x9e3779b1u;
    return hash >> (32 - kSlotBits);
  }
  static constexpr unsigned kSlotBits = 11;
  static_assert(kSlots == 1u << kSlotBits);

  std::array<Slot, kSlots> slots_{};
  unsigned size_ = 0;
};

}  // namespace lispmob::dataplane
