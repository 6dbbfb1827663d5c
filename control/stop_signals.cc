#include "control/stop_signals.h"

#include <pthread.h>
#include <signal.h>

namespace lispmob::control {

void block_control_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

}  // namespace lispmob::control
