// The ready check end to end (docs/protocol.md, "The ready check"): clawd with
// server.ready_ms asks the next player on its own channel, reads the answer there
// (the shipped broker rules let it), skips a player who never answers, and grants
// the one who does. Real mosquitto, clawd and clawcab; players as processes.
// Skips only when the mosquitto binary is missing.
#include "tests/e2e/cluster_test.hpp"

#include <gtest/gtest.h>

namespace clawnet::e2e {
namespace {

class ReadyCheckTest : public ClusterTest {};

TEST_F(ReadyCheckTest, AGhostIsSkippedAndThePlayerWhoAnswersIsGranted) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000, .ready_ms = 3000}));
  Player ghost = cluster_->join();
  Player live = cluster_->join();
  ASSERT_FALSE(HasFailure());
  // The ghost is asked (again and again, every resend) and never answers.
  const auto asked = player_line(ghost, R"("notice":"ready_check")");
  ASSERT_TRUE(asked.has_value()) << cluster_->logs();
  EXPECT_TRUE(player_line(ghost, R"("notice":"ready_check")", *asked + 1).has_value()) << "the question repeats";
  EXPECT_TRUE(player_line(ghost, R"({"departed":"unready"})").has_value()) << cluster_->logs();
  // The next player is asked, answers on its own channel, and gets the claw.
  const auto live_asked = player_line(live, R"("notice":"ready_check")");
  ASSERT_TRUE(live_asked.has_value()) << cluster_->logs();
  live.process->write_line("pub " + live.topic() + R"( {"ready":true})");
  EXPECT_TRUE(live.wait_control(*live_asked).has_value()) << cluster_->logs();
  EXPECT_FALSE(ghost.wait_control(0, std::chrono::milliseconds(0)).has_value()) << "a ghost never plays";
  const auto queue = cluster_->admin_queue();
  ASSERT_TRUE(queue.has_value());
  EXPECT_EQ(queue->at("length"), 0) << *queue;
}

}  // namespace
}  // namespace clawnet::e2e
