// World: one deterministic simulation run. It owns the virtual clock, the
// simulated PubNub, the server node (ServerMachine + QueueStore), the claw node
// (ClawMachine + cabinet physics), the players, and the oracle. It carries out
// the machines' effects; it holds no queue or claw logic of its own.
//
// Same scenario and seed => the same timeline, byte for byte.
// Not thread-safe.
#pragma once

#include "core/claw_machine.hpp"
#include "core/server_machine.hpp"
#include "sim/cabinet_physics.hpp"
#include "sim/network.hpp"
#include "sim/node_clock.hpp"
#include "sim/oracle.hpp"
#include "sim/player.hpp"
#include "sim/power_cut_disk.hpp"
#include "sim/rng.hpp"
#include "sim/scenario.hpp"
#include "sim/scheduler.hpp"
#include "sim/snapshot.hpp"
#include "sim/timeline.hpp"
#include "store/queue_store.hpp"

#include <array>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clawnet::sim {

struct ExpectationResult {
  int line = 0;
  bool passed = false;
  std::string text;  // What was expected and what was seen.
};

// Totals that survive node crashes (a restarted machine counts from zero).
void add_counters(ServerCounters& total, const ServerCounters& part);
void add_counters(ClawCounters& total, const ClawCounters& part);

struct RunCounters {
  ServerCounters server;
  ClawCounters claw;
  std::uint64_t store_writes = 0;
  std::uint64_t players_joined = 0;
  std::uint64_t turns_played = 0;
  std::array<std::uint64_t, turn_result_count> results_heard{};  // By the players, by TurnResult.
};

// How long the driver waits for a subscription's confirmation before asking again.
inline constexpr TimeMs subscribe_retry_ms = 2'000;
// A finished player keeps its rights this long (as clawd's account_linger_ms), so
// its last messages ({"control":false}, a position) reach it.
inline constexpr TimeMs player_revoke_linger_ms = 5'000;
// More events than this at one virtual instant is a livelock (a machine that
// re-arms a timer in the past would spin forever). The largest legitimate
// burst is a crowd of limits::queue_length_max players joining at one instant.
inline constexpr std::uint64_t events_at_one_instant_max = 2'000'000;

// What a test may change in a world; the defaults are the real thing.
struct WorldOptions {
  Durability store_durability = Durability::power_loss;  // synchronous=FULL, as in production.
};

class World {
 public:
  // The server's store lives on the world's own in-memory disk (sim/power_cut_disk.hpp).
  World(Scenario scenario, std::uint64_t seed, WorldOptions options = {});
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  Timeline& timeline() { return timeline_; }
  const Timeline& timeline() const { return timeline_; }
  // Called once for each turn the claw finished: node, name, start, end (for traces).
  std::function<void(const std::string&, const std::string&, TimeMs, TimeMs)> on_turn_span;

  // Runs the next event. Returns false once the run is over (the scenario's
  // duration reached, or an invariant violated).
  bool step();
  // Runs until virtual time `until_ms` (or the end).
  void run_until(TimeMs until_ms);
  void run_to_end();
  bool finished() const { return finished_; }
  // Stops the run with a livelock violation (the wall-time guard of run_guarded).
  void stop_as_livelock(std::string detail);
  TimeMs now_ms() const { return scheduler_.now(); }
  std::uint64_t events_run() const { return events_run_; }

  // Joins a human-driven player (the visualizer's --play); commands by name ("upOn").
  void join_human(const std::string& name);
  void human_command(const std::string& name, std::string_view command);
  // Cuts the server machine's power: a crash that also loses what its disk had not
  // synced; with `tear`, the last unsynced write lands in part. Nothing if it is down.
  void power_cut_server(bool tear);

  Snapshot snapshot() const;
  const std::optional<Violation>& violation() const { return oracle_.violation(); }
  const Oracle& oracle() const { return oracle_; }
  // Expectations checked so far (all of them once finished()).
  const std::vector<ExpectationResult>& results() const { return results_; }
  bool passed() const;
  const Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }

  // --- Read access for the oracle and expectations ------------------------------
  const ServerMachine* server() const { return server_.get(); }
  const ClawMachine* claw() const { return claw_.get(); }
  const CabinetPhysics& cabinet() const { return physics_; }
  const Network& network() const { return network_; }
  const std::map<std::string, SimPlayer>& players() const { return players_; }
  std::optional<std::string> owner_of(const std::string& channel) const;
  // The channel the server granted `turn` to, if it ever did.
  std::optional<std::string> granted_channel(Turn turn) const;
  // False while a scenario partition cuts `node` off.
  bool reachable(const std::string& node) const;
  RunCounters counters() const;
  std::optional<std::uint64_t> counter(std::string_view name) const;

 private:
  friend class WorldActions;  // world_actions.cpp: players, hostile clients, crowds.
  friend class WorldFaults;   // world_faults.cpp: faults.

  // --- Nodes (world_nodes.cpp) ----------------------------------------------------
  void start_server();
  void crash_server();
  void stop_server(bool power_cut, bool tear);  // crash_server() and power_cut_server().
  void start_claw(bool cold_boot);
  void crash_claw();
  void heal();
  // An operator's request reaches the server (logged with its answer), and the
  // heal's release of any pause or emergency stop still holding the queue.
  void operator_request(AdminRequest request);
  void release_operator_hold();
  void power_cycle_faulted_claw();
  // Arms `action` to run once `node` is in `state` (at once if it is now).
  void arm_in_state(NodeKind node, std::string state, Action action);
  void fire_state_triggers(NodeKind node);
  void watch_server_publish(const Message& message, const std::string& channel);
  void watch_claw_publish(const Message& message, const std::string& channel);
  // `crash NODE after K effects`: cuts an armed step's effects to its first K.
  std::optional<std::size_t> cut_for_crash(std::optional<std::uint32_t>& armed, Effects& effects);
  void run_server_effects();
  void run_claw_effects();
  void reschedule_server();
  void reschedule_claw();
  void reschedule_physics();
  void sync_physics();
  void server_callbacks();
  void claw_callbacks();
  void turn_finished(Turn turn);
  void publish_from(const std::string& node, const Publish& publish);
  void revoke_player(const std::string& channel);
  void set_chute_stuck(bool stuck);
  void keep_subscribed(const std::string& node, const std::string& channel);
  bool wants_subscription(const std::string& node, const std::string& channel) const;
  void add_retired_server();
  void add_retired_claw();

  // --- Freezes, slowness and clocks (world_stalls.cpp) --------------------------------
  struct QueuedInput {
    TimeMs due_ms = 0;  // Not handled before this (a slow node's lag).
    std::function<void()> input;
  };
  // What stands between a node's inputs and its machine.
  struct NodeStall {
    std::optional<TimeMs> paused_until_ms;  // Frozen until then: nothing is handled.
    TimeMs lag_ms = 0;                      // Each input is handled this late...
    TimeMs lag_until_ms = 0;                // ...while it arrives before this.
    std::deque<QueuedInput> queued;         // Inputs not handled yet, in arrival order.
    Lane lane = no_lane;                    // The queue's wakeups.
    std::uint64_t incarnation = 0;          // A crash drops what is queued for the old process.
  };
  NodeStall& stall(NodeKind node) { return node == NodeKind::server ? server_stall_ : claw_stall_; }
  NodeClock& clock(NodeKind node) { return node == NodeKind::server ? server_clock_ : claw_clock_; }
  // Every input to a node's machine (message, presence, timer, switch, HTTP
  // request) goes through here: `input` must own what it needs.
  void to_node(NodeKind node, std::function<void()> input);
  void schedule_drain(NodeKind node);
  void drain(NodeKind node, std::uint64_t incarnation, bool all);
  void pause_node(NodeKind node, TimeMs for_ms);
  void resume_node(NodeKind node);
  void slow_node(NodeKind node, TimeMs by_ms, TimeMs for_ms);
  void change_clock(const ClockChange& change);
  void forget_stalled_inputs(NodeKind node);  // At a crash.
  void tell_oracle_claw_stalled();             // When the claw's stall begins or ends.
  void end_stalls();                          // At the heal.
  // The faults on the nodes themselves, for the visualizer's panel: armed
  // crashes and state triggers, freezes, slowness, skewed clocks.
  std::vector<std::string> describe_node_faults() const;
  // The time each machine reads: its own clock at the world's now.
  TimeMs server_time() const { return server_clock_.local(scheduler_.now()); }
  TimeMs claw_time() const { return claw_clock_.local(scheduler_.now()); }

  // --- Players (world_players.cpp) ------------------------------------------------------
  SimPlayer& ensure_player(const std::string& name, PlayerMode mode);
  void request_join(const std::string& name, std::uint32_t attempt, bool spam);
  void deliver_join_reply(const JoinReply& reply);
  void player_message(const std::string& name, const std::string& channel, const std::string& payload);
  void player_send(SimPlayer& player, CommandKind kind);
  void player_answer_ready_check(const std::string& name);
  void player_refresh(const std::string& name, std::uint64_t generation);
  void player_auto_plan(const std::string& name, Turn turn);
  void player_sticky_plan(const std::string& name, Turn turn);
  void player_after_turn(const std::string& name);
  void press(SimPlayer& player, Direction direction, bool refresh);
  void release(SimPlayer& player, Direction direction);
  void subscribe_player(SimPlayer& player);

  // --- Scenario (world.cpp, world_actions.cpp) -------------------------------------------
  void schedule_actions();
  void arrive(const std::string& prefix, PlayerMode mode);
  void schedule_arrival(double per_hour, TimeMs until_ms, PlayerMode mode);
  void schedule_chaos(TimeMs until_ms, TimeMs mean_interval_ms);
  void burst(const Burst& trouble);
  void presence_trouble(const PresenceTrouble& trouble);
  void spoof(const std::string& name, const std::string& victim, std::uint32_t count);
  void apply(const Action& action);
  bool apply_fault(const Action& action);
  void schedule_expectations();
  void check_expectation(const Expectation& expectation, bool final_check, bool record_failure);
  std::pair<bool, std::string> observe(const ExpectationBody& body) const;
  void finish();
  void log(std::string node, std::string text);
  TimeMs latency_sample();
  std::string fresh_channel();
  void after_event();
  void with_claw(const std::function<void(ClawMachine&)>& input);
  void with_server(const std::function<void(ServerMachine&)>& input);
  void schedule_at(TimeMs at_ms, std::function<void()> action, Lane lane = no_lane);
  void fatal(std::string what);
  std::string label(const std::string& channel) const;

  Scenario scenario_;
  std::uint64_t seed_;
  Durability store_durability_;
  PowerCutDisk disk_;  // Before store_: the store is closed before its disk goes.
  Scheduler scheduler_;
  Rng rng_;
  Rng channel_rng_;
  Rng latency_rng_;
  Rng chaos_rng_;
  Network network_;
  // The scenario's own lines (actions, `at` checks, the end) keep file order at one instant.
  Lane scenario_lane_;
  CabinetPhysics physics_;
  Timeline timeline_;
  Oracle oracle_;

  NodeStall server_stall_;
  NodeStall claw_stall_;
  bool claw_stalled_told_ = false;
  NodeClock server_clock_;
  NodeClock claw_clock_;

  std::unique_ptr<QueueStore> store_;
  std::unique_ptr<ServerMachine> server_;
  std::unique_ptr<ClawMachine> claw_;
  std::optional<EventId> server_wake_;
  std::optional<EventId> claw_wake_;
  std::optional<EventId> physics_wake_;
  std::string last_server_state_;
  std::string last_claw_state_;

  std::map<std::string, SimPlayer> players_;
  std::map<std::string, std::string> channel_owner_;   // Channel -> player name.
  struct PendingJoin {
    std::string player;
    bool spam = false;  // A hostile join: never subscribes.
    std::uint32_t attempt = 0;
  };
  std::map<RequestId, PendingJoin> pending_joins_;
  RequestId next_request_ = 1;
  std::map<Turn, TimeMs> turn_started_ms_;
  std::optional<ResultView> last_result_;  // From the server's TurnOver on the lobby.
  bool chute_stuck_ = false;               // A `chute stuck` fault is on.
  std::map<std::string, TimeMs> cut_off_until_ms_;      // Node -> end of its partition.
  RunCounters retired_;                                // Counters of crashed machine incarnations.
  struct ReadCommand {  // The player command the claw's current step reads.
    std::string channel;
    Command command;
  };
  std::optional<ReadCommand> claw_reading_;
  Turn last_finished_seen_ = 0;
  std::uint64_t chaos_seq_ = 0;
  std::uint64_t crowd_seq_ = 0;
  std::uint64_t burst_generation_ = 0;
  std::uint64_t presence_generation_ = 0;
  std::map<std::string, TimeMs> channel_loss_until_ms_;  // Active `loss on` patterns.
  std::optional<std::uint32_t> server_crash_after_;      // Armed `crash server after K effects`.
  std::optional<std::uint32_t> claw_crash_after_;
  struct StateTrigger {                                   // Armed `... in STATE` faults.
    NodeKind node;
    std::string state;
    Action action;  // The fault itself, without its trigger.
  };
  std::vector<StateTrigger> state_triggers_;
  bool healed_ = false;                                   // A `heal` ran: no more chaos.
  TimeMs heal_settles_at_ms_ = 0;                         // The heal's settle bound (oracle.hpp).
  TimeMs instant_ms_ = 0;                                 // The livelock guard's instant...
  std::uint64_t events_at_instant_ = 0;                   // ...and how many events ran at it.

  std::vector<ExpectationResult> results_;
  std::vector<const Expectation*> open_by_expectations_;
  std::uint64_t events_run_ = 0;
  bool finished_ = false;
};

}  // namespace clawnet::sim
