// A data plane for control tests (dataplane/api/dataplane.h), no DPDK: it
// keeps what the control thread installs and publishes, hands out the
// punts a test queues, and reports the counters a test sets.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <utility>

#include "dataplane/api/dataplane.h"

namespace lispmob::control::testing {

class FakeDataplane : public dataplane::Dataplane {
 public:
  absl::Status upsert(const dataplane::Mapping& mapping) override {
    mappings_[{mapping.instance_id, mapping.prefix}] = mapping;
    return absl::OkStatus();
  }
  absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) override {
    mappings_.erase({instance_id, prefix});
    return absl::OkStatus();
  }
  // What was installed, for the tests to inspect.
  std::vector<dataplane::Mapping> mappings() const {
    std::vector<dataplane::Mapping> out;
    for (const auto& [key, mapping] : mappings_) out.push_back(mapping);
    return out;
  }
  std::optional<net::IpPrefix> longest_match(uint32_t instance_id,
                                             const net::IpAddress& address) const override {
    auto found = lookup(instance_id, address);
    if (!found) return std::nullopt;
    return found->prefix;
  }
  std::optional<dataplane::Mapping> lookup(uint32_t instance_id,
                                           const net::IpAddress& address) const {
    for (int length = static_cast<int>(address.max_prefix_len()); length >= 0; --length) {
      const net::IpPrefix prefix{address.masked(static_cast<unsigned>(length)),
                                 static_cast<uint8_t>(length)};
      if (auto found = mappings_.find({instance_id, prefix}); found != mappings_.end()) {
        return found->second;
      }
    }
    return std::nullopt;
  }
  size_t mapping_count() const override { return mappings_.size(); }
  // Traffic to every installed prefix, unless a test says which were used.
  std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() override {
    if (used) return std::exchange(*used, {});
    std::vector<std::pair<uint32_t, net::IpPrefix>> all;
    for (const auto& [key, mapping] : mappings_)
      all.emplace_back(mapping.instance_id, mapping.prefix);
    return all;
  }
  std::optional<std::vector<std::pair<uint32_t, net::IpPrefix>>> used;
  void publish(const dataplane::LocalState& state) override {
    published = state;
    publications++;
  }
  absl::Status start() override {
    started = true;
    return absl::OkStatus();
  }
  size_t drain_punts(std::span<dataplane::PuntRecord> out) override {
    size_t count = 0;
    while (count < out.size() && !punts.empty()) {
      out[count++] = punts.front();
      punts.pop_front();
    }
    return count;
  }
  dataplane::DataplaneCounters counters() const override { return counter_values; }
  void maintain() override { maintained++; }
  unsigned link_count() const override { return 1; }
  dataplane::MacAddress rloc_port_mac(unsigned) const override { return {2, 0, 0, 0, 0, 5}; }
  dataplane::MacAddress eid_port_mac() const override { return {2, 0, 0, 0, 0, 1}; }
  uint16_t rloc_port_mtu(unsigned) const override { return 1500; }

  dataplane::LocalState published;
  int publications = 0;
  bool started = false;
  int maintained = 0;
  std::deque<dataplane::PuntRecord> punts;
  dataplane::DataplaneCounters counter_values;

 private:
  struct Less {
    bool operator()(const std::pair<uint32_t, net::IpPrefix>& a,
                    const std::pair<uint32_t, net::IpPrefix>& b) const {
      if (a.first != b.first) return a.first < b.first;
      return a.second.to_string() < b.second.to_string();
    }
  };
  std::map<std::pair<uint32_t, net::IpPrefix>, dataplane::Mapping, Less> mappings_;
};

}  // namespace lispmob::control::testing
