// lispctl's MN/xTR commands (map-cache, lookup, map-servers, local,
// counters, control, metrics) and the counters behind them, registered
// over the parts of an XtrNode: each renders as text and JSON.
#pragma once

#include <string>

#include "control/runtime/command_registry.h"
#include "control/runtime/counter_registry.h"
#include "control/xtr/kernel_view.h"
#include "control/xtr/xtr_control.h"
#include "dataplane/api/dataplane.h"

namespace lispmob::control {

class XtrNode;

// lispctl's MN/xTR commands and counters over these parts (XtrNode's).
void add_xtr_commands(CommandRegistry& commands, const dataplane::Dataplane& dataplane,
                      const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                      const XtrControl& control);
void add_xtr_counters(CounterRegistry& counters, const dataplane::Dataplane& dataplane,
                      const XtrControl& control);

// The shows that need the whole node: map-resolvers, database-mappings.
void add_xtr_node_shows(CommandRegistry& commands, const XtrNode& node);

// lispctl's changes to a running node: add/remove static-mapping, clear
// map-cache, re-register.
void add_xtr_change_commands(CommandRegistry& commands, XtrNode& node);

// One command's answer over these parts, for tests.
std::string answer_xtr(const std::string& command, const dataplane::Dataplane& dataplane,
                       const dataplane::LocalState& state, const EidPortMtu& eid_mtu,
                       const XtrControl& control);

// "show counters", "show control" and "show metrics" over `counters`.
void add_counter_commands(CommandRegistry& commands, const CounterRegistry& counters);

}  // namespace lispmob::control
