// Properties of the milestone functions that bound position messages: every
// rank beyond the exact ones reaches a milestone within one step, milestones
// are found exhaustively by brute force, and a change costs few messages.
#include "core/position_milestones.hpp"

#include "core/limits.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace clawnet {
namespace {

constexpr std::uint64_t exact_ranks = limits::position_exact_ranks;

// A milestone by its definition: one significant digit (or below 10).
bool has_one_significant_digit(std::uint64_t rank) {
  while (rank >= 10 && rank % 10 == 0) rank /= 10;
  return rank < 10;
}

std::uint64_t decimal_digits(std::uint64_t value) {
  std::uint64_t digits = 1;
  while (value >= 10) {
    value /= 10;
    digits += 1;
  }
  return digits;
}

// The ranks ServerMachine tells after a removal at `rank` from a queue now `size` long.
std::vector<std::uint64_t> ranks_told(std::uint64_t rank, std::uint64_t size) {
  std::vector<std::uint64_t> told;
  for (std::uint64_t r = rank; r < std::min(size, exact_ranks); r += 1) told.push_back(r);
  for (std::uint64_t m = first_milestone_from(std::max(rank, exact_ranks)); m < size; m = next_milestone(m)) {
    told.push_back(m);
  }
  return told;
}

TEST(PositionMilestones, StepIsThePowerOfTenOfTheLeadingDigit) {
  EXPECT_EQ(milestone_step(0), 1U);
  EXPECT_EQ(milestone_step(9), 1U);
  EXPECT_EQ(milestone_step(10), 10U);
  EXPECT_EQ(milestone_step(99), 10U);
  EXPECT_EQ(milestone_step(100), 100U);
  EXPECT_EQ(milestone_step(999'999), 100'000U);
  EXPECT_EQ(milestone_step(1'000'000), 1'000'000U);
}

TEST(PositionMilestones, IsMilestoneMatchesTheDefinition) {
  for (std::uint64_t rank = 0; rank <= 2'000'000; rank += 1) {
    ASSERT_EQ(is_milestone(rank), has_one_significant_digit(rank)) << rank;
  }
}

TEST(PositionMilestones, FirstMilestoneFromIsTheSmallestMilestoneAtOrAbove) {
  std::uint64_t next_up = 0;  // Smallest milestone >= rank, found walking down.
  for (std::uint64_t rank = 1'100'000; rank-- > 0;) {
    if (has_one_significant_digit(rank)) next_up = rank;
    if (rank >= 1'000'000) continue;  // next_up is exact only below the top decade.
    ASSERT_EQ(first_milestone_from(rank), next_up) << rank;
  }
}

TEST(PositionMilestones, NextMilestoneIsTheFollowingMilestone) {
  std::uint64_t previous = 0;
  for (std::uint64_t rank = 1; rank <= 2'000'000; rank += 1) {
    if (!has_one_significant_digit(rank)) continue;
    ASSERT_EQ(next_milestone(previous), rank) << previous;
    previous = rank;
  }
}

// A player who moves forward one place at a time lands on a milestone within
// milestone_step(rank) moves, so its shown position is never more than one
// step stale.
TEST(PositionMilestones, EveryRankBeyondTheExactOnesHitsAMilestoneWithinOneStep) {
  for (std::uint64_t rank = exact_ranks; rank <= 2'000'000; rank += 1) {
    const std::uint64_t step = milestone_step(rank);
    const std::uint64_t first = first_milestone_from(rank);
    ASSERT_GE(first, rank);
    ASSERT_LT(first - rank, step) << rank;
    if (rank > 2'000 && rank % 10'007 != 0) continue;  // Walk a sample of the big ranks.
    // Walking forward from `rank`, the first milestone reached is within a step.
    std::uint64_t moves = 0;
    std::uint64_t at = rank;
    while (!is_milestone(at)) {
      at -= 1;
      moves += 1;
    }
    ASSERT_LT(moves, step) << rank;
  }
}

TEST(PositionMilestones, MessagesPerRemovalAreBounded) {
  for (std::uint64_t size : {1ULL, 9ULL, 10ULL, 11ULL, 1'000ULL, 100'000ULL, 1'000'000ULL}) {
    // Nine milestones per decade beyond the exact ranks, plus the exact ranks.
    const std::uint64_t bound = exact_ranks + 9 * decimal_digits(size);
    std::uint64_t worst = 0;
    for (std::uint64_t rank = 0; rank < size; rank = rank < 100 ? rank + 1 : rank * 3 / 2) {
      const std::vector<std::uint64_t> told = ranks_told(rank, size);
      worst = std::max<std::uint64_t>(worst, told.size());
      ASSERT_TRUE(std::is_sorted(told.begin(), told.end()));
      ASSERT_TRUE(std::adjacent_find(told.begin(), told.end()) == told.end()) << "a rank told twice";
    }
    EXPECT_LE(worst, bound) << "size " << size;
  }
  EXPECT_EQ(ranks_told(0, 1'000'000).size(), exact_ranks + 45);  // 10..90, ..., 100000..900000
}

// Simulates the server's rule on a queue of shown positions: remove players and
// tell the ranks above; every player's shown position stays >= its rank, exact
// below the exact ranks, and at most the next milestone at or above its rank.
TEST(PositionMilestones, ShownPositionsStayWithinOneStepUnderRemovals) {
  std::vector<std::uint64_t> shown(5'000);
  for (std::uint64_t rank = 0; rank < shown.size(); rank += 1) shown[rank] = rank;
  std::uint64_t state = 12345;
  while (!shown.empty()) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint64_t removed = (state >> 33) % std::min<std::uint64_t>(shown.size(), (state >> 20) % 3 == 0 ? shown.size() : 3);
    shown.erase(shown.begin() + static_cast<std::ptrdiff_t>(removed));
    for (std::uint64_t rank : ranks_told(removed, shown.size())) shown[rank] = rank;
    for (std::uint64_t rank = 0; rank < shown.size(); rank += 1) {
      ASSERT_GE(shown[rank], rank);
      if (rank < exact_ranks) {
        ASSERT_EQ(shown[rank], rank);
      } else {
        ASSERT_LE(shown[rank], first_milestone_from(rank)) << "rank " << rank;
      }
    }
  }
}

}  // namespace
}  // namespace clawnet
