// libFuzzer target: KernelState::apply, rtnetlink datagrams as the kernel
// would send them. No crash, no read past the input, tables bounded.
#include <cstdlib>

#include "kni/kernel_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  static kni::KernelState state;  // kept across inputs, as a running lispd keeps it
  state.apply({data, size});
  if (state.links().size() > kni::KernelState::kMaxLinks ||
      state.addresses().size() > kni::KernelState::kMaxAddresses ||
      state.defaults().size() > kni::KernelState::kMaxDefaults ||
      state.neighbours().size() > kni::KernelState::kMaxNeighbours) {
    std::abort();
  }
  return 0;
}
