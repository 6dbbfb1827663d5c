#include "control/rate_limiter.h"

#include <algorithm>

namespace lispmob::control {

RateLimiter::RateLimiter(double per_second, double burst, size_t max_sources)
    : per_second_(per_second), burst_(std::max(burst, 1.0)), max_sources_(max_sources) {}

bool RateLimiter::allow(const net::IpAddress& source, TimePoint now) {
  if (per_second_ <= 0) return true;
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_sources_) make_room(now);
    it = buckets_.emplace(source, Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.last).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.last = now;
  if (bucket.tokens < 1) {
    refused_++;
    return false;
  }
  bucket.tokens -= 1;
  return true;
}

void RateLimiter::make_room(TimePoint now) {
  // A bucket that would be full again now carries no state worth keeping.
  const auto refill = std::chrono::duration<double>(burst_ / per_second_);
  std::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.last >= refill; });
  if (buckets_.size() < max_sources_) return;
  auto oldest =
      std::min_element(buckets_.begin(), buckets_.end(),
                       [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
  buckets_.erase(oldest);
}

}  // namespace lispmob::control
