// QueueStore behaviour: what apply() records and what load() gives back, across reopen.
#include "store/queue_store.hpp"
#include "tests/store/store_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace clawnet::store_test {
namespace {

TEST(QueueStore, NewStoreLoadsEmpty) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  EXPECT_TRUE(stored.waiting.empty());
  EXPECT_FALSE(stored.open_turn.has_value());
  EXPECT_EQ(stored.next_ticket, 1u);
  EXPECT_EQ(stored.next_turn, 1u);
}

TEST(QueueStore, JoinsSurviveCloseAndReopen) {
  TempDir dir;
  {
    auto store = open_store(dir.file("queue.db"));
    ASSERT_TRUE(store);
    for (Ticket ticket = 1; ticket <= 3; ++ticket) join(*store, ticket);
  }
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{1, 2, 3}));
  EXPECT_FALSE(stored.open_turn.has_value());
  EXPECT_EQ(stored.next_ticket, 4u);
  EXPECT_EQ(stored.next_turn, 1u);
}

TEST(QueueStore, OrderKeptAcrossRestartWithDepartures) {
  TempDir dir;
  std::vector<Ticket> expected;
  {
    auto store = open_store(dir.file("queue.db"));
    ASSERT_TRUE(store);
    for (Ticket ticket = 1; ticket <= 50; ++ticket) join(*store, ticket);
    for (Ticket ticket = 1; ticket <= 50; ++ticket) {
      if (ticket % 3 == 0 || ticket % 7 == 0) {
        const auto reason = ticket % 2 == 0 ? DepartureReason::left : DepartureReason::presence_expired;
        apply_ok(*store, PersistDeparture{ticket, reason});
      } else {
        expected.push_back(ticket);
      }
    }
  }
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), expected);
  EXPECT_EQ(stored.next_ticket, 51u);
}

TEST(QueueStore, OpenTurnIsRecovered) {
  TempDir dir;
  {
    auto store = open_store(dir.file("queue.db"));
    ASSERT_TRUE(store);
    for (Ticket ticket = 1; ticket <= 3; ++ticket) join(*store, ticket);
    apply_ok(*store, PersistTurnStart{1, 1, 100});
    apply_ok(*store, PersistTurnEnd{1, 1, TurnOutcome::completed, TurnResult::loss, 200});
    apply_ok(*store, PersistTurnStart{2, 2, 300});
  }
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  ASSERT_TRUE(stored.open_turn.has_value());
  EXPECT_EQ(stored.open_turn->turn, 2u);
  EXPECT_EQ(stored.open_turn->player.ticket, 2u);
  EXPECT_EQ(stored.open_turn->player.channel, channel_of(2));
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{3}));
  EXPECT_EQ(stored.next_ticket, 4u);
  EXPECT_EQ(stored.next_turn, 3u);
}

TEST(QueueStore, CompletedAndServerEndedTurnsRemovePlayers) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  for (Ticket ticket = 1; ticket <= 3; ++ticket) join(*store, ticket);
  apply_ok(*store, PersistTurnStart{1, 1, 100});
  apply_ok(*store, PersistTurnEnd{1, 1, TurnOutcome::completed, TurnResult::loss, 200});
  apply_ok(*store, PersistTurnStart{2, 2, 300});
  apply_ok(*store, PersistTurnEnd{2, 2, TurnOutcome::ended_by_server, TurnResult::loss, 400});
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{3}));
  EXPECT_FALSE(stored.open_turn.has_value());
  EXPECT_EQ(stored.next_turn, 3u);
}

// Whatever a turn's outcome, its player has had its turn: it is never waiting again
// (a turn the claw lost is granted again by the server under the same turn number,
// never ended and requeued).
TEST(QueueStore, EveryTurnOutcomeEndsThePlayersPlaceInTheQueue) {
  for (int index = 0; index < turn_outcome_count; index += 1) {
    const auto outcome = static_cast<TurnOutcome>(index);
    SCOPED_TRACE(to_string(outcome));
    TempDir dir;
    auto store = open_store(dir.file("queue.db"));
    ASSERT_TRUE(store);
    join(*store, 1);
    join(*store, 2);
    apply_ok(*store, PersistTurnStart{1, 1, 100});
    apply_ok(*store, PersistTurnEnd{1, 1, outcome, TurnResult::loss, 150});
    const auto stored = load_store(*store);
    EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{2}));
    EXPECT_FALSE(stored.open_turn.has_value());
    EXPECT_EQ(stored.next_turn, 2u);
  }
}

TEST(QueueStore, PlayerWhoDepartsDuringTurnStaysGoneWhenItEnds) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  join(*store, 1);
  join(*store, 2);
  apply_ok(*store, PersistTurnStart{1, 1, 100});
  apply_ok(*store, PersistDeparture{1, DepartureReason::left});
  // The turn stays open (the server still has to end it) until its end is recorded.
  EXPECT_EQ(load_store(*store).open_turn->player.ticket, 1u);
  apply_ok(*store, PersistTurnEnd{1, 1, TurnOutcome::ended_by_server, TurnResult::loss, 150});
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{2}));
  EXPECT_FALSE(stored.open_turn.has_value());
}

TEST(QueueStore, NextNumbersCountDepartedAndPlayedPlayers) {
  TempDir dir;
  {
    auto store = open_store(dir.file("queue.db"));
    ASSERT_TRUE(store);
    for (Ticket ticket = 1; ticket <= 5; ++ticket) join(*store, ticket);
    apply_ok(*store, PersistDeparture{5, DepartureReason::presence_expired});
    apply_ok(*store, PersistTurnStart{7, 1, 100});
    apply_ok(*store, PersistTurnEnd{7, 1, TurnOutcome::completed, TurnResult::loss, 200});
  }
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{2, 3, 4}));
  EXPECT_EQ(stored.next_ticket, 6u);
  EXPECT_EQ(stored.next_turn, 8u);
}

// Each refused effect names its ticket or turn, and leaves the store as it was.
struct Refused {
  Effect effect;
  std::string message_part;
};

TEST(QueueStore, RefusesInconsistentEffectsAndKeepsState) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  for (Ticket ticket = 1; ticket <= 4; ++ticket) join(*store, ticket);
  apply_ok(*store, PersistDeparture{4, DepartureReason::left});
  apply_ok(*store, PersistTurnStart{1, 1, 100});
  apply_ok(*store, PersistTurnEnd{1, 1, TurnOutcome::completed, TurnResult::loss, 200});
  apply_ok(*store, PersistTurnStart{2, 2, 300});
  const auto before = load_store(*store);

  const auto too_big = static_cast<Ticket>(std::numeric_limits<std::int64_t>::max()) + 1;
  const std::vector<Refused> cases = {
      {PersistJoin{3, channel_of(9), 0}, "ticket 3 is already stored"},
      {PersistJoin{0, channel_of(9), 0}, "ticket 0 is out of range"},
      {PersistJoin{too_big, channel_of(9), 0}, "out of range"},
      {PersistJoin{9, channel_of(2), 0}, "channel p-0002 already belongs to ticket 2"},
      {PersistJoin{9, "not a channel", 0}, "ticket 9: 'not a channel' is not a player channel"},
      {PersistDeparture{42, DepartureReason::left}, "ticket 42 is not stored"},
      {PersistDeparture{4, DepartureReason::left}, "ticket 4 is departed"},
      {PersistDeparture{1, DepartureReason::left}, "ticket 1 is played"},
      {PersistTurnStart{3, 3, 400}, "turn 3 starts while turn 2 is open"},
      {PersistTurnStart{2, 3, 400}, "turn 2 is not after the last stored turn 2"},
      {PersistTurnEnd{1, 1, TurnOutcome::completed, TurnResult::loss, 400}, "turn 1 has already ended"},
      {PersistTurnEnd{5, 2, TurnOutcome::completed, TurnResult::loss, 400}, "turn 5 is not stored"},
      {PersistTurnEnd{2, 3, TurnOutcome::completed, TurnResult::loss, 400}, "turn 2 belongs to ticket 2, not 3"},
      {Log{"hello"}, "not a Persist* effect"},
  };
  for (const auto& refused : cases) {
    const auto error = store->apply(refused.effect);
    ASSERT_TRUE(error.has_value()) << describe(refused.effect);
    EXPECT_NE(error->message.find(refused.message_part), std::string::npos)
        << "got: " << error->message << "\nwanted: " << refused.message_part;
  }
  const auto after = load_store(*store);
  EXPECT_EQ(tickets_of(after.waiting), tickets_of(before.waiting));
  EXPECT_EQ(after.next_ticket, before.next_ticket);
  EXPECT_EQ(after.next_turn, before.next_turn);
  ASSERT_TRUE(after.open_turn.has_value());
  EXPECT_EQ(after.open_turn->turn, 2u);
  // The store still works after refusals.
  apply_ok(*store, PersistTurnEnd{2, 2, TurnOutcome::completed, TurnResult::loss, 500});
  apply_ok(*store, PersistTurnStart{3, 3, 600});
}

TEST(QueueStore, RefusesTurnForPlayerWhoIsNotWaiting) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  join(*store, 1);
  apply_ok(*store, PersistDeparture{1, DepartureReason::presence_expired});
  const auto departed = store->apply(PersistTurnStart{1, 1, 100});
  ASSERT_TRUE(departed.has_value());
  EXPECT_NE(departed->message.find("turn 1: ticket 1 is departed, not waiting"), std::string::npos)
      << departed->message;
  const auto unknown = store->apply(PersistTurnStart{1, 8, 100});
  ASSERT_TRUE(unknown.has_value());
  EXPECT_NE(unknown->message.find("ticket 8 is not stored"), std::string::npos) << unknown->message;
  EXPECT_EQ(load_store(*store).next_turn, 1u);
}

TEST(QueueStore, IsPersistentOnlyForPersistEffects) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->is_persistent(PersistJoin{}));
  EXPECT_TRUE(store->is_persistent(PersistDeparture{}));
  EXPECT_TRUE(store->is_persistent(PersistTurnStart{}));
  EXPECT_TRUE(store->is_persistent(PersistTurnEnd{}));
  EXPECT_TRUE(store->is_persistent(PersistAdminAction{}));
  EXPECT_FALSE(store->is_persistent(JoinReply{}));
  EXPECT_FALSE(store->is_persistent(Publish{}));
  EXPECT_FALSE(store->is_persistent(Log{}));
}

// The queue mode outlives a restart: the last *done* pause, resume, e-stop or
// reset decides it; refused actions, skips and kicks do not.
TEST(QueueStore, QueueModeLoadsFromTheLastDoneModeAction) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  const auto mode_after = [&](std::vector<PersistAdminAction> actions) {
    auto store = open_store(path);
    EXPECT_TRUE(store);
    for (const PersistAdminAction& action : actions) apply_ok(*store, action);
    store.reset();
    return load_store(*open_store(path)).mode;
  };
  EXPECT_EQ(mode_after({}), QueueMode::running);
  EXPECT_EQ(mode_after({{AdminAction::pause, 0, true, "paused", 10}}), QueueMode::paused);
  EXPECT_EQ(mode_after({{AdminAction::skip, 0, true, "ending turn 1", 20}}), QueueMode::paused);
  EXPECT_EQ(mode_after({{AdminAction::estop, 0, true, "stopped", 30}}), QueueMode::stopped);
  EXPECT_EQ(mode_after({{AdminAction::resume, 0, false, "reset it first", 40}}), QueueMode::stopped);
  EXPECT_EQ(mode_after({{AdminAction::reset, 0, true, "reset", 50}}), QueueMode::running);
}

TEST(QueueStore, AdminActionsAndKicksAreKept) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  join(*store, 1);
  join(*store, 2);
  apply_ok(*store, PersistDeparture{1, DepartureReason::kicked});
  apply_ok(*store, PersistAdminAction{AdminAction::kick, 1, true, "#1 removed from the queue", 70});
  apply_ok(*store, PersistAdminAction{AdminAction::kick, 9, false, "no player #9", 80});
  EXPECT_EQ(tickets_of(load_store(*store).waiting), (std::vector<Ticket>{2}));
  const auto zero = store->apply(PersistAdminAction{AdminAction::kick, 0, true, "", 90});
  EXPECT_FALSE(zero.has_value()) << "ticket 0 means no ticket: " << zero->message;
}

}  // namespace
}  // namespace clawnet::store_test
