// Oracle: checks DESIGN.md's invariants from outside the machines, after every
// simulation step. It sees what an observer of the whole system could see (the
// machines' getters, the cabinet's physics, the effects the world carried out)
// and keeps its own model of what was promised (acknowledged joins). The first
// violation stops the run.
//
//  1. Single control, from the wire and the claw's motors: the claw's
//     {"control":true} for turn T goes to the channel the server's
//     CHANNEL_LISTEN gave T to, and never for a turn it has finished since it
//     booted; the claw obeys a command (a motor changes in the step that read
//     it) only if it came on the channel T was granted to, for the turn it
//     serves on the wire, and each (turn, seq) at most once per boot.
//  2. FIFO fairness: a grant never passes over a present, earlier-joined player.
//  3. Liveness: an idle, reachable claw with a present player waiting gets a
//     turn going within the scenario's liveness bound.
//  4. Motor safety: no motor pushes past its end switch; while a player
//     steers, no gantry motor runs longer than deadman_ms past the last
//     command the claw received for the turn it serves (on its channel), or
//     longer than motor_on_ms_max; outside a turn only homing moves. "A turn"
//     is what the claw said on the wire: from its {"control":true} to its
//     {"control":false}; homing (left and down) may run from then, or from a
//     boot or a lost link, until its next CLAW_READY. The bounds are in the claw's own
//     running time: while its process is frozen or slow (`pause`, `slow`) no
//     software can stop a motor, so motors are not checked then, and the
//     bounds restart when it runs normally again (a real cabinet needs its end
//     switches and a watchdog relay to cut the motors, docs/deploy.md); they
//     stretch by its clock's drift (at most clock_drift_ppm_max).
//  5. Durability: after a server restart, every acknowledged and not yet served
//     join is queued again, in order, and nothing else is, but for joins that
//     were committed and never acknowledged (a crash between the two).
//  6. Positions: every position the server puts on the wire is >= the
//     player's rank after that step, and exactly its rank near the front; the
//     position a player last received is never below its real rank.
//  7. History (Jepsen-style, at the end of the run, from the wire and the
//     store's writes): no acknowledged join is lost (never served, never
//     departed, no longer queued), none is served in two different turns
//     (duplicated), and no grant goes to a channel no join was committed for
//     (unexpected). Served: a turn started for it in the store, or a
//     CHANNEL_LISTEN for its channel on the wire.
//
//  8. Rights: the server revokes a player's rights on its channel only once its
//     place is over (it departed, or its turn ended, in the store's writes).
//  9. Results: a turn the claw completed is stored with the result the claw
//     told its player (the last it told, should the turn be granted again).
// 10. Operator holds: no turn starts (the store records its start) while an
//     operator's pause or emergency stop holds the queue (a turn started
//     before plays on, and is granted again if the claw lost it); and from the
//     step in which the claw reads an ESTOP until it reads a RESET (or reboots),
//     no cabinet motor runs, whatever the claw was doing.
// 11. The ready check: with server.ready_ms > 0, a turn starts only for a player
//     whose {"ready":true} reached the server while the server was asking it.
// 12. Turn records: the claw's summary of a turn lists exactly the motor changes
//     it carried out (its SetMotor effects, in order) from the grant it accepted
//     (its Subscribe to the player's channel) to the summary, the first ones
//     when entries were dropped past the bound; the store keeps it (a refusal
//     stops the run).
//
// Runs with a `heal` action have two phases. Before the heal (chaos) a stall
// is no failure: invariant 3 is not checked. From the heal on, liveness is
// (invariant 3, bounds from heal_bounds(), docs/explore.md): every present
// waiting player is granted within its bound, the server and the claw agree on
// who controls, and at the end the queue has drained.
//
// Violations are of four kinds: safety (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12), liveness (3), a
// livelock (the run stopped making progress) and a simulation error (0).
#pragma once

#include "core/claw_machine.hpp"
#include "core/effects.hpp"
#include "core/server_machine.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"
#include "sim/cabinet_physics.hpp"
#include "sim/network.hpp"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clawnet::sim {

class World;

enum class ViolationKind : std::uint8_t { safety, liveness, livelock, simulation };
std::string_view to_string(ViolationKind kind);

struct Violation {
  int invariant = 0;
  std::string name;
  std::string detail;
  TimeMs at_ms = 0;
  ViolationKind kind = ViolationKind::safety;
};

// The history check's counts (invariant 7), for the report.
struct HistoryCounts {
  std::uint64_t acknowledged = 0;
  std::uint64_t served = 0;  // Acknowledged joins that were served a turn.
  std::uint64_t lost = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t unexpected = 0;
  std::string first_problem;  // One example, if any count above is not zero.
};

// The liveness bounds after a heal, derived from the run's settings.
struct HealBounds {
  TimeMs settle_ms = 0;      // From the heal until every node and presence has caught up.
  TimeMs turn_bound_ms = 0;  // One whole turn: grant, play, end, drop cycle, hand-over.
  TimeMs agreement_ms = 0;   // Longest the server and the claw may disagree on who controls.
};
HealBounds heal_bounds(const ServerConfig& server, const ClawConfig& claw, const NetworkOptions& network);

class Oracle {
 public:
  explicit Oracle(TimeMs liveness_bound_ms, HealBounds heal = {}, bool has_heal = false)
      : liveness_bound_ms_(liveness_bound_ms), heal_(heal), has_heal_(has_heal) {}

  // --- What the world carried out (server effects, claw acceptances) -----------
  void on_join_acknowledged(Ticket ticket, const std::string& channel, TimeMs now_ms);
  void on_departure(Ticket ticket);
  void on_turn_start(const World& world, Ticket ticket, Turn turn, TimeMs now_ms);
  void on_server_restarted(const World& world, TimeMs now_ms);
  // A player command the claw received on `channel` (before it handles it).
  void on_claw_received(const std::string& channel, const Command& command, TimeMs now_ms);
  // A step of the claw that read `command` on `channel` changed a motor.
  void on_command_obeyed(const World& world, const std::string& channel, const Command& command, TimeMs now_ms);
  // The claw's process is stalled (frozen, or handling its inputs late) or runs
  // normally again; `cabinet` is synced to now. Its clock's drift.
  void on_claw_stalled(bool stalled, const CabinetPhysics& cabinet, TimeMs now_ms);
  void on_claw_drift(std::int64_t drift_ppm) { claw_drift_ppm_ = drift_ppm < 0 ? -drift_ppm : drift_ppm; }
  // A Position message the server published (checked after the step; within
  // one step only the last one to each channel must match the queue).
  void on_position_sent(std::string channel, std::uint64_t position) { positions_sent_[std::move(channel)] = position; }
  // The server, asking `channel` the ready check, received its confirmation (invariant 11).
  void on_ready_confirmed(const std::string& channel) {
    if (auto found = ticket_by_channel_.find(channel); found != ticket_by_channel_.end()) {
      ready_confirmed_.insert(found->second);
    }
  }
  // A player was skipped for not confirming: the queue moved, though no turn started (invariant 3).
  void on_skipped_unready(TimeMs now_ms) {
    if (stalled_since_ms_) stalled_since_ms_ = now_ms;
  }
  // A join the store committed. One committed but never acknowledged (the
  // server crashed between the two) may come back after a restart.
  void on_join_committed(Ticket ticket, const std::string& channel) {
    unacknowledged_.insert(ticket);
    committed_channels_.insert(channel);
    ticket_by_channel_.insert_or_assign(channel, ticket);
  }
  // A turn's end the store wrote: the player's place is over (invariants 8, 9).
  void on_turn_end(const PersistTurnEnd& end, TimeMs now_ms);
  // The claw told the player of `turn` how it ended.
  void on_result_told(Turn turn, TurnResult result) { results_told_.insert_or_assign(turn, result); }
  // The server revoked the rights of the player on `channel` (invariant 8).
  void on_player_revoked(const std::string& channel, TimeMs now_ms);
  // A CHANNEL_LISTEN the server put on the wire (repeats included).
  void on_listen_sent(Turn turn, const std::string& channel) {
    grants_by_channel_[channel].insert(turn);
    granted_turns_.emplace(turn, channel);
  }
  // The channel the first CHANNEL_LISTEN of `turn` named, if the server ever sent one.
  std::optional<std::string> granted_channel(Turn turn) const {
    auto granted = granted_turns_.find(turn);
    if (granted == granted_turns_.end()) return std::nullopt;
    return granted->second;
  }
  // What the history check counts at this moment (`world` tells who is still queued).
  HistoryCounts history(const World& world) const;
  // A player received a Position (or its join reply): checked at once, as
  // ranks only ever fall, a position that is not below the rank now never is.
  void on_position_received(const World& world, const std::string& channel, std::uint64_t position, TimeMs now_ms);
  void on_heal(TimeMs now_ms) { healed_at_ms_ = now_ms; }
  // The claw's {"control":...} messages on the wire, and its crashes: a claw
  // that finished turn T never grants T (or an older turn) again until it reboots.
  void on_control_granted(const World& world, Turn turn, const std::string& channel, TimeMs now_ms);
  void on_control_ended(Turn turn) {
    last_finished_since_boot_ = std::max(last_finished_since_boot_, turn);
    serving_turn_.reset();
    claw_said_ready_ = false;  // It homes next (even for a turn that never got control: a failed subscribe).
  }
  // CLAW_STOPPED: an emergency stop halted the claw, and it homes again after the reset.
  void on_claw_status(ClawStatus status) {
    claw_said_ready_ = status != ClawStatus::stopped && (claw_said_ready_ || status == ClawStatus::ready);
  }
  // A claw that loses its link halts, and homes again before its next CLAW_READY.
  void on_claw_link_lost() { claw_said_ready_ = false; }
  // The claw's own effects, for invariant 12: it began a turn's record (its Subscribe
  // to the player's channel), changed a motor, published a turn's summary.
  void on_claw_subscribe() { record_motors_.emplace(); }
  void on_claw_motor(Motor motor, bool on) {
    if (record_motors_) record_motors_->emplace_back(motor, on);
  }
  void on_turn_summary(const TurnSummary& summary, TimeMs now_ms);
  void on_claw_crashed() {
    record_motors_.reset();  // A rebooted claw keeps no record of the turn it lost.
    results_told_.clear();  // A rebooted claw serves any turn granted again anew (invariant 9).
    last_finished_since_boot_ = 0;
    obeyed_.clear();  // A rebooted claw remembers no sequence numbers: a re-granted turn starts again.
    serving_turn_.reset();
    claw_said_ready_ = false;  // A rebooting claw homes before it says CLAW_READY.
  }

  // After every step.
  void check(const World& world, TimeMs now_ms);
  // Once, at the end of the run.
  void check_end(const World& world, TimeMs now_ms);
  const std::optional<Violation>& violation() const { return violation_; }
  // Records a violation (the first one wins); the kind follows from the invariant.
  void fail(int invariant, std::string name, std::string detail, TimeMs now_ms);
  void fail_livelock(std::string detail, TimeMs now_ms);

 private:
  void check_liveness(const World& world, TimeMs now_ms);
  void check_motor_safety(const World& world, TimeMs now_ms);
  void check_emergency_stop(const World& world, TimeMs now_ms);
  void check_positions(const World& world, TimeMs now_ms);
  void check_heal_liveness(const World& world, TimeMs now_ms);
  void check_agreement(const World& world, TimeMs now_ms);
  bool settled(TimeMs now_ms) const { return healed_at_ms_ && now_ms >= *healed_at_ms_ + heal_.settle_ms; }

  TimeMs liveness_bound_ms_;
  HealBounds heal_;
  bool has_heal_;
  std::optional<TimeMs> healed_at_ms_;
  std::map<Ticket, TimeMs> grant_due_ms_;  // After a heal: present waiting players, by ticket.
  TimeMs next_obligation_check_ms_ = 0;
  std::optional<TimeMs> disagree_since_ms_;
  std::map<std::string, std::uint64_t> positions_sent_;  // This step's last, by channel.
  std::set<Ticket> unacknowledged_;                      // Committed joins not (yet) acknowledged.
  std::set<std::string> committed_channels_;
  std::map<Ticket, std::string> acknowledged_;           // Every acknowledged join, by ticket.
  std::set<Ticket> departed_;
  std::set<Ticket> turn_ended_;
  std::map<Turn, TurnResult> results_told_;  // By the claw, to the player.
  std::map<std::string, Ticket> ticket_by_channel_;      // Every committed join's channel.
  std::set<Ticket> ready_confirmed_;                     // Confirmed the ready check (invariant 11).
  std::map<std::string, std::set<Turn>> grants_by_channel_;  // CHANNEL_LISTEN on the wire.
  std::map<Ticket, std::set<Turn>> turns_started_;            // PersistTurnStart carried out.
  std::map<Turn, std::string> granted_turns_;                 // The first CHANNEL_LISTEN of each turn.
  Turn last_finished_since_boot_ = 0;
  std::optional<Turn> serving_turn_;  // Between the claw's {"control":true} and {"control":false}.
  bool claw_said_ready_ = false;      // CLAW_READY since the last turn or boot: no motor may run.
  // The claw's motor changes since it began the record it has not yet published (invariant 12).
  std::optional<std::vector<std::pair<Motor, bool>>> record_motors_;
  std::set<Ticket> waiting_;        // Acknowledged joins not yet served or gone.
  std::optional<TimeMs> stalled_since_ms_;
  struct CommandReceived {
    Turn turn = 0;
    TimeMs at_ms = 0;
  };
  std::optional<CommandReceived> last_command_received_;  // The last one on the channel its turn was granted to.
  std::set<std::pair<Turn, Seq>> obeyed_;       // Commands that changed a motor.
  std::map<int, TimeMs> motor_on_since_ms_;     // Gantry motor index -> since.
  // The claw's stalls: motors may run on while it cannot act, and overrun past an end switch.
  bool claw_stalled_ = false;
  TimeMs claw_resumed_ms_ = 0;
  std::int64_t claw_drift_ppm_ = 0;
  std::array<TimeMs, motor_count> overrun_excused_ms_{};
  std::optional<Violation> violation_;
};

}  // namespace clawnet::sim
