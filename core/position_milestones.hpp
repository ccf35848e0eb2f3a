// Which queue positions get a message when the queue moves.
//
// The seed told every queued player their position on every change: O(N)
// messages. We tell the players at ranks below limits::position_exact_ranks
// every change (exact), and beyond that only the players who land on a
// "milestone": a number with one significant digit (10, 20, ..., 90, 100, 200,
// ...). A player's shown position is therefore always >= its real rank (ranks
// only fall), exact near the front, and within one step (< 10x of a digit)
// further back. Messages per change: position_exact_ranks + 9 per decade.
#pragma once

#include <cstdint>

namespace clawnet {

// The step between milestones around `rank`: 10^(digits(rank) - 1), at least 1.
constexpr std::uint64_t milestone_step(std::uint64_t rank) {
  std::uint64_t step = 1;
  while (rank >= step * 10) step *= 10;
  return step;
}

constexpr bool is_milestone(std::uint64_t rank) { return rank % milestone_step(rank) == 0; }

// The smallest milestone >= rank.
constexpr std::uint64_t first_milestone_from(std::uint64_t rank) {
  std::uint64_t step = milestone_step(rank);
  return (rank + step - 1) / step * step;
}

// REQUIRES: is_milestone(rank).
constexpr std::uint64_t next_milestone(std::uint64_t rank) { return rank + milestone_step(rank); }

static_assert(first_milestone_from(95) == 100);
static_assert(first_milestone_from(101) == 200);
static_assert(next_milestone(90) == 100);
static_assert(next_milestone(100) == 200);
static_assert(is_milestone(7) && is_milestone(300) && !is_milestone(310));

}  // namespace clawnet
