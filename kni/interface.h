// A kernel interface's MTU, read and set by name (SIOCGIFMTU/SIOCSIFMTU):
// the RLOC links' MTUs bound what lmn0 may carry, and lispd sets lmn0's.
// Its MAC and its administrative state, for the lmn0 tap lispd creates.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lispmob::kni {

absl::StatusOr<uint32_t> interface_mtu(const std::string& name);
absl::Status set_interface_mtu(const std::string& name, uint32_t mtu);
absl::StatusOr<std::array<uint8_t, 6>> interface_mac(const std::string& name);
absl::Status set_interface_up(const std::string& name);

}  // namespace lispmob::kni
