#include "prod/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace clawnet::prod {
namespace {

TEST(RateLimiter, BurstThenRefillAtTheRate) {
  RateLimiter limiter(2, 3, 100);  // 2 per second, bursts of 3.
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  EXPECT_EQ(limiter.try_take("a", 0), 500);  // One token per 500 ms.
  EXPECT_EQ(limiter.try_take("a", 200), 300);
  EXPECT_EQ(limiter.try_take("a", 500), 0);
  EXPECT_EQ(limiter.try_take("a", 500), 500);
}

TEST(RateLimiter, RefillStopsAtTheBurst) {
  RateLimiter limiter(1, 2, 100);
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  // A long quiet time gives back the burst, not more.
  EXPECT_EQ(limiter.try_take("a", 1'000'000'000'000), 0);
  EXPECT_EQ(limiter.try_take("a", 1'000'000'000'000), 0);
  EXPECT_EQ(limiter.try_take("a", 1'000'000'000'000), 1000);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1, 1, 100);
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  EXPECT_GT(limiter.try_take("a", 0), 0);
  EXPECT_EQ(limiter.try_take("b", 0), 0);
}

TEST(RateLimiter, TimeGoingBackwardsGivesNothing) {
  RateLimiter limiter(1, 1, 100);
  EXPECT_EQ(limiter.try_take("a", 5000), 0);
  EXPECT_EQ(limiter.try_take("a", 0), 1000);
  EXPECT_EQ(limiter.try_take("a", 5999), 1);
  EXPECT_EQ(limiter.try_take("a", 6000), 0);
}

TEST(RateLimiter, ForgetsTheLeastRecentlySeenKeyWhenFull) {
  RateLimiter limiter(1, 1, 2);
  EXPECT_EQ(limiter.try_take("a", 0), 0);
  EXPECT_EQ(limiter.try_take("b", 0), 0);
  EXPECT_GT(limiter.try_take("a", 0), 0);  // "a" is now the most recent.
  EXPECT_EQ(limiter.try_take("c", 0), 0);  // Evicts "b".
  EXPECT_EQ(limiter.keys_tracked(), 2u);
  EXPECT_GT(limiter.try_take("a", 0), 0);  // "a" was kept: still empty.
  EXPECT_EQ(limiter.try_take("b", 0), 0);  // "b" was forgotten: full again.
}

}  // namespace
}  // namespace clawnet::prod
