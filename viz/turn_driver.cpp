// The replay of a recorded turn: its file, its cabinet model, its log lines.
#include "viz/turn_driver.hpp"

#include "core/overloaded.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <utility>

namespace clawnet::viz {
namespace {

// The replay places no prizes and grabs none: nothing is drawn at random.
struct NoRandom {
  std::int64_t between(std::int64_t lo, std::int64_t) { return lo; }
  double unit() { return 0; }
  bool chance(double) { return false; }
};

std::unique_ptr<sim::CabinetPhysics> home_cabinet() {
  sim::CabinetConfig config;
  config.prize_count = 0;
  config.start_x_mm = 0;  // Home: the chute corner (limit_left, limit_down), the claw up.
  config.start_y_mm = 0;
  config.start_z_mm = 0;
  return std::make_unique<sim::CabinetPhysics>(config, CabinetRandom(NoRandom{}), 0);
}

std::string seconds(TimeMs ms) { return fmt::format("{}.{:03}s", ms / 1000, ms % 1000); }

std::optional<std::string> optional_text(const boost::json::object& object, std::string_view key,
                                         std::optional<std::string>& out) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) return fmt::format("field \"{}\" must be a string or null", key);
  out = std::string(value->as_string());
  return std::nullopt;
}

}  // namespace

std::variant<TurnReplay, std::string> load_turn_replay(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fmt::format("{}: cannot read the turn file", path);
  std::string text;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (text.size() > turn_file_bytes_max) {
    return fmt::format("{}: {} bytes, more than a turn file has ({} at most)", path, text.size(), turn_file_bytes_max);
  }
  boost::system::error_code code;
  const boost::json::value value = boost::json::parse(text, code);
  if (code) return fmt::format("{}: not JSON: {}", path, code.message());
  const boost::json::object* object = value.if_object();
  if (object == nullptr) return fmt::format("{}: expected a JSON object, the answer of GET /v1/turns/{{turn}}", path);
  const boost::json::value* turn_value = object->if_contains("turn");
  std::uint64_t turn = 0;
  if (turn_value != nullptr && turn_value->is_uint64()) turn = turn_value->get_uint64();
  if (turn_value != nullptr && turn_value->is_int64() && turn_value->get_int64() > 0) {
    turn = static_cast<std::uint64_t>(turn_value->get_int64());
  }
  if (turn == 0) {
    return fmt::format("{}: field \"turn\" is missing or not a number above 0 (is this the answer of GET "
                       "/v1/turns/{{turn}}?)", path);
  }
  const boost::json::value* record = object->if_contains("record");
  if (record == nullptr) {
    return fmt::format("{}: no field \"record\" (is this the answer of GET /v1/turns/{{turn}}?)", path);
  }
  if (record->is_null()) {
    return fmt::format("{}: \"record\" is null: no record of turn {} was kept (the claw's summary was lost, or "
                       "pruned past store.turn_records_kept)", path, turn);
  }
  TurnReplay replay;
  replay.path = path;
  for (const std::string_view key : {"outcome", "result"}) {
    std::optional<std::string>& out = key == "outcome" ? replay.outcome : replay.result;
    if (auto error = optional_text(*object, key, out)) return fmt::format("{}: {}", path, *error);
  }
  auto decoded = decode_turn_record(boost::json::serialize(*record));
  if (const DecodeError* error = std::get_if<DecodeError>(&decoded)) {
    return fmt::format("{}: \"record\": {}", path, error->detail);
  }
  replay.record = std::get<TurnSummary>(std::move(decoded));
  if (replay.record.turn != turn) {
    return fmt::format("{}: field \"turn\" is {}, but the record is of turn {}", path, turn, replay.record.turn);
  }
  return replay;
}

std::string describe_entry(const TurnEntry& entry) {
  return std::visit(
      Overloaded{
          [](const CommandEntry& e) {
            const std::string no_move = e.no_move ? fmt::format(" (no move: {})", to_string(*e.no_move)) : "";
            return fmt::format("{} {} #{}{}", seconds(e.at_ms), to_string(e.kind), e.seq, no_move);
          },
          [](const RejectionEntry& e) {
            const std::string what = e.kind ? fmt::format(" {} #{}", to_string(*e.kind), e.seq) : "";
            return fmt::format("{} rejected{}: {}", seconds(e.at_ms), what, to_string(e.reason));
          },
          [](const MotorEntry& e) {
            const std::string why = e.cause == MotorCause::player ? "" : fmt::format(" ({})", to_string(e.cause));
            return fmt::format("{} motor {} {}{}", seconds(e.at_ms), to_string(e.motor), e.on ? "on" : "off", why);
          },
          [](const SwitchEntry& e) { return fmt::format("{} switch {} pressed", seconds(e.at_ms), to_string(e.which)); },
      },
      entry);
}

TurnDriver::TurnDriver(TurnReplay replay) : replay_(std::move(replay)) { restart(); }
TurnDriver::~TurnDriver() = default;

void TurnDriver::restart() {
  cabinet_ = home_cabinet();
  next_entry_ = 0;
  result_told_ = false;
  viewer_ms_ = 0;
  log_.clear();
  log(0, fmt::format("turn {} as recorded; starts at home (the claw homes before a turn)", replay_.record.turn));
  if (replay_.record.entries_dropped > 0) {
    log(0, fmt::format("{} entries past the first {} were not kept", replay_.record.entries_dropped,
                       replay_.record.entries.size()));
  }
  replay_to(0);
}

void TurnDriver::log(TimeMs, std::string text) {
  log_.push_back(std::move(text));
  while (log_.size() > sim::recent_log_max) log_.pop_front();
}

// Each motor change at its instant: the model moves the gantry and hoist between them.
void TurnDriver::replay_to(TimeMs to_ms) {
  const std::vector<TurnEntry>& entries = replay_.record.entries;
  for (; next_entry_ < entries.size() && at_ms_of(entries[next_entry_]) <= to_ms; next_entry_ += 1) {
    const TurnEntry& entry = entries[next_entry_];
    const TimeMs at_ms = at_ms_of(entry);
    cabinet_->advance_to(at_ms);
    if (const MotorEntry* motor = std::get_if<MotorEntry>(&entry)) cabinet_->set_motor(motor->motor, motor->on, at_ms);
    log(at_ms, describe_entry(entry));
  }
  cabinet_->advance_to(to_ms);
  if (!result_told_ && to_ms >= end_ms()) {
    result_told_ = true;
    const std::string result = replay_.record.result ? std::string(to_string(*replay_.record.result))
                                                     : replay_.result.value_or("none from the claw");
    log(end_ms(), fmt::format("{} CLAW_READY: result {}", seconds(end_ms()), result));
  }
}

void TurnDriver::advance_ms(TimeMs virtual_ms) {
  viewer_ms_ = std::min(end_ms(), viewer_ms_ + virtual_ms);
  replay_to(viewer_ms_);
}

void TurnDriver::step_one_event() {
  const std::vector<TurnEntry>& entries = replay_.record.entries;
  const TimeMs next_ms = next_entry_ < entries.size() ? at_ms_of(entries[next_entry_]) : end_ms();
  viewer_ms_ = std::max(viewer_ms_, std::min(next_ms, end_ms()));
  replay_to(viewer_ms_);
}

void TurnDriver::send_player_command(std::string_view, std::string_view) {}

sim::Snapshot TurnDriver::snapshot() {
  const TurnSummary& record = replay_.record;
  sim::Snapshot shot;
  shot.now_ms = viewer_ms_;
  shot.scenario = fmt::format("turn {} ({})", record.turn, replay_.path);
  shot.server_up = true;
  shot.claw_up = true;
  shot.server_state = "recorded";
  const bool controlled = record.control_at_ms && viewer_ms_ >= *record.control_at_ms && viewer_ms_ < record.ended_at_ms;
  if (viewer_ms_ >= end_ms()) {
    shot.claw_state = "Ready";
  } else if (viewer_ms_ >= record.ended_at_ms) {
    shot.claw_state = "drop cycle";
  } else {
    shot.claw_state = controlled ? "Controlled" : "Subscribing";
  }
  if (controlled) {
    shot.controller = record.channel;
    shot.turn = record.turn;
    shot.turn_ms = record.turn_ms;
    shot.turn_ends_ms = *record.control_at_ms + record.turn_ms;
  }
  if (result_told_) {
    std::optional<TurnResult> result = record.result;
    if (!result && replay_.result) result = turn_result_named(*replay_.result);
    if (result) shot.last_result = sim::ResultView{record.turn, *result};
  }
  shot.cabinet = cabinet_->view();
  shot.recent_log.assign(log_.begin(), log_.end());
  shot.finished = viewer_ms_ >= end_ms();
  return shot;
}

}  // namespace clawnet::viz
