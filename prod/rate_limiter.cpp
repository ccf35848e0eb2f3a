#include "prod/rate_limiter.hpp"

#include <algorithm>
#include <cassert>

namespace clawnet::prod {

namespace {
constexpr std::int64_t milli = 1000;
}

RateLimiter::RateLimiter(std::int64_t rate_per_s, std::int64_t burst, std::size_t keys_max)
    : rate_per_s_(rate_per_s), burst_millitokens_(burst * milli), keys_max_(keys_max) {
  assert(rate_per_s >= 1);
  assert(burst >= 1);
  assert(keys_max >= 1);
}

std::int64_t RateLimiter::try_take(std::string_view key, TimeMs now_ms) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() == keys_max_) {
      buckets_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.emplace_front(key);
    it = buckets_.emplace(std::string(key), Bucket{burst_millitokens_, now_ms, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
  }
  Bucket& bucket = it->second;
  const std::int64_t elapsed_ms = std::max<std::int64_t>(0, now_ms - bucket.refilled_ms);
  // rate tokens/s = rate millitokens/ms. Cap elapsed time first so the product cannot overflow.
  const std::int64_t refill_ms_max = burst_millitokens_ / rate_per_s_ + 1;
  bucket.millitokens = std::min(burst_millitokens_, bucket.millitokens + std::min(elapsed_ms, refill_ms_max) * rate_per_s_);
  bucket.refilled_ms = std::max(bucket.refilled_ms, now_ms);
  if (bucket.millitokens >= milli) {
    bucket.millitokens -= milli;
    return 0;
  }
  const std::int64_t missing = milli - bucket.millitokens;
  return (missing + rate_per_s_ - 1) / rate_per_s_;
}

}  // namespace clawnet::prod
