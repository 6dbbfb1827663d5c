#include "control/runtime/counter_registry.h"

#include <cassert>

#include "absl/strings/str_format.h"

namespace lispmob::control {

void CounterRegistry::add(std::string group, std::string name, std::string help, Read read,
                          Kind kind) {
  for ([[maybe_unused]] const auto& counter : counters_) {
    assert(counter.group != group || counter.name != name);
  }
  counters_.push_back({std::move(group), std::move(name), std::move(help), kind, std::move(read)});
}

Fields CounterRegistry::fields(std::string_view group, int width) const {
  Fields out(width);
  for (const auto& counter : counters_) {
    if (counter.group == group) out.add(counter.name, counter.read());
  }
  return out;
}

std::string CounterRegistry::prometheus() const {
  std::string out;
  for (const auto& counter : counters_) {
    // Prometheus' naming rules, as promtool checks them: a counter's name
    // ends in _total.
    const bool gauge = counter.kind == Kind::kGauge;
    const std::string name =
        absl::StrFormat("lispmob_%s_%s%s", counter.group, counter.name, gauge ? "" : "_total");
    absl::StrAppendFormat(&out, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", name, counter.help, name,
                          gauge ? "gauge" : "counter", name, counter.read());
  }
  return out;
}

}  // namespace lispmob::control
