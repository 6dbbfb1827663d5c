// The map-cache as the data plane would hold it, for control-plane tests:
// what the resolver installed, by instance-id and prefix.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "control/xtr/resolver.h"

namespace lispmob::control::testing {

inline net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }
inline net::IpPrefix prefix(const char* text) { return *net::IpPrefix::parse(text); }

class FakeMapCache : public MapCacheWriter {
 public:
  absl::Status upsert(const dataplane::Mapping& mapping) override {
    entries[{mapping.instance_id, mapping.prefix.to_string()}] = mapping;
    return absl::OkStatus();
  }
  absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) override {
    entries.erase({instance_id, prefix.to_string()});
    return absl::OkStatus();
  }
  const dataplane::Mapping* find(uint32_t instance_id, const char* prefix) const {
    auto it = entries.find({instance_id, prefix});
    return it == entries.end() ? nullptr : &it->second;
  }
  // The first locator of the instance-0 entry for `prefix`.
  std::optional<net::IpAddress> rloc_for(const char* prefix) const {
    const auto* mapping = find(0, prefix);
    if (mapping == nullptr || mapping->locators.empty()) return std::nullopt;
    return mapping->locators[0].rloc;
  }
  // Traffic to every entry, unless a test says which were used.
  std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() override {
    if (used) return std::exchange(*used, {});
    std::vector<std::pair<uint32_t, net::IpPrefix>> all;
    for (const auto& [key, mapping] : entries)
      all.emplace_back(mapping.instance_id, mapping.prefix);
    return all;
  }
  std::map<std::pair<uint32_t, std::string>, dataplane::Mapping> entries;
  std::optional<std::vector<std::pair<uint32_t, net::IpPrefix>>> used;
};

}  // namespace lispmob::control::testing
