// The plane contract (no DPDK): what the control thread asks of a data
// plane. The DPDK one (dataplane/service.h) implements it; control tests
// use a fake. The control thread is the only caller, from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "common/net/ip_address.h"
#include "dataplane/api/counters.h"
#include "dataplane/api/local_state.h"
#include "dataplane/api/mapping.h"
#include "dataplane/api/punt.h"

namespace lispmob::dataplane {

class Dataplane {
 public:
  virtual ~Dataplane() = default;

  // The forwarding map-cache: adds or replaces the mapping for its
  // instance and prefix, removes one. It keeps only what forwarding
  // needs; the control thread keeps the mappings themselves, so the read
  // side names prefixes: the one the data plane's longest match picks for
  // an address, and how many it holds.
  virtual absl::Status upsert(const Mapping& mapping) = 0;
  virtual absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) = 0;
  virtual std::optional<net::IpPrefix> longest_match(uint32_t instance_id,
                                                     const net::IpAddress& address) const = 0;
  virtual size_t mapping_count() const = 0;
  // The prefixes traffic used since the last call (each worker marks the
  // entries it looks up and acts on): what the control thread refreshes,
  // and the order in which a full map-cache gives entries up.
  virtual std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() = 0;

  // A new local state for the workers, in effect from their next burst.
  virtual void publish(const LocalState& state) = 0;
  // Starts forwarding; publish a local state first.
  virtual absl::Status start() = 0;
  // Takes up to out.size() punt records; returns how many.
  virtual size_t drain_punts(std::span<PuntRecord> out) = 0;
  // Readable when punt records may be waiting (drain_punts re-arms it);
  // -1: none, drain on a timer.
  virtual int punt_fd() const { return -1; }
  // The workers' counters, summed, with the ports' own figures.
  virtual DataplaneCounters counters() const = 0;
  // Each worker's own counters, in worker (queue) order.
  virtual std::vector<DataplaneCounters> worker_counters() const { return {counters()}; }
  // Frees what the workers can no longer hold; never waits.
  virtual void maintain() = 0;

  // The ports: RLOC links (each an RLOC port and its kernel twin) and the EID port.
  virtual unsigned link_count() const = 0;
  virtual MacAddress rloc_port_mac(unsigned link) const = 0;
  virtual MacAddress eid_port_mac() const = 0;
  // DPDK's MTU of an RLOC port, for a port with no kernel interface; 0: unknown.
  virtual uint16_t rloc_port_mtu(unsigned link) const = 0;
};

}  // namespace lispmob::dataplane
