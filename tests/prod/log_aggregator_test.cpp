// LogAggregator with an injected clock: first lines at once, one summary per
// reason per interval, reasons forgotten after a quiet interval, a bound on reasons.
#include "prod/log_aggregator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clawnet::prod {
namespace {

class LogAggregatorTest : public ::testing::Test {
 protected:
  std::vector<std::string> lines_;
  LogAggregator aggregator_{[this](std::string_view line) { lines_.emplace_back(line); }};
};

TEST(RejectionReasonTest, DropsTheVariableParts) {
  EXPECT_EQ(rejection_reason("rejected: player message: not JSON at 3"), "player message");
  EXPECT_EQ(rejection_reason("rejected: command seq 41 replayed"), "command seq # replayed");
  EXPECT_EQ(rejection_reason("rejected: message on p-0a1b while not controlled from it"),
            "message on # while not controlled from it");
  EXPECT_EQ(rejection_reason("rejected secure message: not a claw status: x"), "secure message");
  EXPECT_EQ(rejection_reason("gpio: motor gantry_up on"), std::nullopt);
  EXPECT_LE(rejection_reason("rejected: " + std::string(500, 'x'))->size(), LogAggregator::reason_bytes_max);
}

TEST_F(LogAggregatorTest, AFloodCostsOneLinePlusOneSummaryPerInterval) {
  for (int i = 0; i < 300; ++i) aggregator_.log_line("rejected: player message: not JSON", i);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "rejected: player message: not JSON");
  EXPECT_EQ(aggregator_.next_flush_ms(), aggregation_interval_ms);
  aggregator_.flush(aggregation_interval_ms - 1);
  EXPECT_EQ(lines_.size(), 1u);
  aggregator_.flush(aggregation_interval_ms);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1], "299 more rejected: player message (in 10 s)");
  // A quiet interval: forgotten, so the next one is logged in full at once.
  aggregator_.flush(2 * aggregation_interval_ms);
  EXPECT_EQ(lines_.size(), 2u);
  EXPECT_EQ(aggregator_.reasons_tracked(), 0u);
  EXPECT_EQ(aggregator_.next_flush_ms(), time_never);
  aggregator_.log_line("rejected: player message: again", 3 * aggregation_interval_ms);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[2], "rejected: player message: again");
}

TEST_F(LogAggregatorTest, ReasonsAreCountedApartAndOtherLinesPassAtOnce) {
  aggregator_.log_line("rejected: command seq 1 replayed", 0);
  aggregator_.log_line("rejected: command seq 2 replayed", 1);
  aggregator_.log_line("rejected: command rate limit", 2);
  aggregator_.log_line("rejected: command rate limit", 3);
  aggregator_.log_line("gpio: motor gantry_up on", 4);
  aggregator_.log_line("gpio: motor gantry_up on", 5);
  EXPECT_EQ(lines_, (std::vector<std::string>{"rejected: command seq 1 replayed", "rejected: command rate limit",
                                              "gpio: motor gantry_up on", "gpio: motor gantry_up on"}));
  aggregator_.flush(aggregation_interval_ms + 2);
  EXPECT_EQ(lines_.size(), 6u);
}

TEST_F(LogAggregatorTest, ReasonsBeyondTheBoundShareOneCount) {
  for (std::size_t i = 0; i < LogAggregator::reasons_max + 10; ++i) {
    aggregator_.log("reason " + std::string(i + 1, 'x'), "line", 0);
  }
  EXPECT_EQ(aggregator_.reasons_tracked(), LogAggregator::reasons_max);
  // reasons_max - 1 first lines, then other_reason's first; the rest are counted.
  EXPECT_EQ(lines_.size(), LogAggregator::reasons_max);
}

}  // namespace
}  // namespace clawnet::prod
