// The signals the control thread's event loop handles.
#pragma once

namespace lispmob::control {

// Blocks SIGINT, SIGTERM (stop) and SIGHUP (reload) in the calling thread.
// Threads started later inherit the mask, so call it before DPDK starts
// its own: then only the event loop's signalfd receives them.
void block_control_signals();

}  // namespace lispmob::control
