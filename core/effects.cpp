#include "core/effects.hpp"
#include "core/overloaded.hpp"

#include <fmt/format.h>

#include <array>

namespace clawnet {
std::string_view to_string(Motor motor) {
  constexpr std::array<std::string_view, motor_count> names = {
      "gantry_up", "gantry_down", "gantry_left", "gantry_right", "claw_lower", "claw_raise", "claw_close"};
  return names.at(static_cast<std::size_t>(motor));
}

std::string_view to_string(AdminAction action) {
  constexpr std::array<std::string_view, admin_action_count> names = {"pause", "resume", "skip",
                                                                      "kick",  "estop",  "reset"};
  return names.at(static_cast<std::size_t>(action));
}

std::string_view to_string(TurnOutcome outcome) {
  constexpr std::array<std::string_view, turn_outcome_count> names = {"completed", "ended_by_server"};
  return names.at(static_cast<std::size_t>(outcome));
}

std::string_view to_string(JoinRefusal refusal) {
  constexpr std::array<std::string_view, 5> names = {"none", "starting", "malformed_channel", "channel_in_use",
                                                     "queue_full"};
  return names.at(static_cast<std::size_t>(refusal));
}

std::string describe(const Effect& effect) {
  return std::visit(
      Overloaded{
          [](const Publish& e) { return fmt::format("publish {} {}", e.channel, encode(e.message)); },
          [](const Subscribe& e) { return fmt::format("subscribe {}", e.channel); },
          [](const Unsubscribe& e) { return fmt::format("unsubscribe {}", e.channel); },
          [](const SetMotor& e) { return fmt::format("motor {} {}", to_string(e.motor), e.on ? "on" : "off"); },
          [](const PersistJoin& e) { return fmt::format("persist join #{} {}", e.ticket, e.channel); },
          [](const PersistDeparture& e) {
            return fmt::format("persist departure #{} ({})", e.ticket, to_string(e.reason));
          },
          [](const PersistTurnStart& e) { return fmt::format("persist turn {} start #{}", e.turn, e.ticket); },
          [](const PersistTurnEnd& e) {
            return fmt::format("persist turn {} end #{} ({}, {})", e.turn, e.ticket, to_string(e.outcome),
                               to_string(e.result));
          },
          [](const PersistAdminAction& e) {
            return fmt::format("persist admin {}{} {}: {}", to_string(e.action),
                               e.action == AdminAction::kick ? fmt::format(" #{}", e.ticket) : std::string(),
                               e.done ? "done" : "refused", e.detail);
          },
          [](const PersistTurnRecord& e) {
            return fmt::format("persist turn {} record ({} entries)", e.turn, e.summary.entries.size());
          },
          [](const RevokePlayer& e) { return fmt::format("revoke {}", e.channel); },
          [](const JoinReply& e) {
            if (!e.accepted) return fmt::format("join #{} refused: {}", e.request, e.refusal);
            return fmt::format("join #{} accepted {} position {}", e.request, e.channel, e.position);
          },
          [](const Log& e) { return fmt::format("log {}", e.text); },
      },
      effect);
}

}  // namespace clawnet
