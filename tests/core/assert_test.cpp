// CLAWNET_ASSERT runs in every build, the dev and release presets included, where
// NDEBUG compiles `assert` out; a broken invariant of a machine aborts the process
// with the file, the line and the fact that broke.
#include "core/assert.hpp"

#include "core/claw_machine.hpp"
#include "core/player_queue.hpp"
#include "core/server_machine.hpp"

#include <gtest/gtest.h>

#include <cassert>

namespace clawnet {
namespace {

TEST(AssertDeathTest, AbortsWithFileLineAndConditionEvenWhereAssertIsCompiledOut) {
#ifdef NDEBUG
  assert(1 + 1 == 3);  // Compiled out here (dev, release): this line does nothing.
#endif
  EXPECT_DEATH(CLAWNET_ASSERT(1 + 1 == 3), "clawnet: assertion failed at .*assert_test\\.cpp:[0-9]+: 1 \\+ 1 == 3");
}

TEST(AssertDeathTest, HoldingConditionDoesNothing) {
  int evaluated = 0;
  CLAWNET_ASSERT((evaluated += 1) == 1);
  EXPECT_EQ(evaluated, 1);
}

TEST(AssertDeathTest, DebugAssertRunsOnlyWithoutNdebug) {
  int evaluated = 0;
  if constexpr (debug_assertions) {
    EXPECT_DEATH(CLAWNET_DEBUG_ASSERT((evaluated += 1) == 0), "assertion failed at .*: \\(evaluated \\+= 1\\) == 0");
  } else {
    CLAWNET_DEBUG_ASSERT((evaluated += 1) == 0);
    EXPECT_EQ(evaluated, 0);  // Not even evaluated.
  }
}

// A stored queue whose open turn is not below next_turn breaks invariant 2 (turn
// numbers only grow): the store promised otherwise, so the server stops.
TEST(AssertDeathTest, ServerRestoringATurnNumberNotBelowNextTurnAborts) {
  StoredQueue stored;
  stored.open_turn = StoredTurn{7, StoredPlayer{1, "p-a1"}};
  stored.next_ticket = 2;
  stored.next_turn = 7;
  ServerMachine server{ServerConfig{}};
  EXPECT_DEATH(server.handle_start(stored, 0), "assertion failed at .*server_bookkeeping\\.cpp:[0-9]+: "
                                               "stored.open_turn->turn < next_turn");
}

TEST(AssertDeathTest, QueueInsertingATicketTwiceAborts) {
  PlayerQueue queue;
  queue.insert(1, "p-a1", true);
  EXPECT_DEATH(queue.insert(1, "p-a2", true), "assertion failed at .*player_queue\\.cpp:[0-9]+: ticket_new");
}

TEST(AssertDeathTest, ClawWithAnInvalidConfigAborts) {
  ClawConfig config;
  config.deadman_ms = 0;
  ASSERT_TRUE(validate(config).has_value());
  EXPECT_DEATH(ClawMachine{config}, "assertion failed at .*claw_machine\\.cpp:[0-9]+: !validate\\(config\\)");
}

}  // namespace
}  // namespace clawnet
