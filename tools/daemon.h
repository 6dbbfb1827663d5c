// lispd -D and -P: detaching from the terminal and the pid file.
//
// The parent of a detached lispd waits until the child is serving (or has
// failed), so a start-up error still reaches the terminal and the exit
// status, and an init system with Type=forking finds the pid file once
// lispd answers. The child keeps the terminal's stderr until then.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace lispmob::tools {

class Daemon {
 public:
  // Forks and starts a new session. Returns in the child; the parent
  // exits 0 when the child reports ready(), 1 if it exits first.
  static absl::Status detach();
  // Tells the waiting parent (if any) that lispd is serving, and lets go
  // of the terminal: stdin, stdout and stderr become /dev/null.
  static void ready();
};

// The pid file: written when lispd is ready, removed when it stops. One
// that names a live lispd is refused rather than overwritten.
class PidFile {
 public:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  PidFile(const PidFile&) = delete;
  ~PidFile();
  // Refuses when the file names a process that is alive.
  absl::Status check() const;
  absl::Status write();

 private:
  std::string path_;
  bool written_ = false;
};

}  // namespace lispmob::tools
