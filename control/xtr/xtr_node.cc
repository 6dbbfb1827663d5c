#include "control/xtr/xtr_node.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_format.h"
#include "common/log/log.h"
#include "control/xtr/xtr_commands.h"

namespace lispmob::control {

namespace {

net::IpAddress punted_address(const dataplane::PuntRecord& record) {
  return record.ipv6 ? net::IpAddress::v6(std::span<const uint8_t, 16>(record.address, 16))
                     : net::IpAddress::v4(std::span<const uint8_t, 4>(record.address, 4));
}

// Each control message at debug 1 and up, at most 50 lines a second (a
// flood must not fill the log).
void log_message(const char* what, const Endpoint& peer, std::span<const uint8_t> bytes) {
  if (!log::enabled(log::Level::kDebug)) return;
  static log::RateLimit limit(50);
  uint64_t dropped = 0;
  if (!limit.allow(std::chrono::steady_clock::now(), dropped)) return;
  auto message = lisp::decode_message(bytes);
  log::debug("xtr", "%s %s:%u %s%s", what, peer.address.to_string(), peer.port,
             message.ok() ? lisp::summarize(*message) : std::string(message.status().message()),
             dropped ? absl::StrFormat(" (%d lines dropped before this one)", dropped) : "");
}

// How often the data plane's deferred frees (RCU) are reclaimed.
constexpr auto kMaintenanceInterval = std::chrono::milliseconds(100);

}  // namespace

XtrNode::XtrNode(XtrConfig config, dataplane::Dataplane& dataplane, ControlTransport& transport,
                 TimerQueue& timers, const Clock& clock, XtrControl::Random random)
    : config_(std::move(config)),
      dataplane_(dataplane),
      transport_(transport),
      clock_(clock),
      cache_(dataplane),
      control_(config_.map_servers, config_.map_resolvers, config_.options, std::move(random),
               cache_),
      roles_timer_(timers, [this] { run_roles(); }),
      maintenance_timer_(timers, [this] {
        dataplane_.maintain();
        // A retired RLOC's grace is over: the data plane stops taking it.
        const auto now = clock_.now();
        if (std::erase_if(retired_, [&](const auto& item) { return now >= item.second; }) > 0) {
          publish_local_state();
        }
        // Without a punt signal the ring is polled at this interval instead.
        if (dataplane_.punt_fd() < 0) drain_punts();
        maintenance_timer_.arm(clock_.now() + kMaintenanceInterval);
      }) {}

absl::Status XtrNode::start(const KernelView& view) {
  control_.solicitor().set_proxy_itrs(config_.proxy_itrs);
  for (const auto& mapping : config_.static_mappings) {
    if (auto status = control_.resolver().install_static(mapping); !status.ok()) return status;
  }
  for (unsigned link = 0; link < dataplane_.link_count(); ++link) {
    link_macs_.push_back(dataplane_.rloc_port_mac(link));
  }
  eid_mac_ = dataplane_.eid_port_mac();
  view_ = view;
  locators_ = local_locators(config_, view_);
  state_ = build_local_state(config_, link_macs_, eid_mac_, view_, locators_);
  dataplane_.publish(state_);
  control_.set_local(records_to_register(config_, locators_), unregistered_rlocs(locators_));
  if (auto status = dataplane_.start(); !status.ok()) return status;
  maintenance_timer_.arm(clock_.now() + kMaintenanceInterval);
  reschedule();
  return absl::OkStatus();
}

bool XtrNode::kernel_changed(const KernelView& view) {
  view_ = view;
  const bool changed = follow_kernel();
  reschedule();
  // A route out of an RLOC may have appeared for what waits: it goes from
  // the roles' timer, after lispd has brought the host's RLOC tables in
  // step with this change (sent now, it could find the table still empty).
  if (!held_.empty()) roles_timer_.arm(clock_.now());
  return changed;
}

bool XtrNode::follow_kernel() {
  auto next_locators = local_locators(config_, view_);
  retire(next_locators);
  locators_ = std::move(next_locators);
  // The records change with any locator (a multihomed node's second link,
  // say) even when the egress state does not; XtrControl ignores a
  // set_local that changes nothing.
  control_.set_local(records_to_register(config_, locators_), unregistered_rlocs(locators_));
  return publish_local_state();
}

void XtrNode::retire(const std::vector<LocalLocator>& next) {
  const TimePoint now = clock_.now();
  auto has = [](const std::vector<LocalLocator>& locators, const net::IpAddress& address) {
    return std::any_of(locators.begin(), locators.end(),
                       [&](const LocalLocator& l) { return l.address == address; });
  };
  // One that came back, or whose time is up, is no longer retired.
  std::erase_if(retired_,
                [&](const auto& item) { return has(next, item.first) || now >= item.second; });
  for (const auto& locator : locators_) {
    if (has(next, locator.address)) continue;
    if (retired_.size() >= dataplane::LocalState::kMaxRetiredRlocs)
      retired_.erase(retired_.begin());
    retired_.emplace_back(locator.address, now + kRetiredRlocGrace);
  }
}

bool XtrNode::publish_local_state() {
  auto next = build_local_state(config_, link_macs_, eid_mac_, view_, locators_);
  for (const auto& [address, until] : retired_) {
    auto& slot = next.retired[next.retired_count++];
    const auto bytes = address.bytes();
    if (address.is_v4()) {
      slot.has_rloc4 = true;
      std::copy(bytes.begin(), bytes.end(), slot.rloc4.begin());
    } else {
      slot.has_rloc6 = true;
      std::copy(bytes.begin(), bytes.end(), slot.rloc6.begin());
    }
  }
  const bool changed = next != state_;
  if (changed) {
    state_ = next;
    dataplane_.publish(state_);
    log::debug("xtr", "local state changed (RLOC, next hop or MTU)");
  }
  return changed;
}

std::vector<std::string> XtrNode::reconfigure(XtrConfig next) {
  auto restart = changes_needing_restart(config_, next);
  // What needs a restart keeps its running value.
  next.mobile_node = config_.mobile_node;
  next.host_setup = config_.host_setup;
  next.rloc_route_table = config_.rloc_route_table;
  next.rloc_links = config_.rloc_links;
  next.eid_interface = config_.eid_interface;
  next.lan_port = config_.lan_port;
  next.lan_twin = config_.lan_twin;
  next.tunnel_destinations = config_.tunnel_destinations;
  if (config_.mobile_node && config_.host_setup &&
      !same_eid_prefixes(config_.database_mappings, next.database_mappings)) {
    next.database_mappings = config_.database_mappings;
  }
  if (next.map_servers != config_.map_servers) control_.registrar().set_servers(next.map_servers);
  if (!(next.options.registrar == config_.options.registrar)) {
    control_.registrar().set_options(next.options.registrar);
  }
  if (next.map_resolvers != config_.map_resolvers) {
    control_.resolver().set_map_resolvers(next.map_resolvers);
  }
  if (!(next.options.resolver == config_.options.resolver)) {
    control_.resolver().set_options(next.options.resolver);
  }
  control_.solicitor().set_proxy_itrs(next.proxy_itrs);
  if (!(next.options.solicitor == config_.options.solicitor)) {
    control_.solicitor().set_options(next.options.solicitor);
  }
  replace_static_mappings(next.static_mappings);
  config_ = std::move(next);
  follow_kernel();
  reschedule();
  return restart;
}

void XtrNode::replace_static_mappings(const std::vector<dataplane::Mapping>& next) {
  for (const auto& old : config_.static_mappings) {
    const bool kept = std::any_of(next.begin(), next.end(), [&](const auto& mapping) {
      return mapping.instance_id == old.instance_id && mapping.prefix == old.prefix;
    });
    if (kept) continue;
    if (auto status = control_.resolver().remove_static(old.instance_id, old.prefix);
        !status.ok()) {
      log::error("xtr", "reload: static mapping %s: %s", old.prefix.to_string(), status.message());
    }
  }
  for (const auto& mapping : next) {
    if (std::find(config_.static_mappings.begin(), config_.static_mappings.end(), mapping) !=
        config_.static_mappings.end()) {
      continue;
    }
    if (auto status = control_.resolver().install_static(mapping); !status.ok()) {
      log::error("xtr", "reload: static mapping %s: %s", mapping.prefix.to_string(),
                 status.message());
    }
  }
}

void XtrNode::send(const std::vector<Outgoing>& messages) {
  for (const auto& message : messages) {
    if (message.bytes.empty()) continue;
    const auto source = control_source(config_, view_, locators_, message.destination.address);
    if (!source) {
      counters_.control_held++;
      if (held_.size() >= kMaxHeld) {
        held_.pop_front();
        counters_.control_held_dropped++;
      }
      held_.push_back(message);
      continue;
    }
    log_message("send", message.destination, message.bytes);
    transport_.send(message, source);
  }
}

void XtrNode::send_held() {
  if (held_.empty()) return;
  std::vector<Outgoing> waiting(std::make_move_iterator(held_.begin()),
                                std::make_move_iterator(held_.end()));
  held_.clear();
  send(waiting);  // what still has no route waits again
}

bool XtrNode::infrastructure(const net::IpAddress& address) const {
  auto is = [&](const net::IpAddress& other) { return other == address; };
  return std::any_of(config_.map_servers.begin(), config_.map_servers.end(),
                     [&](const Registrar::Server& server) { return is(server.address); }) ||
         std::any_of(config_.map_resolvers.begin(), config_.map_resolvers.end(), is) ||
         std::any_of(config_.proxy_etrs_ipv4.begin(), config_.proxy_etrs_ipv4.end(), is) ||
         std::any_of(config_.proxy_etrs_ipv6.begin(), config_.proxy_etrs_ipv6.end(), is);
}

void XtrNode::receive(std::span<const uint8_t> bytes, const Endpoint& from) {
  log_message("recv", from, bytes);
  send(control_.handle(bytes, from, clock_.now()));
  reschedule();
}

void XtrNode::drain_punts() {
  std::array<dataplane::PuntRecord, 64> punts;
  // Bounded per wake-up: the rest waits for the next turn of the loop.
  for (int batch = 0; batch < 16; ++batch) {
    const size_t count = dataplane_.drain_punts(punts);
    const auto now = clock_.now();
    for (size_t i = 0; i < count; ++i) {
      const auto& record = punts[i];
      if (record.kind == dataplane::PuntKind::kPathMtu) {
        control_.resolver().learn_path_mtu(punted_address(record), record.mtu, now);
        continue;
      }
      const auto address = punted_address(record);
      if (infrastructure(address)) {
        counters_.infrastructure_misses++;
        continue;
      }
      send(control_.miss(record.instance_id, address, now));
    }
    if (count < punts.size()) break;
  }
  reschedule();
}

void XtrNode::run_roles() {
  send_held();
  send(control_.poll(clock_.now()));
  reschedule();
}

void XtrNode::reschedule() {
  const auto due = control_.next_due();
  if (!due) {
    roles_timer_.disarm();
    return;
  }
  const TimePoint at = std::max(*due, clock_.now());
  if (roles_timer_.due() != at) roles_timer_.arm(at);
}

absl::Status XtrNode::add_static_mapping(const dataplane::Mapping& mapping) {
  if (auto status = control_.resolver().install_static(mapping); !status.ok()) return status;
  auto& mappings = config_.static_mappings;
  std::erase_if(mappings, [&](const dataplane::Mapping& old) {
    return old.instance_id == mapping.instance_id && old.prefix == mapping.prefix;
  });
  mappings.push_back(mapping);
  log::info("xtr", "lispctl: static mapping [%d]%s added", mapping.instance_id,
            mapping.prefix.to_string());
  return absl::OkStatus();
}

absl::Status XtrNode::remove_static_mapping(uint32_t instance_id, const net::IpPrefix& prefix) {
  if (auto status = control_.resolver().remove_static(instance_id, prefix); !status.ok()) {
    return status;
  }
  std::erase_if(config_.static_mappings, [&](const dataplane::Mapping& old) {
    return old.instance_id == instance_id && old.prefix == prefix;
  });
  log::info("xtr", "lispctl: static mapping [%d]%s removed", instance_id, prefix.to_string());
  return absl::OkStatus();
}

size_t XtrNode::clear_map_cache(const std::optional<std::pair<uint32_t, net::IpPrefix>>& only) {
  const size_t cleared = control_.resolver().clear(only);
  log::info("xtr", "lispctl: %d map-cache entries cleared", cleared);
  reschedule();
  return cleared;
}

void XtrNode::register_now() {
  control_.registrar().register_now();
  log::info("xtr", "lispctl: registering with every Map-Server now");
  reschedule();
}

void XtrNode::add_commands(CommandRegistry& commands) const {
  add_xtr_commands(commands, dataplane_, state_, eid_mtu_, control_);
  add_xtr_node_shows(commands, *this);
}

void XtrNode::add_change_commands(CommandRegistry& commands) {
  add_xtr_change_commands(commands, *this);
}

void XtrNode::add_counters(CounterRegistry& counters) const {
  add_xtr_counters(counters, dataplane_, control_);
  const XtrNodeCounters& mine = counters_;
  counters.add("xtr", "control_held",
               "control messages that waited for a route out of an RLOC (none yet)",
               [&mine] { return mine.control_held; });
  counters.add("xtr", "control_held_dropped", "of those, dropped: the waiting room was full",
               [&mine] { return mine.control_held_dropped; });
  counters.add("xtr", "infrastructure_misses",
               "misses for a Map-Server's, Map-Resolver's or Proxy-ETR's address, not resolved",
               [&mine] { return mine.infrastructure_misses; });
}

}  // namespace lispmob::control
