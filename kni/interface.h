// A kernel interface's MTU, read and set by name (SIOCGIFMTU/SIOCSIFMTU):
// the RLOC links' MTUs bound what lmn0 may carry, and lispd sets lmn0's.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lispmob::kni {

absl::StatusOr<uint32_t> interface_mtu(const std::string& name);
absl::Status set_interface_mtu(const std::string& name, uint32_t mtu);

}  // namespace lispmob::kni
