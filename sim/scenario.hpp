// Scenario: a replayable simulation run as data: settings, timed actions and
// expectations. docs/scenarios.md specifies the text format; scenario_text.cpp
// parses and prints it (print(parse(text)) is stable, and parse(print(s)) == s),
// so a RapidCheck counterexample can be saved to scenarios/ and replayed.
#pragma once

#include "core/claw_machine.hpp"
#include "core/protocol.hpp"
#include "core/server_machine.hpp"
#include "core/time.hpp"
#include "sim/cabinet_physics.hpp"
#include "sim/network.hpp"
#include "sim/node_clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace clawnet::sim {

// How a simulated player behaves once it joined.
enum class PlayerMode : std::uint8_t {
  scripted,  // Does only what the scenario says (press/release/drop).
  automatic, // Steers toward a random spot and drops when it gets control.
  idle,      // Never sends a command (tests the turn timer).
  sticky,    // Holds directions (refreshing them) and never sends Off nor drops.
  ghost,     // Present but gone: never answers the ready check, never sends a command.
};

enum class NodeKind : std::uint8_t { server, claw };

// --- Actions ---------------------------------------------------------------------------
struct Join { std::string player; PlayerMode mode = PlayerMode::scripted; };
struct Leave { std::string player; };                  // Asks the server to leave the queue.
struct Disconnect { std::string player; };             // Unsubscribes cleanly (presence leave).
struct Vanish { std::string player; };                 // Tab closed: silent until presence timeout.
struct Reconnect { std::string player; };              // Subscribes again to its channel.
struct Press { std::string player; Direction direction = Direction::up; bool refresh = true; };
struct Release { std::string player; Direction direction = Direction::up; };
struct DropClaw { std::string player; };
// With after_effects = K, the node crashes in the middle of its next step that
// returns more than K effects: K are carried out, the rest are lost. With
// in_state, it crashes as soon as its machine is in that state (now or later).
struct Crash {
  NodeKind node = NodeKind::server;
  std::optional<std::uint32_t> after_effects = std::nullopt;
  std::optional<std::string> in_state = std::nullopt;
};
struct Restart { NodeKind node = NodeKind::server; };
// "server", "claw" or a player. in_state (server and claw only): the cut starts
// as soon as that node's machine is in the state (now or later).
struct PartitionNode { std::string node; TimeMs for_ms = 0; std::optional<std::string> in_state = std::nullopt; };
struct PartitionLink { std::string from; std::string to; bool both_ways = false; TimeMs for_ms = 0; };
struct ChannelLoss { std::string pattern; double loss = 0; TimeMs for_ms = 0; };  // pattern may end in '*'.
// Network trouble for a while: loss, duplication, reordering, and extra delay added to every message.
// reorder_ms_max, if above 0, replaces the network's longest reordering delay meanwhile.
struct Burst {
  double loss = 0;
  double duplication = 0;
  double reorder = 0;
  TimeMs for_ms = 0;
  TimeMs delay_ms = 0;
  TimeMs reorder_ms_max = 0;
};
// Hostile players. Each is a player node of its own, with rights only on its own channel.
struct Spoof { std::string player; std::string victim; std::uint32_t count = 1; };  // Commands on another's channel and on clawcomm.
struct Flood { std::string player; std::uint32_t count = 1; };                    // Malformed and oversized messages on its own channel.
struct Replay { std::string player; std::uint32_t count = 1; };                   // Re-sends its last command.
struct JoinSpam { std::string player; std::uint32_t count = 1; };                 // Joins many times, never subscribes.
// Crowds: many players named "<prefix>-<n>".
struct Crowd { std::uint32_t count = 1; TimeMs over_ms = 0; PlayerMode mode = PlayerMode::automatic; };
struct Arrivals { double per_hour = 0; TimeMs for_ms = 0; PlayerMode mode = PlayerMode::automatic; };
// Random faults (crashes, partitions, bursts) at random times, about one per mean_interval_ms.
struct Chaos { TimeMs for_ms = 0; TimeMs mean_interval_ms = 0; };
// Presence events alone go wrong for a while: lost, duplicated, delayed.
struct PresenceTrouble { double loss = 0; double duplication = 0; TimeMs delay_ms = 0; TimeMs for_ms = 0; };
// The service times a player out while it is still there (its next heartbeat brings it back).
struct SpuriousTimeout { std::string player; };
// The node's process freezes (SIGSTOP, a long stall, a swapped-out Pi): no
// timer fires and no input is handled for `for_ms`; then it resumes with every
// input that queued up meanwhile, in order. Its connections stay up (present,
// silent): a frozen claw is the hung firmware of a cabinet. With in_state, the
// freeze starts as soon as the node's machine is in that state.
struct Pause { NodeKind node = NodeKind::server; TimeMs for_ms = 0; std::optional<std::string> in_state = std::nullopt; };
// The node is slow for `for_ms`: each of its inputs (messages, timers,
// switches) is handled `by_ms` late, in order: a claw that answers late.
struct Slow { NodeKind node = NodeKind::server; TimeMs by_ms = 0; TimeMs for_ms = 0; };
// The node's clock (sim/node_clock.hpp): from now on it runs `drift_ppm` fast
// (negative: slow), and/or it jumps `step_ms` forward (at 0s: an offset).
struct ClockChange {
  NodeKind node = NodeKind::server;
  std::optional<std::int64_t> drift_ppm = std::nullopt;
  std::optional<TimeMs> step_ms = std::nullopt;
};
// The server's machine loses power: the store keeps only what it synced (torn:
// and part of its last unsynced write), the process is gone; `restart server` boots it.
struct PowerCut { bool torn = false; };
// The cabinet's prize chute sensor sticks pressed (or works again): the claw
// must report it as a fault and count no win while it is stuck.
struct ChuteSensor { bool stuck = true; };
// An operator's action on the server (ServerMachine::handle_admin), over its
// admin API, so with a network delay; `player` names whom a kick removes.
struct Admin { AdminAction action = AdminAction::pause; std::string player; };
// Every fault stops: partitions and loss end, the network's options return to
// the file's, crashed nodes restart. From then on the oracle holds the run to
// its liveness obligations (docs/explore.md), and before it a stall is no failure.
struct Heal {};

using ActionBody = std::variant<Join, Leave, Disconnect, Vanish, Reconnect, Press, Release, DropClaw, Crash,
                                Restart, PartitionNode, PartitionLink, ChannelLoss, Burst, Spoof, Flood, Replay,
                                JoinSpam, Crowd, Arrivals, Chaos, PresenceTrouble, SpuriousTimeout, Pause, Slow,
                                ClockChange, PowerCut, ChuteSensor, Admin, Heal>;

struct Action {
  TimeMs at_ms = 0;
  ActionBody body;
  int line = 0;  // Source line, 0 if generated.
};

// --- Expectations ---------------------------------------------------------------------------
enum class When : std::uint8_t { at, by, end };  // At an instant, at some point up to it, at the end.

struct ExpectController { std::optional<std::string> player; };  // nullopt: nobody.
struct ExpectQueue { std::vector<std::string> players; };        // Server queue order, exactly.
struct ExpectQueueLength { std::uint64_t length = 0; };
struct ExpectMotorsOff {};
struct ExpectPosition { std::string player; std::uint64_t position = 0; };  // As the player was last told.
struct ExpectState { NodeKind node = NodeKind::server; std::string state; };
struct ExpectQueueMode { QueueMode mode = QueueMode::running; };  // As the server holds it.
enum class Comparison : std::uint8_t { eq, ge, le };
// Counters by name: see docs/scenarios.md ("claw.rejected", "server.turns_completed", ...).
struct ExpectCounter { std::string counter; Comparison comparison = Comparison::eq; std::uint64_t value = 0; };
struct ExpectPlayed { std::vector<std::string> players; };       // Each finished at least one turn.

using ExpectationBody = std::variant<ExpectController, ExpectQueue, ExpectQueueLength, ExpectMotorsOff,
                                     ExpectPosition, ExpectState, ExpectQueueMode, ExpectCounter, ExpectPlayed>;

struct Expectation {
  When when = When::end;
  TimeMs at_ms = 0;  // For at/by.
  ExpectationBody body;
  int line = 0;
};

// --- The whole scenario ---------------------------------------------------------------------
struct Scenario {
  std::string name;            // File name without folder, for reports.
  std::string description;     // The opening comment lines.
  std::uint64_t seed = 1;
  // Events due at one instant run in an order drawn from this seed (Scheduler::shuffle_ties).
  std::optional<std::uint64_t> tie_shuffle;
  TimeMs duration_ms = 0;
  NetworkOptions network{};    // Required: every field set by the file ("no hidden defaults").
  ServerConfig server;
  ClawConfig claw;
  CabinetConfig cabinet;
  TimeMs liveness_bound_ms = 30'000;  // Oracle: idle claw + waiting present player, at most this long.
  std::vector<Action> actions;        // In time order (stable for equal times).
  std::vector<Expectation> expectations;
};

struct ParseError {
  std::string file;
  int line = 0;
  std::string message;  // What was expected and what was found.
};

// Parses scenario text. `file` names it in errors.
std::variant<Scenario, ParseError> parse_scenario(std::string_view text, std::string_view file);
// Prints a scenario in the text format (settings, then actions, then expectations).
std::string print_scenario(const Scenario& scenario);
// The words after "at T" of one action line.
std::string action_text(const ActionBody& body);
// "1500ms", "2s", "1m30s" forms; returns nullopt if malformed.
std::optional<TimeMs> parse_duration(std::string_view text);
std::string format_duration(TimeMs ms);

// The states a node's machine can be found in between two steps (for `in STATE`).
const std::vector<std::string_view>& machine_states(NodeKind node);

std::string_view to_string(PlayerMode mode);
std::string_view to_string(NodeKind node);

}  // namespace clawnet::sim
