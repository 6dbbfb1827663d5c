#include "control/host_names.h"

#include <poll.h>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "control/xtr/xtr_config.h"

namespace lispmob::control {
namespace {

using std::chrono::milliseconds;

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

// A DNS the test controls: answers per name, changed while lookups run.
class FakeDns {
 public:
  void set(const std::string& name, std::optional<net::IpAddress> address) {
    std::lock_guard lock(mutex_);
    answers_[name] = address;
  }
  HostNames::Lookup lookup() {
    return [this](const std::string& name) {
      std::lock_guard lock(mutex_);
      lookups_++;
      auto it = answers_.find(name);
      return it == answers_.end() ? std::nullopt : it->second;
    };
  }
  int lookups() {
    std::lock_guard lock(mutex_);
    return lookups_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::optional<net::IpAddress>> answers_;
  int lookups_ = 0;
};

// Waits (bounded) until the event loop would be woken.
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 5000) == 1;
}

TEST(HostNamesTest, AnswersArriveThroughTheFdAndChangesAreFollowed) {
  FakeDns dns;
  dns.set("ms.example.net", ip("192.0.2.2"));
  auto names = HostNames::start({milliseconds(20), milliseconds(10)}, dns.lookup());
  ASSERT_TRUE(names.ok()) << names.status();
  HostNames& resolver = **names;
  resolver.set_names({"ms.example.net", "mr.example.net"});
  ASSERT_TRUE(readable(resolver.fd()));
  auto answers = resolver.take();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers.at("ms.example.net"), ip("192.0.2.2"));
  EXPECT_EQ(resolver.unresolved(), std::vector<std::string>{"mr.example.net"});

  // A name with no answer is retried; its first answer wakes the loop.
  dns.set("mr.example.net", ip("2001:db8::53"));
  ASSERT_TRUE(readable(resolver.fd()));
  answers = resolver.take();
  EXPECT_EQ(answers.at("mr.example.net"), ip("2001:db8::53"));
  // A renumbered Map-Server is followed at the next refresh.
  dns.set("ms.example.net", ip("192.0.2.3"));
  ASSERT_TRUE(readable(resolver.fd()));
  EXPECT_EQ(resolver.take().at("ms.example.net"), ip("192.0.2.3"));
  // A DNS outage keeps the last answer.
  dns.set("ms.example.net", std::nullopt);
  const int before = dns.lookups();
  while (dns.lookups() < before + 4) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(resolver.take().at("ms.example.net"), ip("192.0.2.3"));
  // Names no longer configured are forgotten.
  resolver.set_names({"mr.example.net"});
  EXPECT_EQ(resolver.take().count("ms.example.net"), 0u);
}

TEST(HostNamesTest, TheConfigUsesNamesOnceResolvedInTheFilesOrder) {
  XtrConfig config;
  config.map_server_hosts = {{"ms1.example.net", {{}, 1, 2, "k1", false}},
                             {"192.0.2.9", {{}, 0, 1, "k2", true}}};
  config.proxy_itr_hosts = {"pitr.example.net", "192.0.2.77"};
  EXPECT_EQ(host_names(config), (std::vector<std::string>{"ms1.example.net", "pitr.example.net"}));
  apply_host_names(config, {});
  ASSERT_EQ(config.map_servers.size(), 1u) << "the name waits for its answer";
  EXPECT_EQ(config.map_servers[0].address, ip("192.0.2.9"));
  EXPECT_EQ(config.map_resolvers, std::vector<net::IpAddress>{ip("192.0.2.9")})
      << "no map-resolver: the Map-Servers resolve";
  EXPECT_EQ(config.proxy_itrs, std::vector<net::IpAddress>{ip("192.0.2.77")});
  apply_host_names(config,
                   {{"ms1.example.net", ip("192.0.2.8")}, {"pitr.example.net", ip("192.0.2.66")}});
  ASSERT_EQ(config.map_servers.size(), 2u);
  EXPECT_EQ(config.map_servers[0].address, ip("192.0.2.8"));
  EXPECT_EQ(config.map_servers[0].key, "k1");
  EXPECT_EQ(config.map_servers[1].address, ip("192.0.2.9"));
  EXPECT_EQ(config.map_resolvers.size(), 2u);
  EXPECT_EQ(config.proxy_itrs, (std::vector<net::IpAddress>{ip("192.0.2.66"), ip("192.0.2.77")}));
}

}  // namespace
}  // namespace lispmob::control
