// Oracle: checks DESIGN.md's invariants from outside the machines, after every
// simulation step. It sees what an observer of the whole system could see (the
// machines' getters, the cabinet's physics, the effects the world carried out)
// and keeps its own model of what was promised (acknowledged joins). The first
// violation stops the run.
//
//  1. Single control: the claw serves turn T only on the channel the server
//     granted T to; a gantry motor moves only for the turn being served.
//  2. FIFO fairness: a grant never passes over a present, earlier-joined player.
//  3. Liveness: an idle, reachable claw with a present player waiting gets a
//     turn going within the scenario's liveness bound.
//  4. Motor safety: no motor pushes past its end switch; while a player
//     steers, no gantry motor runs longer than deadman_ms past the last accepted
//     command or longer than motor_on_ms_max; outside a turn only homing moves.
//  5. Durability: after a server restart, every acknowledged and not yet served
//     join is queued again, in order.
//  6. Positions: every queued player was last told a position >= its rank,
//     and exactly its rank near the front.
#pragma once

#include "core/effects.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>

namespace clawnet::sim {

class World;

struct Violation {
  int invariant = 0;
  std::string name;
  std::string detail;
  TimeMs at_ms = 0;
};

class Oracle {
 public:
  explicit Oracle(TimeMs liveness_bound_ms) : liveness_bound_ms_(liveness_bound_ms) {}

  // --- What the world carried out (server effects, claw acceptances) -----------
  void on_join_acknowledged(Ticket ticket, TimeMs now_ms);
  void on_departure(Ticket ticket);
  void on_turn_start(const World& world, Ticket ticket, TimeMs now_ms);
  void on_turn_end(Ticket ticket, TurnOutcome outcome);
  void on_server_restarted(const World& world, TimeMs now_ms);
  void on_command_accepted(TimeMs now_ms) { last_command_ms_ = now_ms; }

  // After every step.
  void check(const World& world, TimeMs now_ms);
  const std::optional<Violation>& violation() const { return violation_; }
  // Records a violation (the first one wins).
  void fail(int invariant, std::string name, std::string detail, TimeMs now_ms);

 private:
  void check_single_control(const World& world, TimeMs now_ms);
  void check_liveness(const World& world, TimeMs now_ms);
  void check_motor_safety(const World& world, TimeMs now_ms);
  void check_positions(const World& world, TimeMs now_ms);

  TimeMs liveness_bound_ms_;
  std::set<Ticket> waiting_;        // Acknowledged joins not yet served or gone.
  std::optional<TimeMs> stalled_since_ms_;
  TimeMs last_command_ms_ = 0;
  std::map<int, TimeMs> motor_on_since_ms_;  // Gantry motor index -> since.
  std::uint64_t checks_ = 0;
  std::optional<Violation> violation_;
};

}  // namespace clawnet::sim
