// The MN/xTR node: XtrNode is the roles (XtrControl: registration,
// resolution of punted misses, the ETR's answers, SMR, RLOC probing) wired
// to a data plane, a transport for control messages and the runtime's
// timers, with no socket or clock of its own, so a test runs it whole on a
// fake data plane and a ManualClock. xtr_daemon.h wires it onto lispd's
// event loop; xtr_commands.h has its lispctl commands and counters.
#pragma once

#include <deque>
#include <string>

#include "absl/status/status.h"
#include "control/runtime/command_registry.h"
#include "control/runtime/counter_registry.h"
#include "control/runtime/timer_queue.h"
#include "control/xtr/kernel_view.h"
#include "control/xtr/resolver.h"
#include "control/xtr/xtr_config.h"
#include "control/xtr/xtr_control.h"
#include "dataplane/api/dataplane.h"

namespace lispmob::control {

// The data plane's map-cache, as the resolver writes it.
class DataplaneMapCache : public MapCacheWriter {
 public:
  explicit DataplaneMapCache(dataplane::Dataplane& dataplane) : dataplane_(dataplane) {}
  absl::Status upsert(const dataplane::Mapping& mapping) override {
    return dataplane_.upsert(mapping);
  }
  absl::Status erase(uint32_t instance_id, const net::IpPrefix& prefix) override {
    return dataplane_.erase(instance_id, prefix);
  }
  std::vector<std::pair<uint32_t, net::IpPrefix>> take_used() override {
    return dataplane_.take_used();
  }

 private:
  dataplane::Dataplane& dataplane_;
};

// Where the roles' messages go: lispd's UDP sockets, or a test's network.
class ControlTransport {
 public:
  virtual ~ControlTransport() = default;
  // `source`: our RLOC of the destination's family, if we have one.
  virtual void send(const Outgoing& message, const std::optional<net::IpAddress>& source) = 0;
};

struct XtrNodeCounters {
  uint64_t control_held = 0;          // messages that waited for a route out of an RLOC
  uint64_t control_held_dropped = 0;  // ... and were dropped, the waiting room full
  uint64_t infrastructure_misses =
      0;  // misses for a Map-Server's, Map-Resolver's or PETR's address
};

class XtrNode {
 public:
  XtrNode(XtrConfig config, dataplane::Dataplane& dataplane, ControlTransport& transport,
          TimerQueue& timers, const Clock& clock, XtrControl::Random random);

  // The static map-cache, the first local state from `view`, our records;
  // then the data plane starts.
  absl::Status start(const KernelView& view);
  // The kernel's view changed: locators, local state and records follow.
  // True if the data plane's local state changed.
  bool kernel_changed(const KernelView& view);
  // A reload: Map-Servers, Map-Resolvers, keys, static mappings,
  // database-mappings, Proxy-ETRs, retries and probing take effect now;
  // the map-cache and the registrations that stay valid are kept. What
  // needs a restart (ports, EID port, a mobile node's EIDs on its host)
  // keeps its running value and is returned as "what: why".
  std::vector<std::string> reconfigure(XtrConfig next);
  const XtrConfig& config() const { return config_; }
  // A control message from the wire.
  void receive(std::span<const uint8_t> bytes, const Endpoint& from);
  // Takes what the workers punted: misses become Map-Requests, ICMP
  // too-big reports path MTUs.
  void drain_punts();
  // What lispd applied to the EID port, for "show local".
  void set_eid_port_mtu(EidPortMtu applied) { eid_mtu_ = std::move(applied); }

  // lispctl's changes to the running node. They last until the next
  // reload or restart: the file stays the reference, as in a router
  // whose running config was not written.
  absl::Status add_static_mapping(const dataplane::Mapping& mapping);
  absl::Status remove_static_mapping(uint32_t instance_id, const net::IpPrefix& prefix);
  size_t clear_map_cache(const std::optional<std::pair<uint32_t, net::IpPrefix>>& only);
  void register_now();

  // The shows (const) and, with add_change_commands, the changes above.
  void add_commands(CommandRegistry& commands) const;
  void add_change_commands(CommandRegistry& commands);
  void add_counters(CounterRegistry& counters) const;

  const dataplane::LocalState& state() const { return state_; }
  const std::vector<LocalLocator>& locators() const { return locators_; }
  const XtrControl& control() const { return control_; }
  const KernelView& view() const { return view_; }
  const XtrNodeCounters& counters() const { return counters_; }
  size_t held() const { return held_.size(); }
  // How many control messages may wait for a route out of an RLOC.
  static constexpr size_t kMaxHeld = 256;
  // How long LISP data to an RLOC we just left is still taken in: as long
  // as peers keep being told of the move by SMR.
  static constexpr std::chrono::seconds kRetiredRlocGrace{10};

 private:
  // Each message from the RLOC control_source() picks; one with none yet
  // waits (held_) for the route, never leaving unpinned into our tunnel.
  void send(const std::vector<Outgoing>& messages);
  void send_held();
  // A Map-Server's, Map-Resolver's or Proxy-ETR's own address: never
  // resolved through the mapping system.
  bool infrastructure(const net::IpAddress& address) const;
  // Runs the roles' due work and re-arms their timer for the next.
  void run_roles();
  void reschedule();

  // Puts the static-map-cache of `next` in place of the running one's.
  void replace_static_mappings(const std::vector<dataplane::Mapping>& next);
  // Locators, records and local state from the view and the config.
  bool follow_kernel();
  // The locators that `next` no longer has become retired: LISP data to
  // them is still taken in for kRetiredRlocGrace (make-before-break).
  void retire(const std::vector<LocalLocator>& next);
  // The local state from the view, the locators and the retired RLOCs, to
  // the data plane if it changed. True if it did.
  bool publish_local_state();

  XtrConfig config_;
  dataplane::Dataplane& dataplane_;
  ControlTransport& transport_;
  const Clock& clock_;
  DataplaneMapCache cache_;
  XtrControl control_;
  Timer roles_timer_;
  Timer maintenance_timer_;
  std::vector<dataplane::MacAddress> link_macs_;
  dataplane::MacAddress eid_mac_{};
  KernelView view_;
  std::vector<LocalLocator> locators_;
  dataplane::LocalState state_;
  EidPortMtu eid_mtu_;
  std::deque<Outgoing> held_;
  std::vector<std::pair<net::IpAddress, TimePoint>> retired_;  // and until when
  XtrNodeCounters counters_;
};

}  // namespace lispmob::control
