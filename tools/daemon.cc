#include "tools/daemon.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace lispmob::tools {
namespace {

int ready_pipe = -1;  // the child's end; -1 when not detached or told already

}  // namespace

absl::Status Daemon::detach() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t child = fork();
  if (child < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (child > 0) {
    ::close(ends[1]);
    char byte = 0;
    ssize_t n;
    do {
      n = ::read(ends[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    // EOF without the byte: the child failed and has said why on stderr.
    std::_Exit(n == 1 ? 0 : 1);
  }
  ::close(ends[0]);
  ready_pipe = ends[1];
  setsid();
  umask(022);
  // The caller made its paths absolute; "/" holds no mount busy.
  (void)!chdir("/");
  return absl::OkStatus();
}

void Daemon::ready() {
  log::end_start_up();
  if (ready_pipe < 0) return;
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    std::fflush(stdout);
    std::fflush(stderr);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    ::close(null);
  }
  const char byte = 1;
  (void)!::write(ready_pipe, &byte, 1);
  ::close(ready_pipe);
  ready_pipe = -1;
}

PidFile::~PidFile() {
  if (written_) ::unlink(path_.c_str());
}

absl::Status PidFile::check() const {
  std::ifstream file(path_);
  long pid = 0;
  if (!(file >> pid) || pid <= 0) return absl::OkStatus();  // none, or left unreadable
  if (pid != getpid() && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) {
    return absl::AlreadyExistsError(
        absl::StrCat("another lispd is running: pid file ", path_, " names process ", pid));
  }
  return absl::OkStatus();
}

absl::Status PidFile::write() {
  const std::string temporary = path_ + ".new";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << getpid() << "\n";
    if (!file.good()) {
      return absl::UnavailableError(absl::StrCat("pid file ", path_, ": ", std::strerror(errno)));
    }
  }
  // Renamed into place: a reader never sees a half-written file.
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("pid file ", path_, ": ", std::strerror(errno)));
  }
  written_ = true;
  return absl::OkStatus();
}

}  // namespace lispmob::tools
