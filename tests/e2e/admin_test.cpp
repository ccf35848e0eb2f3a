// The admin API end to end (docs/deploy.md, "Operating a cabinet"): the real
// clawd, clawcab and mosquitto, players as processes, the operator as HTTP
// requests with the bearer token from http.admin_token_file. Each action is seen
// where its user would see it: the players' messages, clawcab's GPIO log, the
// queue as GET /v1/admin/queue shows it, and across a restart of clawd.
// Skips only when the mosquitto binary is missing.
#include "tests/e2e/cluster_test.hpp"

#include <gtest/gtest.h>

namespace clawnet::e2e {
namespace {

class AdminTest : public ClusterTest {
 protected:
  // POSTs an action; returns its status, failing the test if nothing answered.
  int act(const std::string& action, const std::string& body = "") {
    const auto answer = cluster_->admin("POST", "/v1/admin/" + action, body);
    if (!answer) ADD_FAILURE() << "no answer to " << action;
    return answer ? answer->status : 0;
  }

  std::string queue_mode() {
    const auto queue = cluster_->admin_queue();
    return queue ? std::string(queue->at("mode").as_string()) : "?";
  }
};

TEST_F(AdminTest, EveryAdminRouteRefusesAMissingOrWrongToken) {
  ASSERT_NO_FATAL_FAILURE(start());
  for (const std::string path : {"/v1/admin/pause", "/v1/admin/estop", "/v1/admin/kick"}) {
    const auto missing = http_request(cluster_->http_port(), "POST", path);
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->status, 401) << path;
    const auto wrong = cluster_->admin("POST", path, "", "not-the-token-at-all");
    ASSERT_TRUE(wrong.has_value());
    EXPECT_EQ(wrong->status, 401) << path;
  }
  const auto queue = cluster_->admin("GET", "/v1/admin/queue", "", "x");
  ASSERT_TRUE(queue.has_value());
  EXPECT_EQ(queue->status, 401);
  EXPECT_EQ(queue_mode(), "running") << "a refused request changes nothing";
}

TEST_F(AdminTest, PauseHoldsTheQueueUntilResume) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_EQ(act("pause"), 200);
  Player player = cluster_->join();
  ASSERT_FALSE(HasFailure());
  const auto queue = cluster_->admin_queue();
  ASSERT_TRUE(queue.has_value());
  EXPECT_EQ(queue->at("mode"), "paused");
  EXPECT_EQ(queue->at("length"), 1) << *queue;
  EXPECT_TRUE(queue->at("turn").is_null()) << *queue;
  ASSERT_EQ(act("resume"), 200);
  EXPECT_TRUE(player.wait_control().has_value()) << cluster_->logs();
}

TEST_F(AdminTest, SkipEndsTheTurnAndTheNextPlayerIsGranted) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player first = cluster_->join();
  Player second = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  ASSERT_EQ(act("skip"), 200);
  EXPECT_TRUE(player_line(first, R"("result":"ended_by_server")").has_value());
  EXPECT_TRUE(second.wait_control().has_value()) << cluster_->logs();
  const auto nothing = cluster_->admin("POST", "/v1/admin/kick", R"({"ticket":999})");
  ASSERT_TRUE(nothing.has_value());
  EXPECT_EQ(nothing->status, 409) << nothing->body;
  const auto malformed = cluster_->admin("POST", "/v1/admin/kick", R"({"ticket":"two"})");
  ASSERT_TRUE(malformed.has_value());
  EXPECT_EQ(malformed->status, 400) << malformed->body;
}

TEST_F(AdminTest, KickRemovesAWaitingPlayerWhoIsNeverGranted) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player first = cluster_->join();
  Player kicked = cluster_->join();
  Player third = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  const auto before = cluster_->admin_queue();
  ASSERT_TRUE(before.has_value());
  const auto& waiting = before->at("waiting").as_array();
  ASSERT_EQ(waiting.size(), 2U) << *before;
  EXPECT_EQ(waiting[0].at("channel").as_string(), kicked.channel);
  const std::uint64_t ticket = waiting[0].at("ticket").to_number<std::uint64_t>();
  ASSERT_EQ(act("kick", R"({"ticket":)" + std::to_string(ticket) + "}"), 200);
  EXPECT_TRUE(player_line(kicked, R"({"departed":"kicked"})").has_value()) << "the player is told";
  const auto after = cluster_->admin_queue();
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->at("length"), 1) << *after;
  EXPECT_EQ(after->at("waiting").as_array()[0].at("channel").as_string(), third.channel);
  ASSERT_EQ(act("skip"), 200);
  EXPECT_TRUE(third.wait_control().has_value()) << cluster_->logs();
  EXPECT_FALSE(kicked.wait_control(0, std::chrono::milliseconds(0)).has_value());
}

// Mid drop cycle: the claw is lowering when the operator presses the e-stop. Every
// motor stops, the player's turn ends, nothing moves and nobody is granted until
// the reset; the stop outlives a restart of clawd.
TEST_F(AdminTest, EmergencyStopMidDropStopsEveryMotorUntilReset) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player first = cluster_->join();
  Player second = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  const std::size_t before_drop = cluster_->clawcab().line_count();
  first.process->write_line("cmd drop");
  const auto lowering = clawcab_line("gpio: motor claw_lower on", before_drop);
  ASSERT_TRUE(lowering.has_value()) << cluster_->logs();
  ASSERT_EQ(act("estop"), 200);
  const auto stopped = clawcab_line("emergency stop", *lowering);
  ASSERT_TRUE(stopped.has_value()) << cluster_->logs();
  EXPECT_TRUE(motors_on(cluster_->clawcab().lines(), *stopped + 1).empty());
  EXPECT_TRUE(player_line(first, R"("result":"ended_by_server")").has_value());
  EXPECT_EQ(queue_mode(), "stopped");
  ASSERT_EQ(act("resume"), 409) << "only reset lifts the stop";

  // clawd restarts: the queue is still stopped, and the claw still holds.
  cluster_->clawd().kill9();
  ASSERT_FALSE(cluster_->start_clawd().has_value());
  EXPECT_EQ(queue_mode(), "stopped");
  EXPECT_FALSE(second.wait_control(0, std::chrono::milliseconds(0)).has_value());
  EXPECT_TRUE(motors_on(cluster_->clawcab().lines(), cluster_->clawcab().line_count()).empty());

  ASSERT_EQ(act("reset"), 200);
  EXPECT_TRUE(second.wait_control().has_value()) << cluster_->logs();
}

}  // namespace
}  // namespace clawnet::e2e
