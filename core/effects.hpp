// Effects: what a machine asks its driver to do. Machines never perform I/O;
// they append effects to an outbox, and the driver (sim/ or prod/) carries them
// out in order. Order matters: a PersistJoin comes before the JoinReply that
// acknowledges it, so a join is durable before the player hears of it.
#pragma once

#include "core/hardware.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clawnet {


// The gantry motor that moves in `direction`: the four gantry motors come first,
// in Direction order, so a direction's value is its motor's (and the claw keeps
// per-direction arrays indexed by either).
constexpr Motor gantry_motor(Direction direction) {
  return static_cast<Motor>(static_cast<int>(direction));
}
static_assert(gantry_motor(Direction::up) == Motor::gantry_up);
static_assert(gantry_motor(Direction::down) == Motor::gantry_down);
static_assert(gantry_motor(Direction::left) == Motor::gantry_left);
static_assert(gantry_motor(Direction::right) == Motor::gantry_right);
static_assert(static_cast<int>(Motor::claw_lower) == direction_count);  // Only gantry motors below.
static_assert(static_cast<int>(Motor::claw_close) + 1 == motor_count);

// `kicked`: an operator removed the player (ServerMachine::handle_admin).
// How a turn ended. There is no "aborted": a turn the claw lost (a reboot) stays
// open and is granted again, under its number, to the same player; a turn that has
// ended never puts its player back in the queue.
enum class TurnOutcome : std::uint8_t { completed, ended_by_server };
inline constexpr int turn_outcome_count = 2;
std::string_view to_string(TurnOutcome outcome);

// Drivers encode the message at the edge (protocol.hpp's encode()).
struct Publish {
  std::string channel;
  Message message;
};
struct Subscribe {
  std::string channel;
};
struct Unsubscribe {
  std::string channel;
};
struct SetMotor {
  Motor motor = Motor::gantry_up;
  bool on = false;
};
struct PersistJoin {
  Ticket ticket = 0;
  std::string channel;
  TimeMs joined_ms = 0;
};
struct PersistDeparture {
  Ticket ticket = 0;
  DepartureReason reason = DepartureReason::left;
};
struct PersistTurnStart {
  Turn turn = 0;
  Ticket ticket = 0;
  TimeMs started_ms = 0;
};
// The turn is over, and with it the player's place in the queue.
struct PersistTurnEnd {
  Turn turn = 0;
  Ticket ticket = 0;
  TurnOutcome outcome = TurnOutcome::completed;
  TurnResult result = TurnResult::loss;  // How it ended for the player.
  TimeMs ended_ms = 0;
};
// The server is done with the player on `channel` (it left, its grace ran out, or
// its turn ended): the driver revokes its rights there. A driver may wait a little
// first, so the last messages on the channel (a position, {"control":false}) are read.
struct RevokePlayer {
  std::string channel;
};
// What an operator asked of the server (ServerMachine::handle_admin), with its
// time and answer, kept in the store's admin log.
enum class AdminAction : std::uint8_t { pause, resume, skip, kick, estop, reset };
inline constexpr int admin_action_count = 6;
std::string_view to_string(AdminAction action);
struct PersistAdminAction {
  AdminAction action = AdminAction::pause;
  Ticket ticket = 0;  // The player kicked; 0 for the other actions.
  bool done = false;  // False: refused, and `detail` says why.
  std::string detail;
  TimeMs at_ms = 0;
};
// The claw's record of a turn the server started (its turn_summary): kept with the
// turn. A summary lost on the way is a turn without a record.
struct PersistTurnRecord {
  Turn turn = 0;
  TurnSummary summary;  // summary.turn == turn.
};
using RequestId = std::uint64_t;
// Why a join was refused, for a client to act on (JoinReply::refusal says it in words).
enum class JoinRefusal : std::uint8_t { none, starting, malformed_channel, channel_in_use, queue_full };
std::string_view to_string(JoinRefusal refusal);
struct JoinReply {
  RequestId request = 0;
  bool accepted = false;
  std::string channel;       // When accepted.
  Ticket ticket = 0;         // When accepted.
  std::uint64_t position = 0;  // When accepted: players ahead.
  std::string refusal;       // When refused: why, for the player.
  TimeMs wait_ms = 0;        // When accepted: the estimated wait (Position::wait_ms).
  JoinRefusal reason = JoinRefusal::none;  // When refused.
};
struct Log {
  std::string text;
};

using Effect = std::variant<Publish, Subscribe, Unsubscribe, SetMotor, PersistJoin, PersistDeparture,
                            PersistTurnStart, PersistTurnEnd, PersistAdminAction, PersistTurnRecord, RevokePlayer, JoinReply,
                            Log>;
using Effects = std::vector<Effect>;

// A one-line readable form, for timelines.
std::string describe(const Effect& effect);

}  // namespace clawnet
