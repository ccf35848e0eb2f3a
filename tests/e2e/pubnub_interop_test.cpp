// The interop proof of issue 13, in one test: a player on the official PubNub SDK
// (tests/pubnub/sdk_player.js, npm pubnub 12.0.3) against clawd and clawcab on
// broker.kind = pubnub through the PubNub fixture. It joins over HTTP, subscribes
// with presence (clawd grants only a present player, so control proves clawd saw
// it), gets {"control":true} from clawcab, steers the simulated gantry, and is
// refused with Access Manager's 403 on another player's channel. Where the SDK and
// the fixture disagree, this fails: the SDK is right.
#include "tests/e2e/cluster_test.hpp"

#include <gtest/gtest.h>

namespace clawnet::e2e {
namespace {

class PubnubInteropTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (prod::testing::find_node().empty()) GTEST_SKIP() << "node not found: install Node.js";
  }
};

TEST_F(PubnubInteropTest, TheSdkJoinsIsPresentGetsControlSteersAndIsRefusedElsewhere) {
  ASSERT_NO_FATAL_FAILURE(start({.transport = ClusterTransport::pubnub, .turn_ms = 20000}));
  Player player = cluster_->join();
  Player other = cluster_->join();
  ASSERT_TRUE(player.wait_control().has_value()) << cluster_->logs();

  std::size_t from = cluster_->clawcab().line_count();
  player.process->write_line("hold rightOn");
  ASSERT_TRUE(clawcab_line("gpio: motor gantry_right on", from).has_value()) << cluster_->logs();
  from = cluster_->clawcab().line_count();
  player.process->write_line("release rightOff");
  ASSERT_TRUE(clawcab_line("gpio: motor gantry_right off", from).has_value()) << cluster_->logs();

  const std::size_t before = player.process->line_count();
  player.process->write_line("pub " + other.topic() + R"( {"command":"drop","turn":1,"seq":1})");
  EXPECT_EQ(player.wait_puback(other.topic(), before), 403) << cluster_->logs();
  // clawd's words to the player on that channel (its position, before the claw
  // subscribed) are not the player's: the claw must not take them for commands.
  for (const OutputLine& line : cluster_->clawcab().lines()) {
    EXPECT_EQ(line.text.find("player message"), std::string::npos) << line.text;
  }
}

}  // namespace
}  // namespace clawnet::e2e
