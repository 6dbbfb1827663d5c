// A token bucket per source address, for the replies RFC 9301 §5.3 and §8.4
// ask Map-Resolvers and ETRs to rate-limit, and for SMRs. The table is
// bounded: when it is full, buckets that have refilled (idle sources) are
// dropped; if none has, the one seen longest ago goes. So a flood of
// spoofed sources costs a bounded amount of memory and no source is locked
// out for longer than one refill.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "common/net/ip_address.h"
#include "control/messages.h"

namespace lispmob::control {

class RateLimiter {
 public:
  // per_second <= 0: no limit.
  RateLimiter(double per_second, double burst, size_t max_sources = 65536);

  // True (and a token taken) if `source` may have one more now.
  bool allow(const net::IpAddress& source, TimePoint now);
  size_t sources() const { return buckets_.size(); }
  uint64_t refused() const { return refused_; }

 private:
  struct Bucket {
    double tokens;
    TimePoint last;
  };
  void make_room(TimePoint now);

  double per_second_;
  double burst_;
  size_t max_sources_;
  std::map<net::IpAddress, Bucket> buckets_;
  uint64_t refused_ = 0;
};

}  // namespace lispmob::control
