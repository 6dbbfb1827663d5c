// Host names in the config (a Map-Server, Map-Resolver or Proxy-ITR given
// as "ms.example.net") resolved without holding the event loop: lookups
// run on a thread of their own, and an eventfd the loop watches becomes
// readable when what a name resolves to has changed. Each name is looked
// up again every `refresh`, and one that has no answer yet every `retry`;
// a name keeps its last address while its lookups fail (a DNS outage
// must not take the Map-Server away).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net/ip_address.h"

namespace lispmob::control {

class HostNames {
 public:
  using Lookup = std::function<std::optional<net::IpAddress>(const std::string& name)>;
  struct Options {
    std::chrono::milliseconds refresh{std::chrono::minutes(1)};
    std::chrono::milliseconds retry{std::chrono::seconds(5)};
  };
  // The system's resolver (getaddrinfo: /etc/hosts, then DNS): the first
  // address it gives, in its RFC 6724 order.
  static std::optional<net::IpAddress> system_lookup(const std::string& name);

  static absl::StatusOr<std::unique_ptr<HostNames>> start(Options options,
                                                          Lookup lookup = system_lookup);
  ~HostNames();
  HostNames(const HostNames&) = delete;
  HostNames& operator=(const HostNames&) = delete;

  // The names to follow (at start and at each reload): every one is looked
  // up again at once, keeping its last answer until a new one comes; names
  // no longer given are forgotten.
  void set_names(const std::vector<std::string>& names);
  // Readable when an answer changed since the last take().
  int fd() const { return event_fd_; }
  // The answers now, name -> address, and clears fd()'s readiness.
  std::map<std::string, net::IpAddress> take();
  // The names that have had no answer yet.
  std::vector<std::string> unresolved() const;

 private:
  struct Name {
    std::optional<net::IpAddress> address;
    std::chrono::steady_clock::time_point next_lookup{};
  };
  HostNames(Options options, Lookup lookup, int event_fd);
  void run();

  const Options options_;
  const Lookup lookup_;
  const int event_fd_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Name> names_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lispmob::control
