#include "sim/oracle.hpp"

#include "core/limits.hpp"
#include "sim/world.hpp"

#include <fmt/format.h>

#include <vector>

namespace clawnet::sim {

void Oracle::fail(int invariant, std::string name, std::string detail, TimeMs now_ms) {
  if (violation_) return;  // The first violation is the one that matters.
  violation_ = Violation{invariant, std::move(name), std::move(detail), now_ms};
}

void Oracle::on_join_acknowledged(Ticket ticket, TimeMs) { waiting_.insert(ticket); }

void Oracle::on_departure(Ticket ticket) { waiting_.erase(ticket); }

void Oracle::on_turn_start(const World& world, Ticket ticket, TimeMs now_ms) {
  waiting_.erase(ticket);
  if (world.server() == nullptr) return;
  std::optional<Ticket> earliest_present = world.server()->queue().first_present();
  if (earliest_present && *earliest_present < ticket) {
    fail(2, "FIFO fairness",
         fmt::format("ticket #{} was granted while present ticket #{} (joined earlier) waits", ticket,
                     *earliest_present),
         now_ms);
  }
}

void Oracle::on_turn_end(Ticket ticket, TurnOutcome outcome) {
  // An aborted turn sends its player back to the front: it is owed a turn again.
  if (outcome == TurnOutcome::aborted) waiting_.insert(ticket);
}

void Oracle::on_server_restarted(const World& world, TimeMs now_ms) {
  std::vector<Ticket> queued;
  world.server()->queue().for_each([&](const QueuedPlayer& player) { queued.push_back(player.ticket); });
  std::vector<Ticket> expected(waiting_.begin(), waiting_.end());
  if (queued != expected) {
    fail(5, "durability",
         fmt::format("after restart the queue holds {} players, {} acknowledged joins are owed a place{}",
                     queued.size(), expected.size(),
                     queued.size() == expected.size() ? " (same count, different order or tickets)" : ""),
         now_ms);
  }
}

void Oracle::check(const World& world, TimeMs now_ms) {
  if (violation_) return;
  checks_ += 1;
  check_single_control(world, now_ms);
  check_motor_safety(world, now_ms);
  check_liveness(world, now_ms);
  check_positions(world, now_ms);
}

void Oracle::check_single_control(const World& world, TimeMs now_ms) {
  const ClawMachine* claw = world.claw();
  if (claw == nullptr) return;
  std::optional<std::string> listening = claw->listening_channel();
  if (!listening) return;
  std::optional<std::string> granted = world.granted_channel(claw->current_turn());
  if (!granted || *granted != *listening) {
    fail(1, "single control",
         fmt::format("the claw serves turn {} on {} but the server granted that turn to {}", claw->current_turn(),
                     *listening, granted.value_or("nobody")),
         now_ms);
  }
}

void Oracle::check_motor_safety(const World& world, TimeMs now_ms) {
  const CabinetPhysics& cabinet = world.cabinet();
  for (int index = 0; index < motor_count; index += 1) {
    const Motor motor = static_cast<Motor>(index);
    if (cabinet.overrun_ms(motor) > 0) {
      fail(4, "motor safety", fmt::format("{} pushed past its end switch for {} ms", to_string(motor),
                                          cabinet.overrun_ms(motor)),
           now_ms);
    }
  }
  const ClawMachine* claw = world.claw();
  const std::string_view state = claw ? claw->state_name() : std::string_view("down");
  for (int index = 0; index < direction_count; index += 1) {
    const Motor motor = gantry_motor(static_cast<Direction>(index));
    if (!cabinet.motor_on(motor)) {
      motor_on_since_ms_.erase(index);
      continue;
    }
    const TimeMs since_ms = motor_on_since_ms_.try_emplace(index, now_ms).first->second;
    const bool homing = state == "Homing" && (motor == Motor::gantry_left || motor == Motor::gantry_down);
    if (claw == nullptr || (state != "Controlled" && !homing)) {
      fail(4, "motor safety", fmt::format("{} runs while the claw is {}", to_string(motor), state), now_ms);
      return;
    }
    if (homing) continue;
    if (now_ms - last_command_ms_ > claw->config().deadman_ms) {
      fail(4, "motor safety",
           fmt::format("{} still on {} ms after the last accepted command (dead-man bound {} ms)", to_string(motor),
                       now_ms - last_command_ms_, claw->config().deadman_ms),
           now_ms);
    }
    if (now_ms - since_ms > claw->config().motor_on_ms_max) {
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

// Full check for small queues; for big ones the exact ranks plus a stride, so
// the oracle stays cheap per step while any systematic error is still caught.
void Oracle::check_positions(const World& world, TimeMs now_ms) {
  const ServerMachine* server = world.server();
  if (server == nullptr) return;
  const PlayerQueue& queue = server->queue();
  const std::size_t size = queue.size();
  const std::size_t stride = size <= 2'000 ? 1 : 997;
  auto check_rank = [&](std::size_t rank) {
    const QueuedPlayer& player = queue.at(rank);
    const bool exact = rank < limits::position_exact_ranks;
    if (player.shown_position < rank || (exact && player.shown_position != rank)) {
      fail(6, "positions",
           fmt::format("{} is at rank {} but was last told {}", player.channel, rank, player.shown_position), now_ms);
    }
  };
  for (std::size_t rank = 0; rank < size && rank < limits::position_exact_ranks; rank += 1) check_rank(rank);
  for (std::size_t rank = limits::position_exact_ranks + (checks_ % stride); rank < size; rank += stride) {
    check_rank(rank);
  }
}

}  // namespace clawnet::sim
