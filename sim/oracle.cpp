#include "sim/oracle.hpp"

#include "core/limits.hpp"
#include "core/probes.hpp"
#include "sim/world.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace clawnet::sim {

std::string_view to_string(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::safety: return "safety";
    case ViolationKind::liveness: return "liveness";
    case ViolationKind::livelock: return "livelock";
    case ViolationKind::simulation: return "simulation";
  }
  return "?";
}

HealBounds heal_bounds(const ServerConfig& server, const ClawConfig& claw, const NetworkOptions& network) {
  const TimeMs message_ms = network.latency_ms_max + network.reorder_ms_max;  // One message, at worst.
  const TimeMs drop_cycle_ms = claw.lower_ms + claw.grip_ms + claw.raise_ms_max + claw.home_ms_max + claw.release_ms +
                             claw.prize_settle_ms;
  HealBounds bounds;
  // CHANNEL_LISTEN (maybe resent), the subscription, the turn or the server's
  // limit on it, END_TURN (maybe resent), the drop cycle, CLAW_READY (repeated
  // while idle) and the next grant; with the ready check, the question and its
  // answer (maybe asked again) first.
  bounds.turn_bound_ms = server.turn_ms + server.turn_slack_ms + claw.subscribe_ms_max + drop_cycle_ms +
                         claw.ready_repeat_ms + 2 * server.resend_ms + 6 * message_ms + server.ready_ms;
  // What the faults left behind: a presence timeout of a vanished node, link
  // detection both ways, a subscription asked again, a claw that restarted and
  // homes, an absent player's grace, and the turn that was under way.
  bounds.settle_ms = network.heartbeat_timeout_ms + 2 * network.link_detect_ms + subscribe_retry_ms + claw.raise_ms_max +
                     claw.home_ms_max + server.grace_ms + bounds.turn_bound_ms;
  bounds.agreement_ms = 2 * server.resend_ms + 4 * message_ms;
  return bounds;
}

void Oracle::fail(int invariant, std::string name, std::string detail, TimeMs now_ms) {
  if (violation_) return;  // The first violation is the one that matters.
  const ViolationKind kind = invariant == 0   ? ViolationKind::simulation
                             : invariant == 3 ? ViolationKind::liveness
                                              : ViolationKind::safety;
  violation_ = Violation{invariant, std::move(name), std::move(detail), now_ms, kind};
}

void Oracle::on_turn_summary(const TurnSummary& summary, TimeMs now_ms) {
  if (!record_motors_) {
    return fail(12, "turn records", fmt::format("the claw published a summary of turn {} without a grant since "
                                                "it booted or published the last one", summary.turn), now_ms);
  }
  std::vector<std::pair<Motor, bool>> listed;
  for (const TurnEntry& entry : summary.entries) {
    if (const MotorEntry* motor = std::get_if<MotorEntry>(&entry)) listed.emplace_back(motor->motor, motor->on);
  }
  const std::vector<std::pair<Motor, bool>> carried_out = *std::exchange(record_motors_, std::nullopt);
  const bool complete = summary.entries_dropped == 0;
  const bool matches = complete ? listed == carried_out
                                : listed.size() <= carried_out.size() &&
                                      std::equal(listed.begin(), listed.end(), carried_out.begin());
  if (matches) return;
  std::size_t first = 0;
  while (first < listed.size() && first < carried_out.size() && listed[first] == carried_out[first]) first += 1;
  const auto describe_change = [](const std::vector<std::pair<Motor, bool>>& changes, std::size_t index) {
    if (index >= changes.size()) return std::string("nothing");
    return fmt::format("{} {}", to_string(changes[index].first), changes[index].second ? "on" : "off");
  };
  fail(12, "turn records",
       fmt::format("the summary of turn {} lists {} motor changes, the claw carried out {}; change {} is {} in the "
                   "summary and {} on the cabinet",
                   summary.turn, listed.size(), carried_out.size(), first + 1, describe_change(listed, first),
                   describe_change(carried_out, first)),
       now_ms);
}

void Oracle::fail_livelock(std::string detail, TimeMs now_ms) {
  if (violation_) return;
  violation_ = Violation{0, "livelock", std::move(detail), now_ms, ViolationKind::livelock};
}

void Oracle::on_join_acknowledged(Ticket ticket, const std::string& channel, TimeMs) {
  waiting_.insert(ticket);
  unacknowledged_.erase(ticket);
  acknowledged_.emplace(ticket, channel);
}

void Oracle::on_departure(Ticket ticket) {
  waiting_.erase(ticket);
  departed_.insert(ticket);
}

void Oracle::on_turn_end(const PersistTurnEnd& end, TimeMs now_ms) {
  turn_ended_.insert(end.ticket);
  if (end.outcome != TurnOutcome::completed) return;
  const auto told = results_told_.find(end.turn);
  if (told == results_told_.end() || told->second == end.result) return;
  fail(9, "results",
       fmt::format("turn {} was stored as {}, but the claw told its player {}", end.turn, to_string(end.result),
                   to_string(told->second)),
       now_ms);
}

void Oracle::on_player_revoked(const std::string& channel, TimeMs now_ms) {
  const auto ticket = ticket_by_channel_.find(channel);
  if (ticket == ticket_by_channel_.end()) {
    return fail(8, "rights", fmt::format("revoked {}, for which no join was committed", channel), now_ms);
  }
  if (departed_.contains(ticket->second) || turn_ended_.contains(ticket->second)) return;
  fail(8, "rights",
       fmt::format("revoked {} (ticket #{}) while it holds its place: it neither departed nor had its turn end",
                   channel, ticket->second),
       now_ms);
}

HistoryCounts Oracle::history(const World& world) const {
  HistoryCounts counts;
  auto note = [&](std::string problem) {
    if (counts.first_problem.empty()) counts.first_problem = std::move(problem);
  };
  const ServerMachine* server = world.server();
  for (const auto& [ticket, channel] : acknowledged_) {
    counts.acknowledged += 1;
    std::set<Turn> served;
    if (auto grants = grants_by_channel_.find(channel); grants != grants_by_channel_.end()) served = grants->second;
    if (auto started = turns_started_.find(ticket); started != turns_started_.end()) {
      served.insert(started->second.begin(), started->second.end());
    }
    if (!served.empty()) {
      counts.served += 1;
      if (served.size() > 1) {
        counts.duplicated += 1;
        note(fmt::format("ticket #{} ({}) was served in turns {}", ticket, world.owner_of(channel).value_or(channel),
                         fmt::join(served, " and ")));
      }
      continue;
    }
    // Not granted: departed, or still owed a place (the server down can hold it too).
    const bool still_owed = server == nullptr || server->queue().find(ticket) != nullptr ||
                            (server->open_turn() && server->open_turn()->ticket == ticket);
    if (departed_.contains(ticket) || still_owed) continue;
    counts.lost += 1;
    note(fmt::format("ticket #{} ({}) was acknowledged, never served, never departed, and is not queued", ticket,
                     world.owner_of(channel).value_or(channel)));
  }
  for (const auto& [channel, turns] : grants_by_channel_) {
    const bool known = committed_channels_.contains(channel) ||
                       std::any_of(acknowledged_.begin(), acknowledged_.end(),
                                   [&](const auto& join) { return join.second == channel; });
    if (known) continue;
    counts.unexpected += 1;
    note(fmt::format("turn {} was granted to {}, which no join was committed for", *turns.begin(), channel));
  }
  return counts;
}

void Oracle::on_turn_start(const World& world, Ticket ticket, Turn turn, TimeMs now_ms) {
  waiting_.erase(ticket);
  turns_started_[ticket].insert(turn);
  if (world.server() == nullptr) return;
  if (const QueueMode mode = world.server()->queue_mode(); mode != QueueMode::running) {
    return fail(10, "operator holds", fmt::format("turn {} started for ticket #{} while the queue is {}", turn, ticket,
                                                  to_string(mode)),
                now_ms);
  }
  if (world.server()->config().ready_ms > 0 && !ready_confirmed_.contains(ticket)) {
    return fail(11, "ready check",
                fmt::format("turn {} started for ticket #{}, which never confirmed the ready check", turn, ticket),
                now_ms);
  }
  std::optional<Ticket> earliest_present = world.server()->queue().first_present();
  if (earliest_present && *earliest_present < ticket) {
    fail(2, "FIFO fairness",
         fmt::format("ticket #{} was granted while present ticket #{} (joined earlier) waits", ticket,
                     *earliest_present),
         now_ms);
  }
}

void Oracle::on_server_restarted(const World& world, TimeMs now_ms) {
  std::vector<Ticket> queued;
  world.server()->queue().for_each([&](const QueuedPlayer& player) {
    if (!unacknowledged_.contains(player.ticket)) queued.push_back(player.ticket);
  });
  std::vector<Ticket> expected(waiting_.begin(), waiting_.end());
  if (queued != expected) {
    fail(5, "durability",
         fmt::format("after restart the queue holds {} players, {} acknowledged joins are owed a place{}",
                     queued.size(), expected.size(),
                     queued.size() == expected.size() ? " (same count, different order or tickets)" : ""),
         now_ms);
  }
}

void Oracle::check_emergency_stop(const World& world, TimeMs now_ms) {
  const ClawMachine* claw = world.claw();
  if (claw == nullptr || !claw->emergency_stopped()) return;
  for (int index = 0; index < motor_count; index += 1) {
    const Motor motor = static_cast<Motor>(index);
    if (world.cabinet().motor_on(motor)) {
      return fail(10, "operator holds", fmt::format("{} runs under an emergency stop", to_string(motor)), now_ms);
    }
  }
}

void Oracle::check(const World& world, TimeMs now_ms) {
  if (violation_) return;
  check_motor_safety(world, now_ms);
  check_emergency_stop(world, now_ms);
  if (!has_heal_ || settled(now_ms)) check_liveness(world, now_ms);
  check_positions(world, now_ms);
  if (settled(now_ms)) {
    check_heal_liveness(world, now_ms);
    check_agreement(world, now_ms);
  }
}

// Checked on the wire: the claw tells a player it has control of turn T only
// if the server's CHANNEL_LISTEN gave T to that channel, and never for a turn
// it has finished since it booted.
void Oracle::on_control_granted(const World& world, Turn turn, const std::string& channel, TimeMs now_ms) {
  results_told_.erase(turn);  // A turn granted again is judged by its new serving (invariant 9).
  auto granted = granted_turns_.find(turn);
  if (granted == granted_turns_.end() || granted->second != channel) {
    return fail(1, "single control",
                fmt::format("the claw gave {} control of turn {}, which the server granted to {}",
                            world.owner_of(channel).value_or(channel), turn,
                            granted == granted_turns_.end() ? "nobody" : granted->second),
                now_ms);
  }
  serving_turn_ = turn;
  claw_said_ready_ = false;
  if (turn > last_finished_since_boot_) return;
  fail(1, "single control",
       fmt::format("the claw granted turn {} to {} after it had finished turn {}", turn,
                   world.owner_of(channel).value_or(channel), last_finished_since_boot_),
       now_ms);
}

void Oracle::on_claw_received(const std::string& channel, const Command& command, TimeMs now_ms) {
  auto granted = granted_turns_.find(command.turn);
  if (granted == granted_turns_.end() || granted->second != channel) return;  // The claw must not obey it.
  last_command_received_ = CommandReceived{command.turn, now_ms};
}

void Oracle::on_command_obeyed(const World& world, const std::string& channel, const Command& command, TimeMs now_ms) {
  const std::string who = world.owner_of(channel).value_or(channel);
  auto granted = granted_turns_.find(command.turn);
  if (granted == granted_turns_.end() || granted->second != channel) {
    return fail(1, "single control",
                fmt::format("the claw obeyed {}'s command for turn {}, which the server granted to {}", who,
                            command.turn, granted == granted_turns_.end() ? "nobody" : granted->second),
                now_ms);
  }
  if (serving_turn_ != command.turn) {
    return fail(1, "single control",
                fmt::format("the claw obeyed {}'s command for turn {} while it serves {}", who, command.turn,
                            serving_turn_ ? fmt::format("turn {}", *serving_turn_) : std::string("no turn")),
                now_ms);
  }
  if (!obeyed_.emplace(command.turn, command.seq).second) {
    fail(1, "single control",
         fmt::format("the claw obeyed command (turn {}, seq {}) from {} twice", command.turn, command.seq, who), now_ms);
  }
}

void Oracle::on_claw_stalled(bool stalled, const CabinetPhysics& cabinet, TimeMs now_ms) {
  claw_stalled_ = stalled;
  if (stalled) return;
  claw_resumed_ms_ = now_ms;
  for (int index = 0; index < motor_count; index += 1) {
    overrun_excused_ms_.at(static_cast<std::size_t>(index)) = cabinet.overrun_ms(static_cast<Motor>(index));
  }
}

void Oracle::check_motor_safety(const World& world, TimeMs now_ms) {
  const CabinetPhysics& cabinet = world.cabinet();
  if (claw_stalled_) return;  // No software can stop a motor now (invariant 4's note).
  for (int index = 0; index < motor_count; index += 1) {
    const Motor motor = static_cast<Motor>(index);
    const TimeMs excused_ms = overrun_excused_ms_.at(static_cast<std::size_t>(index));  // From a stall.
    if (cabinet.overrun_ms(motor) > excused_ms) {
      fail(4, "motor safety", fmt::format("{} pushed past its end switch for {} ms", to_string(motor),
                                          cabinet.overrun_ms(motor) - excused_ms),
           now_ms);
    }
  }
  const ClawMachine* claw = world.claw();
  for (int index = 0; index < direction_count; index += 1) {
    const Motor motor = gantry_motor(static_cast<Direction>(index));
    if (!cabinet.motor_on(motor)) {
      motor_on_since_ms_.erase(index);
      continue;
    }
    const TimeMs since_ms = motor_on_since_ms_.try_emplace(index, now_ms).first->second;
    const bool homing_motor = motor == Motor::gantry_left || motor == Motor::gantry_down;
    const bool may_home = !serving_turn_ && !claw_said_ready_ && homing_motor;
    if (claw == nullptr || (!serving_turn_ && !may_home)) {
      fail(4, "motor safety",
           fmt::format("{} runs while the claw serves no turn ({})", to_string(motor),
                       claw == nullptr ? "it is down" : claw_said_ready_ ? "it said CLAW_READY" : "it is homing"),
           now_ms);
      return;
    }
    if (may_home) continue;  // Homing is bounded by the claw's own home_ms_max.
    // The claw's timers run on its clock (and a millisecond of rounding).
    const auto on_claw_clock = [&](TimeMs bound_ms) { return bound_ms + bound_ms * claw_drift_ppm_ / 1'000'000 + 1; };
    if (!last_command_received_ || last_command_received_->turn != *serving_turn_) {
      fail(4, "motor safety",
           fmt::format("{} runs in turn {}, and no command for that turn came", to_string(motor), *serving_turn_), now_ms);
      return;
    }
    const TimeMs fed_ms = std::max(last_command_received_->at_ms, claw_resumed_ms_);
    if (now_ms - fed_ms > on_claw_clock(claw->config().deadman_ms)) {
      fail(4, "motor safety",
           fmt::format("{} still on {} ms after the last command of the turn (dead-man bound {} ms)", to_string(motor),
                       now_ms - fed_ms, claw->config().deadman_ms),
           now_ms);
    }
    if (now_ms - std::max(since_ms, claw_resumed_ms_) > on_claw_clock(claw->config().motor_on_ms_max)) {
      fail(4, "motor safety",
           fmt::format("{} on for {} ms (bound {} ms)", to_string(motor), now_ms - since_ms,
                       claw->config().motor_on_ms_max),
           now_ms);
    }
  }
  if (claw != nullptr) {
    for (int index = 0; index < motor_count; index += 1) {
      const Motor motor = static_cast<Motor>(index);
      if (claw->motor_on(motor) != cabinet.motor_on(motor)) {
        fail(4, "motor safety", fmt::format("the claw believes {} is {} but it is not", to_string(motor),
                                            claw->motor_on(motor) ? "on" : "off"),
             now_ms);
      }
    }
  }
}

void Oracle::check_liveness(const World& world, TimeMs now_ms) {
  const ServerMachine* server = world.server();
  const ClawMachine* claw = world.claw();
  const bool stalled = server != nullptr && claw != nullptr && claw->state_name() == "Ready" &&
                       server->queue().present_count() > 0 && world.reachable("server") &&
                       world.reachable("claw");
  if (!stalled) {
    stalled_since_ms_.reset();
    return;
  }
  if (!stalled_since_ms_) stalled_since_ms_ = now_ms;
  if (now_ms - *stalled_since_ms_ > liveness_bound_ms_) {
    fail(3, "liveness",
         fmt::format("the claw has been idle for {} ms while {} present players wait (bound {} ms)",
                     now_ms - *stalled_since_ms_, server->queue().present_count(), liveness_bound_ms_),
         now_ms);
  }
}

// Every Position the server put on the wire in this step, against the queue
// the step left: exact near the front, never below the rank beyond.
void Oracle::check_positions(const World& world, TimeMs now_ms) {
  const ServerMachine* server = world.server();
  if (server != nullptr) {
    const PlayerQueue& queue = server->queue();
    for (const auto& [channel, position] : positions_sent_) {
      std::optional<Ticket> ticket = queue.ticket_of(channel);
      if (!ticket) continue;  // Gone within the same step.
      const std::size_t rank = queue.rank_of(*ticket);
      if (position < rank || (rank < limits::position_exact_ranks && position != rank)) {
        fail(6, "positions",
             fmt::format("the server told {} position {} but its rank is {}",
                         world.owner_of(channel).value_or(channel), position, rank),
             now_ms);
      }
    }
  }
  positions_sent_.clear();
}

void Oracle::on_position_received(const World& world, const std::string& channel, std::uint64_t position,
                                  TimeMs now_ms) {
  const ServerMachine* server = world.server();
  if (server == nullptr) return;
  std::optional<Ticket> ticket = server->queue().ticket_of(channel);
  if (!ticket) return;
  const std::size_t rank = server->queue().rank_of(*ticket);
  if (position < rank) {
    fail(6, "positions",
         fmt::format("{} received position {} but {} players are ahead of it",
                     world.owner_of(channel).value_or(channel), position, rank),
         now_ms);
  }
}

// After the heal has settled, each present waiting player is owed a grant
// within (players present ahead of it + 1) turn bounds of when it was first
// seen waiting. Checked four times a virtual second: the bounds are seconds.
void Oracle::check_heal_liveness(const World& world, TimeMs now_ms) {
  constexpr TimeMs obligation_check_every_ms = 250;
  if (now_ms < next_obligation_check_ms_) return;
  next_obligation_check_ms_ = now_ms + obligation_check_every_ms;
  const ServerMachine* server = world.server();
  if (server == nullptr) return fail(3, "liveness", "the server is down after the heal", now_ms);
  std::set<Ticket> waiting;
  std::uint64_t present_ahead = 0;
  server->queue().for_each([&](const QueuedPlayer& player) {
    if (!player.present || violation_) return;
    const TimeMs due_ms = now_ms + static_cast<TimeMs>(present_ahead + 1) * heal_.turn_bound_ms;
    const TimeMs owed_ms = grant_due_ms_.try_emplace(player.ticket, due_ms).first->second;
    present_ahead += 1;
    waiting.insert(player.ticket);
    if (now_ms <= owed_ms) return;
    fail(3, "liveness",
         fmt::format("{} (ticket #{}) is present and waiting but had no turn by {} ({} after the heal; "
                     "bound: players ahead + 1 turns of {} ms)",
                     world.owner_of(player.channel).value_or(player.channel), player.ticket, format_duration(owed_ms),
                     format_duration(now_ms - *healed_at_ms_), heal_.turn_bound_ms),
         now_ms);
  });
  std::erase_if(grant_due_ms_, [&](const auto& entry) { return !waiting.contains(entry.first); });
}

// After the heal, a claw that serves a turn serves the one the server has open.
void Oracle::check_agreement(const World& world, TimeMs now_ms) {
  const ServerMachine* server = world.server();
  const ClawMachine* claw = world.claw();
  std::optional<std::string> claw_channel = claw ? claw->listening_channel() : std::nullopt;
  std::optional<TurnView> open = server ? server->open_turn() : std::nullopt;
  const bool agree = !claw_channel || (open && open->channel == *claw_channel && open->turn == claw->current_turn());
  if (agree) {
    disagree_since_ms_.reset();
    return;
  }
  if (!disagree_since_ms_) disagree_since_ms_ = now_ms;
  if (now_ms - *disagree_since_ms_ <= heal_.agreement_ms) return;
  fail(3, "liveness",
       fmt::format("the claw serves turn {} on {} but the server has {} open, for {} ms (bound {} ms)",
                   claw->current_turn(), world.owner_of(*claw_channel).value_or(*claw_channel),
                   open ? fmt::format("turn {}", open->turn) : std::string("no turn"), now_ms - *disagree_since_ms_,
                   heal_.agreement_ms),
       now_ms);
}

// At the end: the history check, and for a healed run, the queue has drained,
// no turn is open, and the claw is idle with every motor off.
void Oracle::check_end(const World& world, TimeMs now_ms) {
  if (violation_) return;
  const HistoryCounts counts = history(world);
  if (counts.lost + counts.duplicated + counts.unexpected > 0) {
    return fail(7, "history",
                fmt::format("{} lost, {} duplicated, {} unexpected; {}", counts.lost, counts.duplicated,
                            counts.unexpected, counts.first_problem),
                now_ms);
  }
  if (!healed_at_ms_) return;
  const ServerMachine* server = world.server();
  const ClawMachine* claw = world.claw();
  if (server == nullptr || claw == nullptr) {
    return fail(3, "liveness", fmt::format("the {} is down at the end", server ? "claw" : "server"), now_ms);
  }
  if (server->queue().size() > 0) {
    const QueuedPlayer& first = server->queue().at(0);
    return fail(3, "liveness",
                fmt::format("the queue did not drain: {} still queued, first {} (ticket #{}, {})",
                            server->queue().size(), world.owner_of(first.channel).value_or(first.channel),
                            first.ticket, first.present ? "present" : "absent"),
                now_ms);
  }
  if (std::optional<TurnView> open = server->open_turn()) {
    return fail(3, "liveness", fmt::format("turn {} is still open at the end ({})", open->turn, server->state_name()),
                now_ms);
  }
  if (claw->state_name() != "Ready") {
    return fail(3, "liveness", fmt::format("the claw is {} at the end, not Ready", claw->state_name()), now_ms);
  }
}

}  // namespace clawnet::sim
