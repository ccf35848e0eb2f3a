// The clawnet wire protocol: typed messages and their JSON encoding.
// docs/protocol.md is the spec; this file is its code. Names on the wire are the
// seed's (`{"command":"upOn"}`, `{"control":true}`, `CLAW_READY`, ...).
//
// Contract:
//  - encode() of any valid message yields JSON that decode() maps back to an
//    equal message (round-trip).
//  - decode() never throws and never reads past limits::message_bytes_max bytes
//    (limits::turn_summary_bytes_max for a turn summary, the one nested message,
//    which must begin `{"turn_summary":` as encode() writes it); it returns a
//    DecodeError naming what was wrong.
//  - Unknown fields are rejected: a message means exactly one thing.
#pragma once

#include "core/assert.hpp"
#include "core/hardware.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clawnet {

using Turn = std::uint64_t;    // Epoch of a grant of control; 0 means "no turn yet".
using Ticket = std::uint64_t;  // Join order; smaller joined earlier.
using Seq = std::uint64_t;     // Per-turn command sequence number, from 1.

// The secure server<->claw channel (key set 1 in the seed).
inline constexpr std::string_view secure_channel = "clawcomm";
// Public channel every player may read: claw status and pauses, one message per change.
inline constexpr std::string_view lobby_channel = "lobby";

// Returns true iff `name` is a well-formed player channel name: "p-" then 1..62
// characters of [0-9a-f].
bool is_player_channel(std::string_view name);

// Opposite directions are neighbours, paired from an even value (see opposite()).
enum class Direction : std::uint8_t { up, down, left, right };
inline constexpr int direction_count = 4;

// The opposite direction: the value with its lowest bit flipped.
constexpr Direction opposite(Direction direction) {
  return static_cast<Direction>(static_cast<int>(direction) ^ 1);
}
static_assert(static_cast<int>(Direction::right) + 1 == direction_count);
static_assert(opposite(Direction::up) == Direction::down);
static_assert(opposite(Direction::down) == Direction::up);
static_assert(opposite(Direction::left) == Direction::right);
static_assert(opposite(Direction::right) == Direction::left);

// A motion command's value is 2 * direction, plus 1 for Off (see direction_of()
// and is_on()); drop comes after the eight motion commands.
enum class CommandKind : std::uint8_t {
  up_on, up_off, down_on, down_off, left_on, left_off, right_on, right_off, drop,
};

// Player -> claw, on the player's channel.
struct Command {
  CommandKind kind = CommandKind::drop;
  Turn turn = 0;
  Seq seq = 0;
  bool operator==(const Command&) const = default;
};

// `stopped`: an operator's emergency stop holds the claw, every motor off, until a reset.
enum class ClawStatus : std::uint8_t { ready, controlled, offline, stopped };

// How a turn ended for its player. The claw knows the first three (it dropped,
// and a prize fell into the chute or did not); the server knows the last two
// (it ended the turn itself, or the player left it).
enum class TurnResult : std::uint8_t { win, loss, timeout, ended_by_server, abandoned };
inline constexpr int turn_result_count = 5;

// Claw -> server on the secure channel. For `ready`, `turn` is the last turn
// the claw finished (0 after boot) and `result` how it ended, when the claw
// dropped in it; for `controlled`, the turn it now serves; `offline` and
// `stopped` carry no turn.
struct ClawStatusMessage {
  ClawStatus status = ClawStatus::ready;
  Turn turn = 0;
  std::optional<TurnResult> result;  // Only with `ready`.
  bool operator==(const ClawStatusMessage&) const = default;
};

// Server -> claw: listen to `channel` for turn `turn`, which lasts `turn_ms`.
struct ChannelListen {
  std::string channel;
  Turn turn = 0;
  std::int64_t turn_ms = 0;
  bool operator==(const ChannelListen&) const = default;
};

// Server -> claw: "what is your status?" The claw answers with its status
// message. The server asks while it does not know (after its restart, or when
// the claw's CLAW_READY was lost), so a lossy link cannot stall the queue.
struct StatusRequest {
  bool operator==(const StatusRequest&) const = default;
};

// Server -> claw: end turn `turn` now (player left, or the server's bound ran out).
struct EndTurn {
  Turn turn = 0;
  bool operator==(const EndTurn&) const = default;
};

// Server -> claw: an operator's emergency stop. Every motor off at once, whatever
// the claw is doing (a drop cycle too); the turn it serves is over; it answers
// CLAW_STOPPED and obeys nothing but RESET.
struct EmergencyStop {
  bool operator==(const EmergencyStop&) const = default;
};

// Server -> claw: the operator reset the emergency stop. The claw homes, as after
// a boot, and reports CLAW_READY.
struct ResetClaw {
  bool operator==(const ResetClaw&) const = default;
};

// Claw or server -> player: `{"control":true}` when the claw listens to the
// player's channel, `{"control":false}` when the turn is over.
// The claw sends `{"control":false}` twice when it drops: at the drop (the
// player steers no more), and with the result once the prize settled.
struct Control {
  bool granted = false;
  Turn turn = 0;
  std::int64_t turn_ms = 0;          // Only meaningful when granted.
  std::optional<TurnResult> result;  // Only when not granted.
  bool operator==(const Control&) const = default;
};

// Server -> player: players ahead of you. Exact when `exact`; otherwise an
// upper bound (see docs/protocol.md, "Queue positions"). `wait_ms` estimates
// the time to this player's turn from recent turn lengths ("Estimated waits").
struct Position {
  std::uint64_t position = 0;
  bool exact = true;
  std::int64_t wait_ms = 0;
  bool operator==(const Position&) const = default;
};

// Server -> player: "get ready, you're up" (position 0 and the claw is coming).
struct GetReady {
  bool operator==(const GetReady&) const = default;
};

// Server -> player: the ready check (docs/protocol.md, "The ready check"). The claw
// is free and this player is next: it confirms with ReadyConfirm within `ready_ms`,
// or departs `unready` and the next player is asked.
struct ReadyCheck {
  std::int64_t ready_ms = 0;
  bool operator==(const ReadyCheck&) const = default;
};

// Player -> server, on the player's channel: "I am here", the answer to ReadyCheck.
struct ReadyConfirm {
  bool operator==(const ReadyConfirm&) const = default;
};

// Why a player left the queue without a turn. `unready`: it was asked the ready
// check and did not confirm in time.
enum class DepartureReason : std::uint8_t { presence_expired, left, kicked, unready };
inline constexpr int departure_reason_count = 4;

// Server -> player: its place in the queue is gone, and why. Sent when the player
// may not know it (kicked, unready); a player who left, or whose presence expired,
// is not told.
struct Departed {
  DepartureReason reason = DepartureReason::left;
  bool operator==(const Departed&) const = default;
};

// Server -> lobby: the claw's status as the server sees it; offline pauses the queue.
struct LobbyStatus {
  ClawStatus claw = ClawStatus::ready;
  bool operator==(const LobbyStatus&) const = default;
};

// Server -> lobby: whether the queue moves. An operator pauses it (the turn in
// progress plays on; no next turn starts) or stops it (the emergency stop).
enum class QueueMode : std::uint8_t { running, paused, stopped };
struct QueueState {
  QueueMode mode = QueueMode::running;
  bool operator==(const QueueState&) const = default;
};

// Server -> lobby: turn `turn` is over, and how (for spectators).
struct TurnOver {
  Turn turn = 0;
  TurnResult result = TurnResult::loss;
  bool operator==(const TurnOver&) const = default;
};

// --- Claw -> server: the record of one turn (`{"turn_summary":{...}}`) --------------------
// Kept by the claw from the CHANNEL_LISTEN it accepted to the CLAW_READY after the
// turn; every time in it is milliseconds since that CHANNEL_LISTEN was accepted.
// At most limits::turn_record_entries_max entries; later ones are only counted.

// Why the claw refused a message on the player's channel.
enum class Rejection : std::uint8_t {
  malformed,       // Not a valid message at all.
  not_a_command,   // A valid message, but not a command.
  wrong_channel,   // On a channel the claw does not obey.
  not_in_control,  // Before control was granted, or after the turn ended (the drop cycle).
  wrong_turn,      // For another turn than the one served.
  replayed_seq,    // A sequence number no larger than one already accepted.
  rate_limited,    // Over commands_per_second_max.
};
inline constexpr int rejection_count = 7;
// Why an accepted On command moved nothing.
enum class NoMove : std::uint8_t {
  limit_switch,  // The end switch in that direction is pressed.
  motor_limit,   // The motor ran motor_on_ms_max: it needs an Off first.
};
inline constexpr int no_move_count = 2;
// Who changed a motor: the player's command, or the claw on its own.
enum class MotorCause : std::uint8_t {
  player, deadman, motor_limit, limit_switch, turn_end, drop_cycle, halt, fault,
};
inline constexpr int motor_cause_count = 8;

struct CommandEntry {  // A command accepted (it consumed its seq).
  std::int64_t at_ms = 0;
  CommandKind kind = CommandKind::drop;
  Seq seq = 1;
  std::optional<NoMove> no_move;  // Only for an On command that moved nothing.
  bool operator==(const CommandEntry&) const = default;
};
struct RejectionEntry {  // A message refused; `kind` and `seq` when it was a command.
  std::int64_t at_ms = 0;
  Rejection reason = Rejection::malformed;
  std::optional<CommandKind> kind;
  Seq seq = 0;  // 0 iff !kind.
  bool operator==(const RejectionEntry&) const = default;
};
struct MotorEntry {  // A motor switched on or off.
  std::int64_t at_ms = 0;
  Motor motor = Motor::gantry_up;
  bool on = false;
  MotorCause cause = MotorCause::player;
  bool operator==(const MotorEntry&) const = default;
};
struct SwitchEntry {  // A switch became pressed.
  std::int64_t at_ms = 0;
  Switch which = Switch::limit_up;
  bool operator==(const SwitchEntry&) const = default;
};
using TurnEntry = std::variant<CommandEntry, RejectionEntry, MotorEntry, SwitchEntry>;
std::int64_t at_ms_of(const TurnEntry& entry);

struct TurnSummary {
  Turn turn = 0;
  std::string channel;                       // The player's channel the claw served.
  std::int64_t turn_ms = 0;                  // From the CHANNEL_LISTEN.
  std::optional<std::int64_t> control_at_ms;  // When the player heard {"control":true}; never, if absent.
  std::int64_t ended_at_ms = 0;              // When the turn ended (drop, timer, END_TURN, halt).
  std::int64_t ready_at_ms = 0;              // When the claw said CLAW_READY after it.
  std::optional<TurnResult> result;          // The claw's result, when it dropped and it stood.
  std::vector<TurnEntry> entries;            // In time order.
  std::uint64_t entries_dropped = 0;         // Past limits::turn_record_entries_max.
  bool operator==(const TurnSummary&) const = default;
};

using Message = std::variant<Command, ClawStatusMessage, ChannelListen, StatusRequest, EndTurn, EmergencyStop,
                             ResetClaw, Control, Position, GetReady, ReadyCheck, ReadyConfirm, Departed, LobbyStatus,
                             QueueState, TurnOver, TurnSummary>;

enum class DecodeErrorKind : std::uint8_t {
  too_large, not_json, too_deep, not_object, unknown_message,
  missing_field, bad_field, unknown_field,
};

struct DecodeError {
  DecodeErrorKind kind = DecodeErrorKind::not_json;
  std::string detail;  // Human-readable, names the field or limit.
};

using DecodeResult = std::variant<Message, DecodeError>;

std::string encode(const Message& message);
DecodeResult decode(std::string_view text);

// A turn summary's record alone: the object inside `{"turn_summary":...}`, as the
// store keeps it and clawd serves it. decode_turn_record() checks it as decode()
// does (every field, the bounds, the time order) and names the field at fault.
std::string encode_turn_record(const TurnSummary& summary);
std::variant<TurnSummary, DecodeError> decode_turn_record(std::string_view text);

std::string_view to_string(CommandKind kind);
std::string_view to_string(ClawStatus status);
std::string_view to_string(TurnResult result);
std::string_view to_string(QueueMode mode);
std::string_view to_string(DepartureReason reason);
std::optional<TurnResult> turn_result_named(std::string_view name);
std::string_view to_string(Direction direction);
std::string_view to_string(DecodeErrorKind kind);
std::string_view to_string(Rejection reason);
std::string_view to_string(NoMove why);
std::string_view to_string(MotorCause cause);
// A short readable form of any message, for timelines and logs.
std::string describe(const Message& message);

// Direction and on/off of a motion command. REQUIRES: kind != drop.
constexpr Direction direction_of(CommandKind kind) {
  CLAWNET_ASSERT(kind != CommandKind::drop);
  return static_cast<Direction>(static_cast<int>(kind) / 2);
}
constexpr bool is_on(CommandKind kind) {
  CLAWNET_ASSERT(kind != CommandKind::drop);
  return static_cast<int>(kind) % 2 == 0;
}

// The enum order that direction_of() and is_on() read: every motion command.
static_assert(direction_of(CommandKind::up_on) == Direction::up);
static_assert(is_on(CommandKind::up_on));
static_assert(direction_of(CommandKind::up_off) == Direction::up);
static_assert(!is_on(CommandKind::up_off));
static_assert(direction_of(CommandKind::down_on) == Direction::down);
static_assert(is_on(CommandKind::down_on));
static_assert(direction_of(CommandKind::down_off) == Direction::down);
static_assert(!is_on(CommandKind::down_off));
static_assert(direction_of(CommandKind::left_on) == Direction::left);
static_assert(is_on(CommandKind::left_on));
static_assert(direction_of(CommandKind::left_off) == Direction::left);
static_assert(!is_on(CommandKind::left_off));
static_assert(direction_of(CommandKind::right_on) == Direction::right);
static_assert(is_on(CommandKind::right_on));
static_assert(direction_of(CommandKind::right_off) == Direction::right);
static_assert(!is_on(CommandKind::right_off));
static_assert(static_cast<int>(CommandKind::drop) == 2 * direction_count);

}  // namespace clawnet
