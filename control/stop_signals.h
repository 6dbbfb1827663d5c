// SIGINT and SIGTERM as a file descriptor for a poll loop.
#pragma once

namespace lispmob::control {

// Blocks SIGINT and SIGTERM in the calling thread (threads started later
// inherit that, so call it before starting DPDK's) and returns a signalfd
// that becomes readable when one arrives; -1 on failure.
int stop_signal_fd();

}  // namespace lispmob::control
