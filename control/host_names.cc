#include "control/host_names.h"

#include <netdb.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lispmob::control {

std::optional<net::IpAddress> HostNames::system_lookup(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* results = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &results) != 0) return std::nullopt;
  std::optional<net::IpAddress> first;
  for (const addrinfo* it = results; it != nullptr && !first; it = it->ai_next) {
    if (it->ai_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(it->ai_addr);
      std::array<uint8_t, 4> bytes;
      std::memcpy(bytes.data(), &v4->sin_addr, 4);
      first = net::IpAddress::v4(bytes);
    } else if (it->ai_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(it->ai_addr);
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), &v6->sin6_addr, 16);
      first = net::IpAddress::v6(bytes);
    }
  }
  freeaddrinfo(results);
  return first;
}

absl::StatusOr<std::unique_ptr<HostNames>> HostNames::start(Options options, Lookup lookup) {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return absl::InternalError(std::string("eventfd: ") + std::strerror(errno));
  std::unique_ptr<HostNames> names(new HostNames(options, std::move(lookup), fd));
  names->thread_ = std::thread([raw = names.get()] { raw->run(); });
  return names;
}

HostNames::HostNames(Options options, Lookup lookup, int event_fd)
    : options_(options), lookup_(std::move(lookup)), event_fd_(event_fd) {}

HostNames::~HostNames() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  close(event_fd_);
}

void HostNames::set_names(const std::vector<std::string>& names) {
  {
    std::lock_guard lock(mutex_);
    std::map<std::string, Name> next;
    for (const auto& name : names) {
      auto known = names_.find(name);
      // Each looked up again now; a known answer stays until a new one.
      next[name] = known != names_.end() ? Name{known->second.address, {}} : Name{};
    }
    names_ = std::move(next);
  }
  wake_.notify_all();
}

std::map<std::string, net::IpAddress> HostNames::take() {
  uint64_t ignored;
  (void)!read(event_fd_, &ignored, sizeof(ignored));
  std::lock_guard lock(mutex_);
  std::map<std::string, net::IpAddress> answers;
  for (const auto& [name, state] : names_) {
    if (state.address) answers.emplace(name, *state.address);
  }
  return answers;
}

std::vector<std::string> HostNames::unresolved() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, state] : names_) {
    if (!state.address) out.push_back(name);
  }
  return out;
}

// The lookup itself runs unlocked: a slow DNS server holds this thread only.
void HostNames::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::string> due;
    auto earliest = std::chrono::steady_clock::time_point::max();
    for (const auto& [name, state] : names_) {
      if (state.next_lookup <= now) {
        due = name;
        break;
      }
      earliest = std::min(earliest, state.next_lookup);
    }
    if (!due) {
      if (earliest == std::chrono::steady_clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, earliest);
      }
      continue;
    }
    lock.unlock();
    const auto answer = lookup_(*due);
    lock.lock();
    auto it = names_.find(*due);
    if (it == names_.end()) continue;  // forgotten meanwhile
    Name& state = it->second;
    const bool changed = answer && answer != state.address;
    if (answer) state.address = answer;
    state.next_lookup =
        std::chrono::steady_clock::now() + (state.address ? options_.refresh : options_.retry);
    if (changed) {
      const uint64_t one = 1;
      (void)!write(event_fd_, &one, sizeof(one));
    }
  }
}

}  // namespace lispmob::control
