#include "prod/watch_board.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace clawnet::prod {

void WatchBoard::named(Ticket ticket, std::string name) {
  if (!name.empty()) names_.insert_or_assign(ticket, std::move(name));
}

void WatchBoard::observe(const Effect& effect) {
  if (const auto* departed = std::get_if<PersistDeparture>(&effect)) {
    names_.erase(departed->ticket);
  } else if (const auto* ended = std::get_if<PersistTurnEnd>(&effect)) {
    last_ = LastResult{ended->turn, name_of(ended->ticket), ended->result};
    names_.erase(ended->ticket);
  }
}

std::string WatchBoard::name_of(Ticket ticket) const {
  const auto it = names_.find(ticket);
  return it != names_.end() ? it->second : fmt::format("Player {}", ticket);
}

boost::json::object WatchBoard::view(const ServerMachine& machine, TimeMs now_ms) const {
  boost::json::object board{{"claw", machine.claw_online() ? "online" : "offline"},
                            {"queue", to_string(machine.queue_mode())},
                            {"queue_length", machine.queue().size()},
                            {"turn", nullptr},
                            {"last_result", nullptr}};
  if (const std::optional<TurnView> turn = machine.open_turn()) {
    const TimeMs turn_ms = machine.config().turn_ms;
    const TimeMs left_ms = std::clamp<TimeMs>(turn_ms - (now_ms - turn->started_ms), 0, turn_ms);
    board["turn"] = boost::json::object{
        {"turn", turn->turn}, {"name", name_of(turn->ticket)}, {"left_ms", left_ms}, {"turn_ms", turn_ms}};
  }
  if (last_.has_value()) {
    board["last_result"] =
        boost::json::object{{"turn", last_->turn}, {"name", last_->name}, {"result", to_string(last_->result)}};
  }
  return board;
}

}  // namespace clawnet::prod
