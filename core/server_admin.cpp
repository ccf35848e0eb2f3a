// ServerMachine::Impl: operator actions (pause, resume, skip, kick, e-stop, reset)
// and the queue mode they set. A turn ends through the table (OperatorEnd, in
// server_machine.cpp); everything else here is bookkeeping.
#include "core/server_machine_impl.hpp"

#include "core/assert.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

#include <utility>

namespace clawnet {
namespace {

AdminAnswer done(std::string detail) { return AdminAnswer{true, std::move(detail)}; }
AdminAnswer refused(std::string detail) { return AdminAnswer{false, std::move(detail)}; }

constexpr std::string_view held_by_estop = "the emergency stop holds the queue: reset it first";

}  // namespace

AdminAnswer ServerMachine::Impl::admin(AdminRequest request, TimeMs now_ms) {
  AdminAnswer answer;
  if (state == server_detail::booting_name) {
    answer = refused("the server is starting");
  } else {
    switch (request.action) {
      case AdminAction::pause:
        if (mode == QueueMode::stopped) {
          answer = refused(std::string(held_by_estop));
        } else {
          answer = done(mode == QueueMode::paused ? "already paused" : "paused: no next turn starts");
          set_mode(QueueMode::paused);
        }
        break;
      case AdminAction::resume:
        if (mode == QueueMode::stopped) {
          answer = refused(std::string(held_by_estop));
        } else {
          answer = done(mode == QueueMode::running ? "already running" : "resumed");
          set_mode(QueueMode::running);
        }
        break;
      case AdminAction::skip:
        if (!open) {
          answer = refused("no turn in progress");
        } else {
          answer = done(fmt::format("ending turn {}", open->turn));
          end_turn_by_operator(now_ms);
        }
        break;
      case AdminAction::kick: answer = kick(request.ticket, now_ms); break;
      case AdminAction::estop: answer = emergency_stop(now_ms); break;
      case AdminAction::reset:
        if (mode != QueueMode::stopped) {
          answer = refused("no emergency stop to reset");
        } else {
          timers.clear(Timer::estop_resend);
          set_mode(QueueMode::running);
          publish(secure_channel, ResetClaw{});
          answer = done("reset: the claw homes, then the queue runs");
        }
        break;
    }
  }
  (answer.done ? counters.admin_done : counters.admin_refused) += 1;
  const bool kicks = request.action == AdminAction::kick;
  outbox.push_back(PersistAdminAction{request.action, kicks ? request.ticket : 0, answer.done, answer.detail, now_ms});
  outbox.push_back(Log{fmt::format("admin {}{}: {}{}", to_string(request.action),
                                   kicks ? fmt::format(" #{}", request.ticket) : std::string(),
                                   answer.done ? "" : "refused: ", answer.detail)});
  return answer;
}

AdminAnswer ServerMachine::Impl::kick(Ticket ticket, TimeMs now_ms) {
  if (queue.find(ticket) != nullptr) {
    coverage::sometimes(coverage::Probe::server_kicked_waiting);
    publish(queue.find(ticket)->channel, Departed{DepartureReason::kicked});
    remove_player(ticket, DepartureReason::kicked);
    return done(fmt::format("#{} removed from the queue", ticket));
  }
  if (open && open->ticket == ticket) {
    AdminAnswer answer = done(fmt::format("#{} loses turn {}", ticket, open->turn));
    end_turn_by_operator(now_ms);
    return answer;
  }
  return refused(fmt::format("no player #{} is waiting or in a turn", ticket));
}

// Safety first: the claw hears ESTOP before anything else happens.
AdminAnswer ServerMachine::Impl::emergency_stop(TimeMs now_ms) {
  send_estop(now_ms);
  const bool again = mode == QueueMode::stopped;
  set_mode(QueueMode::stopped);
  std::string detail = again ? "emergency stop sent again" : "emergency stop: the queue is stopped until reset";
  if (open) {
    detail += fmt::format("; turn {} ends", open->turn);
    end_turn_by_operator(now_ms);
  }
  return done(std::move(detail));
}

void ServerMachine::Impl::set_mode(QueueMode next) {
  if (mode == next) return;
  mode = next;
  publish(lobby_channel, QueueState{mode});
}

void ServerMachine::Impl::send_estop(TimeMs now_ms) {
  publish(secure_channel, EmergencyStop{});
  timers.set(Timer::estop_resend, now_ms + config.resend_ms);
}

// While the queue is stopped, a claw that reports ready or controlled has not
// heard the ESTOP (it was lost, or the claw rebooted): it hears it again, and
// until it answers. A stopped or offline claw runs no motor: the repeats end.
// While the queue runs, a claw still stopped missed the RESET.
void ServerMachine::Impl::enforce_stop(ClawStatus status, TimeMs now_ms) {
  const bool idle_motors = status == ClawStatus::stopped || status == ClawStatus::offline;
  if (mode == QueueMode::stopped) {
    if (idle_motors) {
      timers.clear(Timer::estop_resend);
    } else if (!timers.armed(Timer::estop_resend)) {
      send_estop(now_ms);
    }
  } else if (status == ClawStatus::stopped) {
    publish(secure_channel, ResetClaw{});
  }
}

}  // namespace clawnet
