// Every counter the control thread shows, declared once: its group (the
// part that owns it: "dataplane", "xtr", "map_server"), name, help text, kind and
// how to read it (the data plane's are summed across lcores by the read).
// lispctl's text and JSON and the Prometheus exposition all come from here.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "control/runtime/table.h"

namespace lispmob::control {

class CounterRegistry {
 public:
  enum class Kind { kCounter, kGauge };
  using Read = std::function<uint64_t()>;
  struct Counter {
    std::string group;
    std::string name;
    std::string help;
    Kind kind = Kind::kCounter;
    Read read;
  };

  // A name must be new within its group.
  void add(std::string group, std::string name, std::string help, Read read,
           Kind kind = Kind::kCounter);
  // The group's counters as name/value fields, in the order declared; the
  // text pads names to `width`.
  Fields fields(std::string_view group, int width) const;
  // Every counter in the Prometheus text format (version 0.0.4), named
  // lispmob_<group>_<name>, with _total after a counter's name.
  std::string prometheus() const;
  const std::vector<Counter>& counters() const { return counters_; }

  // One field of a role's counters struct, for add_fields().
  template <class Counters>
  struct Field {
    const char* name;
    const char* help;
    uint64_t Counters::*member;
  };
  // Each field of `owner.counters()` as a counter of `group`, in order.
  template <class Owner, class Counters>
  void add_fields(const char* group, const Owner& owner, std::span<const Field<Counters>> fields) {
    for (const auto& field : fields) {
      add(group, field.name, field.help,
          [&owner, member = field.member] { return owner.counters().*member; });
    }
  }

 private:
  std::vector<Counter> counters_;
};

}  // namespace lispmob::control
