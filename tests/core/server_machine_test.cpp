// ServerMachine: every transition of its table, states checked by name, driven
// only through the public API; effects inspected by decoding what is published.
#include "core/server_machine.hpp"

#include "core/limits.hpp"
#include "core/position_milestones.hpp"
#include "tests/core/effect_inspection.hpp"
#include "tests/core/server_driver.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clawnet {
namespace {

using test::effects_of;
using test::messages_to;
using test::player;
using test::Server;
using test::test_config;

// Every queued player's shown position is >= its rank, exact below the exact
// ranks, and no further back than the first milestone at or above its rank.
void expect_positions_consistent(const ServerMachine& machine) {
  const PlayerQueue& queue = machine.queue();
  for (std::size_t rank = 0; rank < queue.size(); rank += 1) {
    const QueuedPlayer& queued = queue.at(rank);
    ASSERT_GE(queued.shown_position, rank) << queued.channel;
    if (rank < limits::position_exact_ranks) {
      ASSERT_EQ(queued.shown_position, rank) << queued.channel;
    } else {
      ASSERT_LE(queued.shown_position, first_milestone_from(rank)) << queued.channel << " at rank " << rank;
    }
  }
}

std::uint64_t decimal_digits(std::uint64_t value) {
  std::uint64_t digits = 1;
  while (value >= 10) {
    value /= 10;
    digits += 1;
  }
  return digits;
}

// --- Booting ---------------------------------------------------------------------------

TEST(ServerMachine, BootingToClawOfflineOnStart) {
  Server server;
  EXPECT_EQ(server.state(), "Booting");
  EXPECT_EQ(server.machine.next_deadline(), time_never);
  Effects& effects = server.start();
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_FALSE(server.machine.claw_online());
  EXPECT_EQ(server.machine.counters().rejected_events, 0U);
  // The claw's state is unknown: ask for it.
  EXPECT_EQ(messages_to<StatusRequest>(effects, secure_channel).size(), 1U);
}

TEST(ServerMachine, ClawOfflinePollsTheClawUntilItAnswers) {
  Server server;
  server.start();
  EXPECT_EQ(server.machine.next_deadline(), test_config().resend_ms);
  Effects& polled = server.advance_to(test_config().resend_ms);
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_EQ(messages_to<StatusRequest>(polled, secure_channel).size(), 1U);
  EXPECT_EQ(server.machine.counters().rejected_events, 0U);
  server.claw_ready(0);
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_EQ(server.machine.next_deadline(), time_never);  // Polling stopped.
}

TEST(ServerMachine, JoinsAreRefusedWhileBooting) {
  Server server;
  Effects& effects = server.join(player(1));
  std::vector<JoinReply> replies = effects_of<JoinReply>(effects);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_FALSE(replies[0].accepted);
  EXPECT_NE(replies[0].refusal.find("starting"), std::string::npos) << replies[0].refusal;
  EXPECT_EQ(replies[0].reason, JoinRefusal::starting);
  EXPECT_TRUE(effects_of<PersistJoin>(effects).empty());
  EXPECT_EQ(server.machine.counters().joins_refused, 1U);
  EXPECT_EQ(server.state(), "Booting");
}

TEST(ServerMachine, ClawEventsBeforeStartAreCountedRejections) {
  Server server;
  server.claw_ready(0);
  server.claw_offline();
  server.machine.handle_claw_presence(false, 0);
  EXPECT_EQ(server.state(), "Booting");
  EXPECT_EQ(server.machine.counters().rejected_events, 3U);
}

// --- ClawOffline / ClawIdle -------------------------------------------------------------

TEST(ServerMachine, ClawOfflineToClawIdleOnClawReady) {
  Server server;
  server.start();
  Effects& effects = server.claw_ready(0);
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_TRUE(server.machine.claw_online());
  std::vector<LobbyStatus> lobby = messages_to<LobbyStatus>(effects, lobby_channel);
  ASSERT_EQ(lobby.size(), 1U);
  EXPECT_EQ(lobby[0].claw, ClawStatus::ready);
}

TEST(ServerMachine, ClawIdleIgnoresRepeatedClawReady) {
  Server server;
  server.start_idle();
  Effects& effects = server.claw_ready(0);
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_TRUE(effects_of<Publish>(effects).empty());
  EXPECT_EQ(server.machine.counters().rejected_events, 0U);
}

TEST(ServerMachine, JoinIsDurableBeforeItIsAcknowledged) {
  Server server;
  server.start();
  server.join(player(1));
  Effects& effects = server.join(player(2));
  std::size_t persisted = test::index_of<PersistJoin>(effects, [](const PersistJoin&) { return true; });
  std::size_t replied = test::index_of<JoinReply>(effects, [](const JoinReply&) { return true; });
  ASSERT_LT(persisted, effects.size());
  ASSERT_LT(replied, effects.size());
  EXPECT_LT(persisted, replied);
  const JoinReply reply = std::get<JoinReply>(effects[replied]);
  EXPECT_TRUE(reply.accepted);
  EXPECT_EQ(reply.request, server.request);
  EXPECT_EQ(reply.channel, player(2));
  EXPECT_EQ(reply.ticket, 2U);
  EXPECT_EQ(reply.position, 1U);
  EXPECT_EQ(std::get<PersistJoin>(effects[persisted]).ticket, 2U);
}

TEST(ServerMachine, JoinRefusalsGiveAReason) {
  Server server;
  server.start_idle();
  server.join(player(1));  // Granted at once: the claw is idle.
  ASSERT_EQ(server.state(), "Granting");
  server.join(player(2));
  const std::vector<std::pair<std::string, JoinRefusal>> refused = {{"lobby", JoinRefusal::malformed_channel},
                                                                    {"p-XYZ", JoinRefusal::malformed_channel},
                                                                    {player(1), JoinRefusal::channel_in_use},
                                                                    {player(2), JoinRefusal::channel_in_use}};
  for (const auto& [channel, reason] : refused) {
    Effects& effects = server.join(channel, false);
    std::vector<JoinReply> replies = effects_of<JoinReply>(effects);
    ASSERT_EQ(replies.size(), 1U) << channel;
    EXPECT_FALSE(replies[0].accepted) << channel;
    EXPECT_FALSE(replies[0].refusal.empty()) << channel;
    EXPECT_EQ(replies[0].reason, reason) << channel;
  }
  EXPECT_EQ(server.machine.counters().joins_refused, 4U);
  EXPECT_EQ(server.machine.queue().size(), 1U);
}

TEST(ServerMachine, QueueBoundRefusesJoinsWithAReason) {
  ServerConfig config = test_config();
  config.queue_length_max = 3;
  Server server(config);
  server.start();
  for (std::uint64_t i = 0; i < 3; i += 1) server.join(player(i));
  Effects& effects = server.join(player(3));
  std::vector<JoinReply> replies = effects_of<JoinReply>(effects);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_FALSE(replies[0].accepted);
  EXPECT_NE(replies[0].refusal.find("full"), std::string::npos) << replies[0].refusal;
  EXPECT_NE(replies[0].refusal.find('3'), std::string::npos) << replies[0].refusal;
  EXPECT_EQ(replies[0].reason, JoinRefusal::queue_full);
  EXPECT_TRUE(effects_of<PersistJoin>(effects).empty());
  EXPECT_EQ(server.machine.queue().size(), 3U);
  EXPECT_EQ(server.machine.counters().joins_refused, 1U);
  // A place frees up: the next join is accepted, and the refusal used no ticket.
  server.leave(player(0));
  Effects& accepted = server.join(player(3));
  std::vector<JoinReply> later = effects_of<JoinReply>(accepted);
  ASSERT_EQ(later.size(), 1U);
  EXPECT_TRUE(later[0].accepted);
  EXPECT_EQ(later[0].ticket, 4U);
}

// --- Granting ---------------------------------------------------------------------------

TEST(ServerMachine, GrantNextListensForTheOldestPresentPlayerAndSkipsAbsentOnes) {
  Server server;
  server.start();
  server.join(player(0), false);  // Absent: keeps its place but is skipped.
  server.join(player(1));
  server.join(player(2));
  Effects& effects = server.claw_ready(0);
  EXPECT_EQ(server.state(), "Granting");
  const ChannelListen listen = server.listen();
  EXPECT_EQ(listen.channel, player(1));
  EXPECT_EQ(listen.turn, 1U);
  EXPECT_EQ(listen.turn_ms, test_config().turn_ms);
  std::vector<PersistTurnStart> starts = effects_of<PersistTurnStart>(effects);
  ASSERT_EQ(starts.size(), 1U);
  EXPECT_EQ(starts[0].turn, 1U);
  EXPECT_EQ(starts[0].ticket, 2U);
  ASSERT_TRUE(server.machine.open_turn().has_value());
  EXPECT_EQ(server.machine.open_turn()->channel, player(1));
  // The absent player still heads the queue; the one behind moved up and was told.
  EXPECT_EQ(server.machine.queue().at(0).channel, player(0));
  std::vector<Position> told = messages_to<Position>(effects, player(2));
  ASSERT_EQ(told.size(), 1U);
  EXPECT_EQ(test::shown(told[0]), test::Shown(1, true));
  EXPECT_TRUE(messages_to<Position>(effects, player(0)).empty());
}

TEST(ServerMachine, IdleClawIsGrantedAsSoonAsAPlayerIsPresent) {
  Server server;
  server.start_idle();
  server.join(player(0), false);
  EXPECT_EQ(server.state(), "ClawIdle");  // Nobody present yet.
  server.presence(player(0), PresenceKind::join);
  EXPECT_EQ(server.state(), "Granting");
  EXPECT_EQ(server.listen().channel, player(0));
}

TEST(ServerMachine, ClawControlledWithWrongTurnStaysGranting) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn + 1);
  EXPECT_EQ(server.state(), "Granting");
  server.claw_controlled(turn - 1);
  EXPECT_EQ(server.state(), "Granting");
  server.claw_controlled(turn);
  EXPECT_EQ(server.state(), "InTurn");
}

// "An event that does not fit the current state is a counted rejection": that
// includes events whose every row is refused by its guard.
TEST(ServerMachine, GuardRejectedEventsAreCounted) {
  Server server;
  server.start_with_players(1);
  server.claw_controlled(3);  // ClawOffline, no open turn to resume.
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn + 1);  // Granting, another turn.
  server.claw_controlled(turn);
  server.claw_controlled(turn + 1);  // InTurn, another turn.
  EXPECT_EQ(server.state(), "InTurn");
  EXPECT_EQ(server.machine.counters().rejected_events, 3U);
}

TEST(ServerMachine, ResendTimerResendsChannelListen) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const ChannelListen first = server.listen();
  const std::uint64_t sends = server.machine.counters().listens_sent;
  EXPECT_EQ(server.machine.next_deadline(), test_config().resend_ms);
  Effects& early = server.advance_to(test_config().resend_ms - 1);
  EXPECT_TRUE(early.empty()) << test::describe_all(early);
  server.advance_to(test_config().resend_ms);
  EXPECT_EQ(server.state(), "Granting");
  EXPECT_EQ(server.listen(), first);
  EXPECT_EQ(server.machine.counters().listens_sent, sends + 1);
  EXPECT_EQ(server.machine.next_deadline(), 2 * test_config().resend_ms);
}

TEST(ServerMachine, GrantingClawReadyForAnotherTurnRepeatsTheListen) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const ChannelListen first = server.listen();
  server.claw_ready(0);  // The claw had not yet heard the listen.
  EXPECT_EQ(server.state(), "Granting");
  EXPECT_EQ(server.listen(), first);
}

TEST(ServerMachine, GrantingClawReadyForTheTurnCompletesIt) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  Effects& effects = server.claw_ready(turn);  // E.g. the claw's subscription timed out.
  EXPECT_EQ(server.state(), "ClawIdle");
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::completed);
  EXPECT_FALSE(server.machine.open_turn().has_value());
}

// --- InTurn -----------------------------------------------------------------------------

TEST(ServerMachine, ClawReadyForTheTurnCompletesIt) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  server.claw_controlled(turn);  // A repeated acknowledgement is harmless.
  EXPECT_EQ(server.state(), "InTurn");
  Effects& effects = server.claw_ready(turn);
  EXPECT_EQ(server.state(), "ClawIdle");
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].turn, turn);
  EXPECT_EQ(ends[0].ticket, 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::completed);
  EXPECT_EQ(server.machine.counters().turns_completed, 1U);
  EXPECT_EQ(server.machine.counters().rejected_events, 0U);
  EXPECT_EQ(server.machine.next_deadline(), time_never);
}

TEST(ServerMachine, CompletedTurnGrantsTheNextPlayerWithANewTurn) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  const Turn first = server.listen().turn;
  server.claw_controlled(first);
  server.claw_ready(first);
  EXPECT_EQ(server.state(), "Granting");
  const ChannelListen next = server.listen();
  EXPECT_EQ(next.channel, player(1));
  EXPECT_GT(next.turn, first);
}

// Waits: the turn in progress counted whole, one average turn per player ahead;
// the average starts at turn_ms and follows the turns' real lengths (a quarter
// weight for the newest).
TEST(ServerMachine, PositionsCarryAnEstimatedWaitFromRecentTurnLengths) {
  Server server;
  server.start_with_players(3);
  Effects& granted = server.claw_ready(0);
  const TimeMs turn_ms = test_config().turn_ms;
  EXPECT_EQ(messages_to<Position>(granted, player(1)).at(0).wait_ms, turn_ms);
  EXPECT_EQ(messages_to<Position>(granted, player(2)).at(0).wait_ms, 2 * turn_ms);
  server.claw_controlled(server.listen().turn);
  server.now = 10'000;  // A short turn: the average falls by a quarter of the difference.
  Effects& next = server.claw_ready(1);
  const TimeMs average_ms = turn_ms + (10'000 - turn_ms) / 4;
  EXPECT_EQ(messages_to<Position>(next, player(2)).at(0).wait_ms, average_ms);
  std::vector<JoinReply> replies = effects_of<JoinReply>(server.join(player(3)));
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0].wait_ms, 2 * average_ms) << "one ahead, and the turn in progress";
}

TEST(ServerMachine, InTurnStopsResendingTheListen) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  server.claw_controlled(server.listen().turn);
  ASSERT_EQ(server.state(), "InTurn");
  // Answered: the only deadline left is the turn bound.
  EXPECT_EQ(server.machine.next_deadline(), test_config().turn_ms + test_config().turn_slack_ms);
  Effects& effects = server.advance_to(test_config().resend_ms);
  EXPECT_TRUE(messages_to<ChannelListen>(effects, secure_channel).empty());
  EXPECT_EQ(server.state(), "InTurn");
  EXPECT_EQ(server.machine.counters().rejected_events, 0U) << "the server's own resend timer fired in InTurn";
}

TEST(ServerMachine, ClawReadyWithAnotherTurnRegrantsTheSameTurnToTheSamePlayer) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  Effects& effects = server.claw_ready(0);  // The claw rebooted mid-turn and lost it.
  EXPECT_TRUE(effects_of<PersistTurnEnd>(effects).empty());
  EXPECT_TRUE(effects_of<PersistTurnStart>(effects).empty());
  EXPECT_EQ(server.machine.counters().turns_regranted, 1U);
  // Granted again at once, before the player waiting behind: the same turn,
  // which the rebooted claw takes as new.
  EXPECT_EQ(server.state(), "Granting");
  const ChannelListen again = server.listen();
  EXPECT_EQ(again.channel, player(0));
  EXPECT_EQ(again.turn, turn);
  EXPECT_EQ(server.machine.queue().at(0).channel, player(1));
}

// How each turn ended reaches the store, the player (when the server ended it)
// and the spectators on the lobby.
TEST(ServerMachine, EveryClosedTurnHasAResult) {
  Server server;
  server.start_with_players(4);
  auto closed_with = [&](Effects& effects) {
    std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
    EXPECT_EQ(ends.size(), 1U) << test::describe_all(effects);
    std::vector<TurnOver> over = messages_to<TurnOver>(effects, lobby_channel);
    EXPECT_EQ(over.size(), 1U);
    if (ends.empty() || over.empty()) return TurnResult::loss;
    EXPECT_EQ(over[0], (TurnOver{ends[0].turn, ends[0].result}));
    return ends[0].result;
  };
  // The claw's result stands: a win.
  server.claw_ready(0);
  Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  Effects& won = server.claw(ClawStatusMessage{ClawStatus::ready, turn, TurnResult::win});
  EXPECT_EQ(closed_with(won), TurnResult::win);
  EXPECT_TRUE(messages_to<Control>(won, player(0)).empty()) << "the claw tells its player, not the server";
  // The player leaves mid-turn: abandoned, and the player hears so.
  turn = server.listen().turn;
  server.claw_controlled(turn);
  server.leave(player(1));
  Effects& abandoned = server.claw_ready(turn);
  EXPECT_EQ(closed_with(abandoned), TurnResult::abandoned);
  EXPECT_EQ(messages_to<Control>(abandoned, player(1)).at(0).result, TurnResult::abandoned);
  // The server's own bound: ended by the server, unless the claw had dropped first.
  turn = server.listen().turn;
  server.claw_controlled(turn);
  server.advance_to(server.now + test_config().turn_ms + test_config().turn_slack_ms);
  Effects& limited = server.claw_ready(turn);
  EXPECT_EQ(closed_with(limited), TurnResult::ended_by_server);
  turn = server.listen().turn;
  server.claw_controlled(turn);
  server.advance_to(server.now + test_config().turn_ms + test_config().turn_slack_ms);
  Effects& dropped = server.claw(ClawStatusMessage{ClawStatus::ready, turn, TurnResult::timeout});
  EXPECT_EQ(closed_with(dropped), TurnResult::timeout);
  const std::array<std::uint64_t, turn_result_count> expected = {1, 0, 1, 1, 1};
  EXPECT_EQ(server.machine.counters().turns_by_result, expected);
}

TEST(ServerMachine, TurnLimitEndsTheTurn) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  const TimeMs limit_ms = test_config().turn_ms + test_config().turn_slack_ms;
  Effects& effects = server.advance_to(limit_ms);
  EXPECT_EQ(server.state(), "Ending");
  std::vector<EndTurn> end = messages_to<EndTurn>(effects, secure_channel);
  ASSERT_EQ(end.size(), 1U);
  EXPECT_EQ(end[0].turn, turn);
  // END_TURN repeats until the claw answers.
  EXPECT_EQ(server.machine.next_deadline(), limit_ms + test_config().resend_ms);
  Effects& resent = server.advance_to(limit_ms + test_config().resend_ms);
  EXPECT_EQ(messages_to<EndTurn>(resent, secure_channel).size(), 1U);
  EXPECT_EQ(server.state(), "Ending");
  // Late acknowledgements and departures change nothing while ending.
  server.claw_controlled(turn);
  server.presence(player(0), PresenceKind::leave);
  EXPECT_EQ(server.state(), "Ending");
  Effects& done = server.claw_ready(turn);
  EXPECT_EQ(server.state(), "ClawIdle");
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(done);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::ended_by_server);
  std::vector<Control> control = messages_to<Control>(done, player(0));
  ASSERT_EQ(control.size(), 1U);
  EXPECT_FALSE(control[0].granted);
  EXPECT_EQ(server.machine.counters().turns_ended_by_server, 1U);
  EXPECT_EQ(server.machine.next_deadline(), time_never);
}

TEST(ServerMachine, TurnLimitWhileGrantingEndsTheTurn) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  // The claw never answers: listens repeat until the turn bound.
  while (server.state() == "Granting") server.advance_to(server.machine.next_deadline());
  EXPECT_EQ(server.state(), "Ending");
  EXPECT_EQ(server.now, test_config().turn_ms + test_config().turn_slack_ms);
  EXPECT_EQ(messages_to<EndTurn>(server.effects, secure_channel).at(0).turn, turn);
}

TEST(ServerMachine, ControllerPresenceLeaveEndsTheTurn) {
  for (PresenceKind kind : {PresenceKind::leave, PresenceKind::timeout}) {
    Server server;
    server.start_with_players(1);
    server.claw_ready(0);
    const Turn turn = server.listen().turn;
    server.claw_controlled(turn);
    Effects& effects = server.presence(player(0), kind);
    EXPECT_EQ(server.state(), "Ending") << to_string(kind);
    std::vector<EndTurn> end = messages_to<EndTurn>(effects, secure_channel);
    ASSERT_EQ(end.size(), 1U);
    EXPECT_EQ(end[0].turn, turn);
  }
}

TEST(ServerMachine, ControllerLeavingWhileGrantingEndsTheTurn) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  Effects& effects = server.leave(player(0));
  EXPECT_EQ(server.state(), "Ending");
  EXPECT_EQ(messages_to<EndTurn>(effects, secure_channel).size(), 1U);
}

TEST(ServerMachine, ControllerPresenceJoinChangesNothing) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  server.claw_controlled(server.listen().turn);
  Effects& effects = server.presence(player(0), PresenceKind::join);
  EXPECT_EQ(server.state(), "InTurn");
  EXPECT_TRUE(effects.empty()) << test::describe_all(effects);
}

// --- CLAW_OFFLINE in each state ------------------------------------------------------------

TEST(ServerMachine, ClawOfflineWhileOfflineIsHarmless) {
  Server server;
  server.start();
  Effects& effects = server.claw_offline();
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_TRUE(effects_of<Publish>(effects).empty());
  EXPECT_EQ(server.machine.counters().rejected_events, 0U);
}

TEST(ServerMachine, ClawOfflineWhileIdlePausesTheQueueAndTellsTheLobby) {
  Server server;
  server.start_idle();
  Effects& effects = server.claw_offline();
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_FALSE(server.machine.claw_online());
  std::vector<LobbyStatus> lobby = messages_to<LobbyStatus>(effects, lobby_channel);
  ASSERT_EQ(lobby.size(), 1U);
  EXPECT_EQ(lobby[0].claw, ClawStatus::offline);
  // Paused: joins are kept but nobody is granted.
  server.join(player(0));
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_EQ(server.machine.queue().size(), 1U);
}

TEST(ServerMachine, ClawPresenceLossActsLikeClawOffline) {
  Server server;
  server.start_idle();
  server.machine.handle_claw_presence(true, server.now);  // Only absence is news.
  EXPECT_TRUE(server.take().empty());
  EXPECT_EQ(server.state(), "ClawIdle");
  server.machine.handle_claw_presence(false, server.now);
  Effects& effects = server.take();
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_EQ(messages_to<LobbyStatus>(effects, lobby_channel).size(), 1U);
}

// Offline while Granting or InTurn suspends the turn; the player keeps its place
// at the front and is granted first, with a new turn, when the claw returns.
TEST(ServerMachine, ClawOfflineWhileGrantingOrInTurnKeepsTheTurnOpenAndRegrantsIt) {
  for (bool controlled : {false, true}) {
    SCOPED_TRACE(controlled ? "InTurn" : "Granting");
    Server server;
    server.start_with_players(2);
    server.claw_ready(0);
    const Turn turn = server.listen().turn;
    if (controlled) server.claw_controlled(turn);
    Effects& effects = server.claw_offline();
    EXPECT_EQ(server.state(), "ClawOffline");
    ASSERT_TRUE(server.machine.open_turn().has_value());
    EXPECT_EQ(server.machine.open_turn()->turn, turn);
    EXPECT_TRUE(effects_of<PersistTurnEnd>(effects).empty());
    EXPECT_EQ(messages_to<LobbyStatus>(effects, lobby_channel).at(0).claw, ClawStatus::offline);
    // No turn timers are left; the server polls the claw for its status instead.
    EXPECT_EQ(messages_to<StatusRequest>(effects, secure_channel).size(), 1U);
    EXPECT_EQ(server.machine.next_deadline(), server.now + test_config().resend_ms);
    server.claw_ready(0);  // Back, rebooted: the turn was lost.
    EXPECT_EQ(server.state(), "Granting");
    EXPECT_EQ(server.listen().channel, player(0));
    EXPECT_EQ(server.listen().turn, turn);
  }
}

TEST(ServerMachine, ClawOfflineThenReadyForTheOpenTurnCompletesIt) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  server.claw_offline();
  Effects& effects = server.claw_ready(turn);  // It finished the turn while unseen.
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::completed);
  EXPECT_EQ(server.listen().channel, player(1));
}

// A presence blip: the claw was reported gone but kept serving the turn. Its
// answer to the status poll says so; the player must not get a second turn.
TEST(ServerMachine, ClawThatKeptServingThroughAPresenceBlipIsNotGrantedTwice) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  server.machine.handle_claw_presence(false, server.now);
  server.take();
  ASSERT_EQ(server.state(), "ClawOffline");
  server.advance_to(server.machine.next_deadline());  // The status poll.
  server.claw_controlled(turn);                       // "Still serving that turn."
  EXPECT_EQ(server.state(), "InTurn");
  server.claw_ready(turn);
  EXPECT_EQ(server.listen().channel, player(1)) << "the player of turn " << turn << " was granted a second turn";
}

TEST(ServerMachine, ClawOfflineWhileEndingClosesTheTurn) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  server.claw_controlled(server.listen().turn);
  server.leave(player(0));
  ASSERT_EQ(server.state(), "Ending");
  Effects& effects = server.claw_offline();
  EXPECT_EQ(server.state(), "ClawOffline");
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::ended_by_server);
  // The departed player is not granted again; the next one is.
  server.claw_ready(0);
  EXPECT_EQ(server.listen().channel, player(1));
}

TEST(ServerMachine, PlayerOfAPausedTurnWhoLeavesIsNotGrantedAgain) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  server.claw_controlled(server.listen().turn);
  server.claw_offline();
  Effects& effects = server.leave(player(0));
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::ended_by_server);
  EXPECT_FALSE(server.machine.open_turn().has_value());
  server.claw_ready(0);
  EXPECT_EQ(server.listen().channel, player(1));
}

// The claw's status is as unknown after the player left as before: the server goes
// on polling until the claw answers (docs/protocol.md), whichever way the player left.
TEST(ServerMachine, ControllerLeavingWhileTheClawIsOfflineKeepsThePollGoing) {
  const TimeMs resend_ms = test_config().resend_ms;
  for (bool by_presence : {false, true}) {
    SCOPED_TRACE(by_presence ? "presence timeout" : "leave request");
    Server server;
    server.start_with_players(2);
    server.claw_ready(0);
    server.claw_controlled(server.listen().turn);
    server.claw_offline();
    if (by_presence) {
      server.presence(player(0), PresenceKind::timeout);
    } else {
      server.leave(player(0));
    }
    EXPECT_EQ(server.state(), "ClawOffline");
    EXPECT_FALSE(server.machine.open_turn().has_value());
    EXPECT_LE(server.machine.next_deadline(), server.now + resend_ms);
    for (int poll = 1; poll <= 3; poll += 1) {
      Effects& polled = server.advance_to(server.now + resend_ms);
      EXPECT_EQ(messages_to<StatusRequest>(polled, secure_channel).size(), 1U) << "poll " << poll;
    }
    // The claw answers the poll at last: the queue goes on with the next player.
    server.claw_ready(0);
    EXPECT_EQ(server.listen().channel, player(1));
  }
}

// --- Grace -----------------------------------------------------------------------------------

TEST(ServerMachine, AbsentPlayerKeepsItsPlaceWithinGraceAndIsDroppedAfter) {
  const TimeMs grace_ms = test_config().grace_ms;
  Server server;
  server.start_with_players(2);
  const Ticket ticket = server.ticket_of(player(0));
  server.now = 1'000;
  server.presence(player(0), PresenceKind::leave);
  EXPECT_LE(server.machine.next_deadline(), 1'000 + grace_ms);
  Effects& within = server.advance_to(1'000 + grace_ms - 1);
  EXPECT_TRUE(effects_of<PersistDeparture>(within).empty()) << test::describe_all(within);
  EXPECT_EQ(server.machine.queue().rank_of(ticket), 0U);
  Effects& after = server.advance_to(1'000 + grace_ms);
  std::vector<PersistDeparture> departures = effects_of<PersistDeparture>(after);
  ASSERT_EQ(departures.size(), 1U);
  EXPECT_EQ(departures[0].ticket, ticket);
  EXPECT_EQ(departures[0].reason, DepartureReason::presence_expired);
  EXPECT_EQ(server.machine.queue().find(ticket), nullptr);
  // The player behind moved to the front and was told.
  EXPECT_EQ(test::shown(messages_to<Position>(after, player(1)).at(0)), test::Shown(0, true));
  EXPECT_EQ(messages_to<GetReady>(after, player(1)).size(), 1U);
}

TEST(ServerMachine, ReconnectWithinGraceKeepsThePlace) {
  const TimeMs grace_ms = test_config().grace_ms;
  Server server;
  server.start_with_players(2);
  server.presence(player(0), PresenceKind::timeout);
  server.now = grace_ms - 1;
  server.presence(player(0), PresenceKind::join);
  Effects& later = server.advance_to(10 * grace_ms);
  EXPECT_TRUE(effects_of<PersistDeparture>(later).empty()) << test::describe_all(later);
  EXPECT_EQ(server.machine.queue().size(), 2U);
  EXPECT_EQ(server.machine.queue().at(0).channel, player(0));
  EXPECT_TRUE(server.machine.queue().at(0).present);
}

TEST(ServerMachine, GraceStartsAtTheFirstAbsence) {
  const TimeMs grace_ms = test_config().grace_ms;
  Server server;
  server.start_with_players(1);
  server.presence(player(0), PresenceKind::leave);
  server.now = grace_ms / 2;
  server.presence(player(0), PresenceKind::timeout);  // Repeated absence: same deadline.
  EXPECT_TRUE(effects_of<PersistDeparture>(server.advance_to(grace_ms - 1)).empty());
  EXPECT_EQ(effects_of<PersistDeparture>(server.advance_to(grace_ms)).size(), 1U);
}

TEST(ServerMachine, JoinWithoutPresenceIsDroppedAfterGrace) {
  Server server;
  server.start();
  server.join(player(0), false);
  EXPECT_LE(server.machine.next_deadline(), test_config().grace_ms);
  EXPECT_TRUE(effects_of<PersistDeparture>(server.advance_to(test_config().grace_ms - 1)).empty());
  Effects& effects = server.advance_to(test_config().grace_ms);
  EXPECT_EQ(effects_of<PersistDeparture>(effects).size(), 1U);
  EXPECT_TRUE(server.machine.queue().empty());
}

TEST(ServerMachine, RejoinAfterBeingDroppedGoesToTheBack) {
  Server server;
  server.start_with_players(2);
  server.presence(player(0), PresenceKind::leave);
  server.advance_to(test_config().grace_ms);
  ASSERT_EQ(server.machine.queue().size(), 1U);
  Effects& effects = server.join(player(0));
  std::vector<JoinReply> replies = effects_of<JoinReply>(effects);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_TRUE(replies[0].accepted);
  EXPECT_EQ(replies[0].ticket, 3U);
  EXPECT_EQ(replies[0].position, 1U);
  EXPECT_EQ(server.machine.queue().at(1).channel, player(0));
}

TEST(ServerMachine, LeaveRemovesAQueuedPlayer) {
  Server server;
  server.start_with_players(3);
  Effects& effects = server.leave(player(1));
  std::vector<PersistDeparture> departures = effects_of<PersistDeparture>(effects);
  ASSERT_EQ(departures.size(), 1U);
  EXPECT_EQ(departures[0].reason, DepartureReason::left);
  EXPECT_EQ(server.machine.queue().size(), 2U);
  EXPECT_EQ(test::shown(messages_to<Position>(effects, player(2)).at(0)), test::Shown(1, true));
  EXPECT_TRUE(messages_to<Position>(effects, player(0)).empty());  // Ahead: unchanged.
}

// --- Restart -----------------------------------------------------------------------------------

// A restart tells what a change at the front would: every player near the front, and
// beyond only those on a milestone (rank 10 here); the others' last position stands.
TEST(ServerMachine, RestartTellsTheFrontAndTheMilestonesAndKeepsOrder) {
  StoredQueue stored;
  const std::vector<Ticket> tickets = {3, 5, 8, 9, 12, 14, 15, 16, 17, 18, 20, 21, 30};
  for (Ticket ticket : tickets) stored.waiting.push_back({ticket, player(ticket)});
  stored.next_ticket = 31;
  stored.next_turn = 4;
  Server server;
  Effects& effects = server.start(stored);
  EXPECT_EQ(server.state(), "ClawOffline");
  ASSERT_EQ(server.machine.queue().size(), tickets.size());
  for (std::size_t rank = 0; rank < tickets.size(); rank += 1) {
    EXPECT_EQ(server.machine.queue().at(rank).ticket, tickets[rank]);
    std::vector<Position> told = messages_to<Position>(effects, player(tickets[rank]));
    const bool on_milestone = rank == limits::position_exact_ranks;
    if (rank > limits::position_exact_ranks) {
      EXPECT_TRUE(told.empty()) << rank;
      continue;
    }
    ASSERT_EQ(told.size(), 1U) << rank;
    EXPECT_EQ(test::shown(told[0]), test::Shown(rank, !on_milestone));
  }
  expect_positions_consistent(server.machine);
  // Presence is unknown after a restart: players count once their presence returns.
  for (Ticket ticket : tickets) server.presence(player(ticket), PresenceKind::join);
  server.claw_ready(0);
  EXPECT_EQ(server.listen().channel, player(3));
  EXPECT_EQ(server.listen().turn, 4U);
  Effects& joined = server.join(player(99));
  EXPECT_EQ(effects_of<JoinReply>(joined).at(0).ticket, 31U);
}

TEST(ServerMachine, RestartWithAThousandQueuedSendsABoundedNumberOfPositions) {
  StoredQueue stored;
  for (Ticket ticket = 1; ticket <= 1'000; ticket += 1) stored.waiting.push_back({ticket, player(ticket)});
  stored.next_ticket = 1'001;
  Server server;
  Effects& effects = server.start(stored);
  // Ranks 0-9, then 10, 20, ..., 90 and 100, 200, ..., 900.
  EXPECT_EQ(test::messages_anywhere<Position>(effects).size(), 10U + 9U + 9U);
  expect_positions_consistent(server.machine);
}

TEST(ServerMachine, RestoredPlayersWhoNeverReturnAreDroppedAfterGrace) {
  StoredQueue stored;
  stored.waiting = {{1, player(1)}, {2, player(2)}};
  stored.next_ticket = 3;
  Server server;
  server.start(stored);
  server.presence(player(2), PresenceKind::join);
  Effects& effects = server.advance_to(test_config().grace_ms);
  std::vector<PersistDeparture> departures = effects_of<PersistDeparture>(effects);
  ASSERT_EQ(departures.size(), 1U);
  EXPECT_EQ(departures[0].ticket, 1U);
  EXPECT_EQ(server.machine.queue().size(), 1U);
}

// A store after a crash in turn 7 (player 2's), with player 3 waiting.
StoredQueue restored_turn_7_and_player_3() {
  StoredQueue stored;
  stored.open_turn = StoredTurn{7, {2, player(2)}};
  stored.waiting = {{3, player(3)}};
  stored.next_ticket = 4;
  stored.next_turn = 8;
  return stored;
}

TEST(ServerMachine, OpenTurnRestoredIsGrantedAgain) {
  StoredQueue stored = restored_turn_7_and_player_3();
  Server server;
  server.start(stored);
  EXPECT_EQ(server.state(), "ClawOffline");
  ASSERT_TRUE(server.machine.open_turn().has_value());
  server.presence(player(3), PresenceKind::join);
  server.claw_ready(6);
  EXPECT_EQ(server.state(), "Granting");
  const ChannelListen listen = server.listen();
  EXPECT_EQ(listen.channel, player(2));
  EXPECT_EQ(listen.turn, 7U);
  server.claw_controlled(7);
  EXPECT_EQ(server.state(), "InTurn");
  server.claw_ready(7);
  EXPECT_EQ(server.listen().channel, player(3));
  EXPECT_EQ(server.listen().turn, 8U);
}

// The server restarted while the claw kept serving the open turn: the claw's
// answer to the status poll picks the turn up where it is, under the turn bound.
TEST(ServerMachine, OpenTurnRestoredWhileTheClawStillServesItIsResumed) {
  StoredQueue stored = restored_turn_7_and_player_3();
  Server server;
  Effects& started = server.start(stored);
  EXPECT_EQ(messages_to<StatusRequest>(started, secure_channel).size(), 1U);
  server.presence(player(2), PresenceKind::join);  // The controller is still there.
  server.presence(player(3), PresenceKind::join);
  server.now = 500;
  Effects& resumed = server.claw_controlled(7);
  EXPECT_EQ(server.state(), "InTurn");
  EXPECT_EQ(messages_to<LobbyStatus>(resumed, lobby_channel).at(0).claw, ClawStatus::ready);
  EXPECT_TRUE(messages_to<ChannelListen>(resumed, secure_channel).empty());
  EXPECT_EQ(server.machine.next_deadline(), 500 + test_config().turn_ms + test_config().turn_slack_ms);
  server.claw_ready(7);
  EXPECT_EQ(server.machine.counters().turns_completed, 1U);
  EXPECT_EQ(server.listen().channel, player(3));
}

TEST(ServerMachine, RestoredOpenTurnWhosePlayerLeftIsNotGranted) {
  StoredQueue stored = restored_turn_7_and_player_3();
  Server server;
  server.start(stored);
  server.presence(player(3), PresenceKind::join);
  server.leave(player(2));  // Left while the claw was still offline.
  server.claw_ready(6);
  EXPECT_EQ(server.listen().channel, player(3)) << "a player who left was granted the claw";
  EXPECT_EQ(server.machine.counters().rejected_events, 0U);
}

// A restarted server does not know whether the player of its open turn is still
// there: like a waiting player, it must show its presence within grace_ms.
TEST(ServerMachine, RestoredOpenTurnWhosePlayerNeverShowsEndsAfterTheGrace) {
  StoredQueue stored = restored_turn_7_and_player_3();
  Server server;
  server.start(stored);
  server.presence(player(3), PresenceKind::join);
  server.now = 1'000;
  server.claw_controlled(7);
  ASSERT_EQ(server.state(), "InTurn");
  EXPECT_EQ(server.machine.next_deadline(), test_config().grace_ms);
  Effects& ended = server.advance_to(test_config().grace_ms);
  EXPECT_EQ(server.state(), "Ending");
  EXPECT_EQ(messages_to<EndTurn>(ended, secure_channel).at(0).turn, 7U);
  Effects& closed = server.claw_ready(7);
  ASSERT_EQ(effects_of<PersistTurnEnd>(closed).size(), 1U);
  EXPECT_EQ(effects_of<PersistTurnEnd>(closed)[0].outcome, TurnOutcome::ended_by_server);
  EXPECT_EQ(server.listen().channel, player(3));
}

TEST(ServerMachine, RestoredOpenTurnWhosePlayerShowsKeepsItsTurn) {
  StoredQueue stored;
  stored.open_turn = StoredTurn{7, {2, player(2)}};
  stored.next_ticket = 3;
  stored.next_turn = 8;
  Server server;
  server.start(stored);
  server.now = 5'000;
  server.presence(player(2), PresenceKind::join);
  server.claw_controlled(7);
  server.advance_to(test_config().grace_ms + 1);
  EXPECT_EQ(server.state(), "InTurn") << "a player who showed its presence lost its turn";
  EXPECT_EQ(server.machine.next_deadline(), 5'000 + test_config().turn_ms + test_config().turn_slack_ms);
}

// --- Rights -------------------------------------------------------------------------------

// The server says when it is done with a player, so a driver never infers it.
TEST(ServerMachine, EveryPlayerWhosePlaceEndsIsRevokedOnceAndNoOtherIs) {
  Server server;
  server.start_with_players(4);
  server.claw_ready(0);  // player(0) granted.
  ASSERT_EQ(server.listen().channel, player(0));
  EXPECT_TRUE(effects_of<RevokePlayer>(server.effects).empty()) << "a granted player was revoked";
  Effects& left = server.leave(player(2));
  ASSERT_EQ(effects_of<RevokePlayer>(left).size(), 1U);
  EXPECT_EQ(effects_of<RevokePlayer>(left)[0].channel, player(2));
  EXPECT_LT(test::index_of<PersistDeparture>(left, [](const PersistDeparture&) { return true; }),
            test::index_of<RevokePlayer>(left, [](const RevokePlayer&) { return true; }));
  const Turn turn = server.open_turn_number();
  server.claw_controlled(turn);
  Effects& done = server.claw_ready(turn);
  ASSERT_EQ(effects_of<RevokePlayer>(done).size(), 1U);
  EXPECT_EQ(effects_of<RevokePlayer>(done)[0].channel, player(0));
  EXPECT_EQ(server.listen().channel, player(1));
  server.presence(player(3), PresenceKind::timeout);
  Effects& expired = server.advance_to(server.now + test_config().grace_ms);
  ASSERT_EQ(effects_of<RevokePlayer>(expired).size(), 1U);
  EXPECT_EQ(effects_of<RevokePlayer>(expired)[0].channel, player(3));
  EXPECT_EQ(effects_of<PersistDeparture>(expired).at(0).reason, DepartureReason::presence_expired);
}

// --- Positions -----------------------------------------------------------------------------

TEST(ServerMachine, RemovalAtTheHeadTellsExactPositionsMilestonesAndGetReady) {
  Server server;
  server.start_with_players(30);
  Effects& effects = server.leave(player(0));
  // Ranks 0..9 exactly, then milestones 10 and 20, then "get ready" to the head.
  for (std::uint64_t rank = 0; rank < 29; rank += 1) {
    std::vector<Position> told = messages_to<Position>(effects, player(rank + 1));
    const bool expected_told = rank < limits::position_exact_ranks || rank == 10 || rank == 20;
    ASSERT_EQ(told.size(), expected_told ? 1U : 0U) << "rank " << rank;
    if (expected_told) {
      EXPECT_EQ(test::shown(told[0]), test::Shown(rank, rank < limits::position_exact_ranks));
    }
  }
  std::vector<GetReady> ready = messages_to<GetReady>(effects, player(1));
  EXPECT_EQ(ready.size(), 1U);
  EXPECT_EQ(test::messages_anywhere<GetReady>(effects).size(), 1U);
  EXPECT_EQ(test::publish_count(effects), limits::position_exact_ranks + 2 + 1);
  expect_positions_consistent(server.machine);
}

TEST(ServerMachine, GrantTellsTheNewHeadToGetReady) {
  Server server;
  server.start_with_players(3);
  Effects& effects = server.claw_ready(0);
  EXPECT_EQ(messages_to<GetReady>(effects, player(1)).size(), 1U);
  EXPECT_EQ(test::shown(messages_to<Position>(effects, player(1)).at(0)), test::Shown(0, true));
  EXPECT_EQ(test::shown(messages_to<Position>(effects, player(2)).at(0)), test::Shown(1, true));
}

// --- Get ready ----------------------------------------------------------------------------
// The seed: "Client waits for 0 then messages get ready". The head of the queue hears
// get_ready once, as soon as it is at the head and present (so subscribed, and able
// to hear it): whether the queue moved up under it or it joined an empty queue.

// Every input's effects, kept, for counting what a player heard over a whole story.
struct Transcript {
  Effects all;
  void add(const Effects& effects) { all.insert(all.end(), effects.begin(), effects.end()); }
  std::size_t get_ready_to(const std::string& channel) const { return messages_to<GetReady>(all, channel).size(); }
};

TEST(ServerMachine, PlayerWhoJoinsAnEmptyQueueWhileTheClawIsBusyIsToldToGetReadyOnce) {
  Server server;
  Transcript heard;
  server.start_idle();
  server.join(player(0));  // Granted at once.
  const Turn turn = server.listen().turn;
  heard.add(server.join(player(1), false));
  EXPECT_EQ(server.machine.queue().rank_of(server.ticket_of(player(1))), 0U);
  EXPECT_EQ(heard.get_ready_to(player(1)), 0U);  // Not subscribed yet: it could not hear it.
  Effects& present = server.presence(player(1), PresenceKind::join);
  EXPECT_EQ(messages_to<GetReady>(present, player(1)).size(), 1U) << test::describe_all(present);
  heard.add(present);
  // Neither a presence blip, nor the turn ahead going on and ending, tells it again.
  heard.add(server.presence(player(1), PresenceKind::timeout));
  heard.add(server.presence(player(1), PresenceKind::join));
  heard.add(server.claw_controlled(turn));
  heard.add(server.claw_ready(turn));
  EXPECT_EQ(server.listen().channel, player(1));
  EXPECT_EQ(heard.get_ready_to(player(1)), 1U) << test::describe_all(heard.all);
}

TEST(ServerMachine, PlayerWhoJoinsAnEmptyQueueWhileTheClawIsOfflineIsToldToGetReadyOnce) {
  Server server;
  server.start();
  Effects& effects = server.join(player(0));
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_EQ(messages_to<GetReady>(effects, player(0)).size(), 1U) << test::describe_all(effects);
  Effects& behind = server.join(player(1));
  EXPECT_TRUE(test::messages_anywhere<GetReady>(behind).empty());  // Not at the head.
}

// An idle claw grants a present player at once: it hears get_ready, then the claw
// is told to listen to it, in the same input.
TEST(ServerMachine, PlayerWhoJoinsAnIdleClawHearsGetReadyBeforeItsGrant) {
  Server server;
  server.start_idle();
  Effects& effects = server.join(player(0));
  const std::size_t ready = test::index_of<Publish>(effects, [](const Publish& publish) {
    return publish.channel == player(0) && test::decoded(publish) == Message{GetReady{}};
  });
  const std::size_t listen = test::index_of<Publish>(effects, [](const Publish& publish) {
    return publish.channel == secure_channel;
  });
  ASSERT_LT(ready, effects.size()) << test::describe_all(effects);
  ASSERT_LT(listen, effects.size()) << test::describe_all(effects);
  EXPECT_LT(ready, listen);
  EXPECT_EQ(messages_to<GetReady>(effects, player(0)).size(), 1U);
}

TEST(ServerMachine, HeadThatMovedUpWhileAbsentIsToldWhenItReturnsAndOnlyThen) {
  Server server;
  server.start_with_players(3);
  server.presence(player(1), PresenceKind::timeout);
  Effects& moved = server.leave(player(0));
  EXPECT_EQ(server.machine.queue().at(0).channel, player(1));
  EXPECT_EQ(test::shown(messages_to<Position>(moved, player(1)).at(0)), test::Shown(0, true));
  EXPECT_TRUE(test::messages_anywhere<GetReady>(moved).empty()) << test::describe_all(moved);
  Effects& back = server.presence(player(1), PresenceKind::join);
  EXPECT_EQ(messages_to<GetReady>(back, player(1)).size(), 1U);
  EXPECT_TRUE(test::messages_anywhere<GetReady>(server.presence(player(2), PresenceKind::join)).empty());
}

// Positions are told again after a restart, and so is get_ready, to the head,
// when the presence sync says it is there.
TEST(ServerMachine, RestoredHeadIsToldToGetReadyWhenItsPresenceReturns) {
  Server server;
  StoredQueue stored;
  stored.waiting = {StoredPlayer{1, player(0)}, StoredPlayer{2, player(1)}};
  stored.next_ticket = 3;
  Effects& started = server.start(stored);
  EXPECT_TRUE(test::messages_anywhere<GetReady>(started).empty());
  EXPECT_TRUE(test::messages_anywhere<GetReady>(server.presence(player(1), PresenceKind::join)).empty());
  Effects& head = server.presence(player(0), PresenceKind::join);
  EXPECT_EQ(messages_to<GetReady>(head, player(0)).size(), 1U);
}

// Over random joins, leaves, absences and turns, every player hears get_ready at
// most once, and every player granted a turn after being present at the head heard
// it before its grant.
TEST(ServerMachine, GetReadyIsToldAtMostOncePerPlayerUnderRandomOperations) {
  test::SplitMix random(10);
  Server server;
  Transcript heard;
  server.start();
  std::uint64_t joined = 0;
  std::map<std::string, std::size_t> granted_at;  // Channel -> index in heard.all of its listen.
  for (int step = 0; step < 2'000; step += 1) {
    server.now += static_cast<TimeMs>(random.below(400));
    const std::uint64_t action = random.below(10);
    const std::size_t before = heard.all.size();
    if (action < 3) {
      heard.add(server.join(player(joined), random.below(4) != 0));
      joined += 1;
    } else if (action < 5 && joined > 0) {
      heard.add(server.presence(player(random.below(joined)), random.below(2) == 0 ? PresenceKind::join
                                                                                   : PresenceKind::timeout));
    } else if (action == 5 && joined > 0) {
      heard.add(server.leave(player(random.below(joined))));
    } else if (action < 9) {
      if (std::optional<TurnView> open = server.machine.open_turn()) {
        heard.add(random.below(2) == 0 ? server.claw_controlled(open->turn) : server.claw_ready(open->turn));
      } else {
        heard.add(server.claw_ready(0));
      }
    } else {
      heard.add(server.advance_to(server.now));
    }
    for (std::size_t index = before; index < heard.all.size(); index += 1) {
      const Publish* publish = std::get_if<Publish>(&heard.all[index]);
      if (publish == nullptr || publish->channel != secure_channel) continue;
      std::optional<Message> message = test::decoded(*publish);
      const ChannelListen* listen = message ? std::get_if<ChannelListen>(&*message) : nullptr;
      if (listen != nullptr) granted_at.try_emplace(listen->channel, index);
    }
  }
  std::size_t told = 0;
  for (std::uint64_t index = 0; index < joined; index += 1) {
    ASSERT_LE(heard.get_ready_to(player(index)), 1U) << player(index);
    told += heard.get_ready_to(player(index));
  }
  EXPECT_GT(granted_at.size(), 20U);
  std::size_t granted_after_being_told = 0;
  for (const auto& [channel, listen_index] : granted_at) {
    const std::size_t ready_index = test::index_of<Publish>(heard.all, [&](const Publish& publish) {
      return publish.channel == channel && test::decoded(publish) == Message{GetReady{}};
    });
    if (ready_index < listen_index) granted_after_being_told += 1;
  }
  // Only a player granted from behind an absent head skips the head (and the notice).
  EXPECT_GT(granted_after_being_told, granted_at.size() / 2) << told;
}

TEST(ServerMachine, MessagesPerChangeAreBoundedAtTenThousandQueued) {
  constexpr std::uint64_t queued = 10'000;
  const std::size_t bound = limits::position_exact_ranks + 9 * decimal_digits(queued) + 4;
  Server server;
  server.start_with_players(queued);
  auto expect_bounded = [&](const char* change) {
    EXPECT_LE(test::publish_count(server.effects), bound) << change;
    expect_positions_consistent(server.machine);
  };
  server.claw_ready(0);
  expect_bounded("grant at the head");
  server.claw_controlled(server.listen().turn);
  expect_bounded("claw controlled");
  server.claw_ready(server.open_turn_number());
  expect_bounded("turn completed and next granted");
  server.leave(player(5'000));
  expect_bounded("leave from the middle");
  server.leave(player(9'999));
  expect_bounded("leave at the back");
  server.presence(player(3'000), PresenceKind::leave);
  server.advance_to(test_config().grace_ms);
  expect_bounded("grace expiry");
  server.join(player(queued));
  expect_bounded("join");
}

// Random operations: shown positions stay consistent, and the last position each
// player was told (join reply or Position message) is its recorded shown position.
TEST(ServerMachine, ShownPositionsStayConsistentUnderRandomOperations) {
  test::SplitMix random(0xfeed'beef);
  Server server;
  server.start();
  std::map<std::string, std::uint64_t> last_told;
  std::uint64_t next_player = 0;
  std::vector<std::string> channels;
  for (int step = 0; step < 6'000; step += 1) {
    const std::uint64_t choice = random.below(100);
    std::string someone = channels.empty() ? player(0) : channels[random.index_below(channels.size())];
    if (choice < 30) {
      channels.push_back(player(next_player));
      next_player += 1;
      server.join(channels.back(), random.below(4) != 0);
    } else if (choice < 40) {
      server.leave(someone);
    } else if (choice < 55) {
      server.presence(someone, random.below(2) == 0 ? PresenceKind::join : PresenceKind::leave);
    } else if (choice < 65) {
      server.advance_to(server.now + static_cast<TimeMs>(random.below(5'000)));
    } else if (choice < 90) {
      std::optional<TurnView> open = server.machine.open_turn();
      const std::string state = server.state();
      if (state == "Granting" && open) {
        server.claw_controlled(random.below(8) == 0 ? open->turn + 1 : open->turn);
      } else if ((state == "InTurn" || state == "Ending") && open) {
        server.claw_ready(random.below(8) == 0 ? 0 : open->turn);
      } else {
        server.claw_ready(0);
      }
    } else if (choice < 95) {
      server.claw_offline();
    } else {
      server.machine.handle_secure_message("{\"status\":", server.now);
      server.take();
    }
    for (const Publish& publish : effects_of<Publish>(server.effects)) {
      std::optional<Message> message = test::decoded(publish);
      if (!message) continue;
      if (const Position* position = std::get_if<Position>(&*message)) last_told[publish.channel] = position->position;
    }
    for (const JoinReply& reply : effects_of<JoinReply>(server.effects)) {
      if (reply.accepted) last_told[reply.channel] = reply.position;
    }
    expect_positions_consistent(server.machine);
    server.machine.queue().for_each([&](const QueuedPlayer& queued) {
      ASSERT_EQ(last_told.at(queued.channel), queued.shown_position) << queued.channel;
    });
    if (::testing::Test::HasFatalFailure()) {
      FAIL() << "at step " << step;
    }
  }
  EXPECT_GT(server.machine.counters().turns_completed, 10U);  // The run did play turns.
  EXPECT_GT(server.machine.queue().size(), limits::position_exact_ranks);
}

// --- Rejections ------------------------------------------------------------------------------

TEST(ServerMachine, MalformedSecureMessagesAreCountedAndChangeNothing) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  const ChannelListen listen = server.listen();
  const std::vector<std::string> bad = {
      "garbage", "", std::string(limits::message_bytes_max + 1, ' '), R"({"status":"CLAW_DANCING","turn":1})",
      encode(Command{CommandKind::drop, listen.turn, 1}),  // Not a claw status.
      encode(listen),                                     // The server's own message, echoed.
  };
  for (const std::string& text : bad) {
    server.machine.handle_secure_message(text, server.now);
    Effects effects = server.take();
    EXPECT_EQ(effects_of<Log>(effects).size(), 1U) << text;
    EXPECT_TRUE(effects_of<Publish>(effects).empty()) << text;
  }
  EXPECT_EQ(server.machine.counters().rejected_messages, bad.size());
  EXPECT_EQ(server.state(), "Granting");
}

TEST(ServerMachine, UnexpectedEventsAreCountedNeverACrash) {
  Server server;
  server.start();
  server.claw_ready(0);
  server.claw_controlled(1);  // ClawIdle: no turn to acknowledge.
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_EQ(server.machine.counters().rejected_events, 1U);
  server.leave(player(42));  // Not queued, not playing.
  EXPECT_EQ(server.machine.counters().rejected_messages, 1U);
  server.presence(player(43), PresenceKind::leave);  // Unknown channel: ignored.
  server.start();  // A second start.
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_EQ(server.machine.counters().rejected_events, 2U);
}

TEST(ServerMachine, ExtraTimeoutsAreHarmless) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  server.claw_controlled(server.listen().turn);
  const ServerCounters before = server.machine.counters();
  const TimeMs deadline = server.machine.next_deadline();
  for (TimeMs at : {TimeMs{0}, TimeMs{0}, TimeMs{1}, deadline - 1, deadline - 1}) {
    if (at >= deadline) continue;
    Effects& effects = server.advance_to(at);
    EXPECT_TRUE(effects.empty()) << test::describe_all(effects);
  }
  EXPECT_EQ(server.machine.counters().rejected_events, before.rejected_events);
  EXPECT_EQ(server.state(), "InTurn");
}

TEST(ServerMachine, ConfigValidationNamesTheField) {
  EXPECT_FALSE(validate(test_config()).has_value());
  ServerConfig config = test_config();
  config.turn_ms = 0;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "turn_ms");
  config = test_config();
  config.queue_length_max = limits::queue_length_max + 1;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "queue_length_max");
  config = test_config();
  config.resend_ms = 0;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "resend_ms");
  config = test_config();
  config.grace_ms = -1;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "grace_ms");
}


// --- Turn records -----------------------------------------------------------------------------

TurnSummary summary_of(Turn turn) {
  TurnSummary summary;
  summary.turn = turn;
  summary.channel = player(0);
  summary.turn_ms = 30'000;
  summary.ended_at_ms = 2'000;
  summary.ready_at_ms = 9'000;
  summary.entries = {CommandEntry{100, CommandKind::up_on, 1, {}}, MotorEntry{100, Motor::gantry_up, true, MotorCause::player}};
  return summary;
}

// The claw's summary of a turn this server started is kept with the turn, open or
// closed (its CLAW_READY may come later, or be lost); one of a turn never started
// is refused and counted.
TEST(ServerMachine, ATurnSummaryIsKeptForAStartedTurnAndRefusedOtherwise) {
  Server server;
  server.start_with_players(2);
  server.claw_ready(0);
  const Turn turn = server.listen().turn;
  server.claw_controlled(turn);
  Effects& early = server.claw(summary_of(turn));  // Before its CLAW_READY.
  ASSERT_EQ(effects_of<PersistTurnRecord>(early).size(), 1U);
  server.claw_ready(turn);
  Effects& kept = server.claw(summary_of(turn));
  const std::vector<PersistTurnRecord> records = effects_of<PersistTurnRecord>(kept);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].turn, turn);
  EXPECT_EQ(records[0].summary, summary_of(turn));
  EXPECT_EQ(server.machine.counters().turn_records, 2U);
  EXPECT_EQ(server.machine.counters().rejected_messages, 0U);
  // The next turn is granted but the claw cannot have finished it... and the one after was never started.
  const Turn next = server.open_turn_number();
  Effects& refused = server.claw(summary_of(next + 1));
  EXPECT_TRUE(effects_of<PersistTurnRecord>(refused).empty());
  EXPECT_EQ(server.machine.counters().rejected_messages, 1U);
  EXPECT_EQ(server.machine.counters().turn_records, 2U);
  EXPECT_EQ(server.state(), "Granting") << "a summary changes nothing in the queue";
}

TEST(ServerMachine, ATurnSummaryBeforeStartIsRefused) {
  Server server;
  Effects& effects = server.claw(summary_of(1));
  EXPECT_TRUE(effects_of<PersistTurnRecord>(effects).empty());
  EXPECT_EQ(server.machine.counters().rejected_messages, 1U);
}

}  // namespace
}  // namespace clawnet
