// RateLimiter: a token bucket per client key (an IP address), for the join API.
//
// Each key starts with `burst` tokens; a request takes one; tokens come back at
// `rate_per_s` per second up to `burst`. At most `keys_max` keys are tracked: when
// full, the least recently seen key is forgotten (it starts again with a full
// bucket, which errs on the side of serving a real user).
//
// Contract: try_take() is O(log keys_max); time is a parameter (milliseconds,
// never decreasing per call sequence; a smaller value is treated as no time
// passing). Not thread-safe.
#pragma once

#include "core/time.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <string_view>

namespace clawnet::prod {

class RateLimiter {
 public:
  // REQUIRES: rate_per_s >= 1, burst >= 1, keys_max >= 1.
  RateLimiter(std::int64_t rate_per_s, std::int64_t burst, std::size_t keys_max);

  // Returns 0 if a token was taken, else the milliseconds until one is available.
  std::int64_t try_take(std::string_view key, TimeMs now_ms);
  std::size_t keys_tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    // Tokens in thousandths, so refills are exact integers (rate * elapsed_ms).
    std::int64_t millitokens = 0;
    TimeMs refilled_ms = 0;
    std::list<std::string>::iterator recency;
  };
  std::int64_t rate_per_s_;
  std::int64_t burst_millitokens_;
  std::size_t keys_max_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::list<std::string> recency_;  // Front: most recently seen.
};

}  // namespace clawnet::prod
