// ClawdMetrics fed by hand: gauges and counters set at scrape time from a
// snapshot, waits and turn durations from effects, with injected times.
#include "prod/clawd_metrics.hpp"
#include "prod/metrics_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace clawnet::prod {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(ClawdMetricsTest, ScrapeReadsTheSnapshot) {
  ClawdMetrics metrics;
  ClawdSnapshot snapshot;
  snapshot.queue_length = 3;
  snapshot.broker_link = true;
  snapshot.counters.joins_accepted = 5;
  snapshot.counters.turns_by_result.at(static_cast<std::size_t>(TurnResult::win)) = 2;
  snapshot.counters.players_unready = 4;
  metrics.refresh(snapshot);
  const HttpResponse response = metrics_response(metrics.registry());
  EXPECT_EQ(response.content_type, metrics_content_type);
  EXPECT_TRUE(has_line(response.body, "clawnet_queue_length 3")) << response.body;
  EXPECT_TRUE(has_line(response.body, "clawnet_broker_link 1")) << response.body;
  EXPECT_TRUE(has_line(response.body, "clawnet_joins_total{outcome=\"accepted\"} 5")) << response.body;
  EXPECT_TRUE(has_line(response.body, "clawnet_turns_total{result=\"win\"} 2")) << response.body;
  EXPECT_TRUE(has_line(response.body, "clawnet_turns_total{result=\"abandoned\"} 0")) << response.body;
  EXPECT_TRUE(has_line(response.body, "clawnet_ready_checks_total{answer=\"unready\"} 4")) << response.body;
  // Counters never go back, even if a snapshot says less.
  snapshot.counters.joins_accepted = 1;
  metrics.refresh(snapshot);
  EXPECT_TRUE(has_line(metrics_response(metrics.registry()).body, "clawnet_joins_total{outcome=\"accepted\"} 5"));
}

TEST(ClawdMetricsTest, WaitAndTurnDurationComeFromEffects) {
  ClawdMetrics metrics;
  metrics.on_effect(JoinReply{1, true, "p-a", 7, 0, ""}, 1'000);
  metrics.on_effect(JoinReply{2, true, "p-b", 8, 1, ""}, 2'000);
  metrics.on_effect(JoinReply{3, false, "", 0, 0, "full"}, 2'000);
  EXPECT_EQ(metrics.waits_tracked(), 2u);
  metrics.on_effect(PersistDeparture{8, DepartureReason::left}, 2'500);
  metrics.on_effect(PersistTurnStart{1, 7, 0}, 4'000);  // Waited 3 s.
  EXPECT_EQ(metrics.waits_tracked(), 0u);
  metrics.on_effect(PersistTurnEnd{1, 7, TurnOutcome::completed, TurnResult::loss, 0}, 24'000);  // 20 s.
  const std::string text = metrics_response(metrics.registry()).body;
  EXPECT_TRUE(has_line(text, "clawnet_wait_seconds_count 1")) << text;
  EXPECT_TRUE(has_line(text, "clawnet_wait_seconds_sum 3")) << text;
  EXPECT_TRUE(has_line(text, "clawnet_turn_duration_seconds_count 1")) << text;
  EXPECT_TRUE(has_line(text, "clawnet_turn_duration_seconds_sum 20")) << text;
}

}  // namespace
}  // namespace clawnet::prod
