#include "core/protocol.hpp"
#include "core/overloaded.hpp"

#include "core/limits.hpp"
#include "core/turn_summary_json.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <array>
#include <optional>
#include <vector>

namespace clawnet {
namespace json = boost::json;

namespace {

// Indexed by the enums' values: decoding casts an index back to the enum.
constexpr std::array<std::string_view, 9> command_names = {
    "upOn", "upOff", "downOn", "downOff", "leftOn", "leftOff", "rightOn", "rightOff", "drop"};
constexpr std::array<std::string_view, 4> status_names = {
    "CLAW_READY", "CLAW_CONTROLLED", "CLAW_OFFLINE", "CLAW_STOPPED"};
constexpr std::array<std::string_view, 3> queue_mode_names = {"running", "paused", "stopped"};
static_assert(command_names.size() == static_cast<std::size_t>(CommandKind::drop) + 1);
static_assert(status_names.size() == static_cast<std::size_t>(ClawStatus::stopped) + 1);
static_assert(queue_mode_names.size() == static_cast<std::size_t>(QueueMode::stopped) + 1);
constexpr std::array<std::string_view, departure_reason_count> departure_names = {"presence_expired", "left",
                                                                                  "kicked", "unready"};
static_assert(departure_reason_count == static_cast<int>(DepartureReason::unready) + 1);

// Whether a claw status names a turn on the wire.
bool status_has_turn(ClawStatus status) { return status == ClawStatus::ready || status == ClawStatus::controlled; }

constexpr std::array<std::string_view, turn_result_count> result_names = {"win", "loss", "timeout", "ended_by_server",
                                                                         "abandoned"};

DecodeError error(DecodeErrorKind kind, std::string detail) {
  return DecodeError{kind, std::move(detail)};
}

// Reads the fields of one flat JSON object, remembering which were consumed so
// that leftovers can be reported as unknown.
class FieldReader {
 public:
  explicit FieldReader(const json::object& object) : object_(object) {}

  const json::value* find(std::string_view key) {
    auto it = object_.find(key);
    if (it == object_.end()) return nullptr;
    consumed_.push_back(key);
    return &it->value();
  }

  std::optional<DecodeError> string(std::string_view key, std::string& out) {
    const json::value* value = find(key);
    if (value == nullptr) return error(DecodeErrorKind::missing_field, fmt::format("missing field \"{}\"", key));
    if (!value->is_string()) return error(DecodeErrorKind::bad_field, fmt::format("field \"{}\" must be a string", key));
    const json::string& text = value->get_string();
    if (text.size() > limits::string_bytes_max) {
      return error(DecodeErrorKind::bad_field,
                   fmt::format("field \"{}\" is longer than {} bytes", key, limits::string_bytes_max));
    }
    out.assign(text.data(), text.size());
    return std::nullopt;
  }

  std::optional<DecodeError> unsigned_integer(std::string_view key, std::uint64_t& out) {
    const json::value* value = find(key);
    if (value == nullptr) return error(DecodeErrorKind::missing_field, fmt::format("missing field \"{}\"", key));
    if (value->is_uint64()) {
      out = value->get_uint64();
      return std::nullopt;
    }
    if (value->is_int64() && value->get_int64() >= 0) {
      out = static_cast<std::uint64_t>(value->get_int64());
      return std::nullopt;
    }
    return error(DecodeErrorKind::bad_field, fmt::format("field \"{}\" must be a non-negative integer", key));
  }

  std::optional<DecodeError> boolean(std::string_view key, bool& out) {
    const json::value* value = find(key);
    if (value == nullptr) return error(DecodeErrorKind::missing_field, fmt::format("missing field \"{}\"", key));
    if (!value->is_bool()) return error(DecodeErrorKind::bad_field, fmt::format("field \"{}\" must be true or false", key));
    out = value->get_bool();
    return std::nullopt;
  }

  bool has(std::string_view key) const { return object_.contains(key); }

  std::optional<DecodeError> finish() const {
    for (const auto& entry : object_) {
      const std::string_view key = entry.key();
      if (std::find(consumed_.begin(), consumed_.end(), key) != consumed_.end()) continue;
      return error(DecodeErrorKind::unknown_field, fmt::format("unexpected field \"{}\"", key));
    }
    return std::nullopt;
  }

 private:
  const json::object& object_;
  std::vector<std::string_view> consumed_;  // A handful of keys: a vector is enough.
};

// Boost.JSON keeps the last of duplicate keys; we refuse them, so that a
// message means one thing to every reader. Counts the keys of the outermost
// object of `text`, which REQUIRES: is valid JSON.
std::size_t count_top_level_keys(std::string_view text) {
  std::size_t keys = 0;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); i += 1) {
    const char c = text[i];
    if (c == '{' || c == '[') depth += 1;
    if (c == '}' || c == ']') depth -= 1;
    if (c != '"') continue;
    std::size_t end = i + 1;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    std::size_t next = end + 1;
    while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\n' || text[next] == '\r')) {
      next += 1;
    }
    if (depth == 1 && next < text.size() && text[next] == ':') keys += 1;
    i = end;
  }
  return keys;
}

// Helper that turns a field read into an early return.
#define CLAWNET_TRY(expr)                       \
  do {                                          \
    if (auto failure = (expr)) return *failure; \
  } while (false)

template <std::size_t N>
std::optional<std::size_t> index_of(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; i += 1) {
    if (names[i] == name) return i;
  }
  return std::nullopt;
}

// An optional "result" field: absent, or one of the TurnResult names.
std::optional<DecodeError> optional_result(FieldReader& fields, std::optional<TurnResult>& out) {
  if (!fields.has("result")) return std::nullopt;
  std::string name;
  CLAWNET_TRY(fields.string("result", name));
  out = turn_result_named(name);
  if (!out) return error(DecodeErrorKind::bad_field, fmt::format("unknown turn result \"{}\"", name));
  return std::nullopt;
}

DecodeResult decode_command(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("command", name));
  auto index = index_of(command_names, name);
  if (!index) return error(DecodeErrorKind::bad_field, fmt::format("unknown command \"{}\"", name));
  Command command;
  command.kind = static_cast<CommandKind>(*index);
  CLAWNET_TRY(fields.unsigned_integer("turn", command.turn));
  CLAWNET_TRY(fields.unsigned_integer("seq", command.seq));
  if (command.seq == 0) return error(DecodeErrorKind::bad_field, "field \"seq\" must start at 1");
  CLAWNET_TRY(fields.finish());
  return Message{command};
}

DecodeResult decode_status(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("status", name));
  auto index = index_of(status_names, name);
  if (!index) return error(DecodeErrorKind::bad_field, fmt::format("unknown claw status \"{}\"", name));
  ClawStatusMessage status;
  status.status = static_cast<ClawStatus>(*index);
  if (status_has_turn(status.status)) CLAWNET_TRY(fields.unsigned_integer("turn", status.turn));
  if (status.status == ClawStatus::ready) CLAWNET_TRY(optional_result(fields, status.result));
  CLAWNET_TRY(fields.finish());
  return Message{status};
}

DecodeResult decode_request(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("request", name));
  if (name == "CHANNEL_LISTEN") {
    ChannelListen listen;
    CLAWNET_TRY(fields.string("channel", listen.channel));
    if (!is_player_channel(listen.channel)) {
      return error(DecodeErrorKind::bad_field, "field \"channel\" is not a player channel name");
    }
    CLAWNET_TRY(fields.unsigned_integer("turn", listen.turn));
    std::uint64_t turn_ms = 0;
    CLAWNET_TRY(fields.unsigned_integer("turn_ms", turn_ms));
    if (turn_ms == 0 || turn_ms > static_cast<std::uint64_t>(limits::turn_duration_ms_max)) {
      return error(DecodeErrorKind::bad_field,
                   fmt::format("field \"turn_ms\" must be 1..{}", limits::turn_duration_ms_max));
    }
    listen.turn_ms = static_cast<std::int64_t>(turn_ms);
    CLAWNET_TRY(fields.finish());
    return Message{listen};
  }
  if (name == "STATUS") {
    CLAWNET_TRY(fields.finish());
    return Message{StatusRequest{}};
  }
  if (name == "ESTOP" || name == "RESET") {
    CLAWNET_TRY(fields.finish());
    return name == "ESTOP" ? Message{EmergencyStop{}} : Message{ResetClaw{}};
  }
  if (name == "END_TURN") {
    EndTurn end;
    CLAWNET_TRY(fields.unsigned_integer("turn", end.turn));
    CLAWNET_TRY(fields.finish());
    return Message{end};
  }
  return error(DecodeErrorKind::bad_field, fmt::format("unknown request \"{}\"", name));
}

DecodeResult decode_control(FieldReader& fields) {
  Control control;
  CLAWNET_TRY(fields.boolean("control", control.granted));
  CLAWNET_TRY(fields.unsigned_integer("turn", control.turn));
  if (control.granted) {
    std::uint64_t turn_ms = 0;
    CLAWNET_TRY(fields.unsigned_integer("turn_ms", turn_ms));
    if (turn_ms > static_cast<std::uint64_t>(limits::turn_duration_ms_max)) {
      return error(DecodeErrorKind::bad_field, "field \"turn_ms\" is too large");
    }
    control.turn_ms = static_cast<std::int64_t>(turn_ms);
  } else {
    CLAWNET_TRY(optional_result(fields, control.result));
  }
  CLAWNET_TRY(fields.finish());
  return Message{control};
}

DecodeResult decode_position(FieldReader& fields) {
  Position position;
  CLAWNET_TRY(fields.unsigned_integer("position", position.position));
  CLAWNET_TRY(fields.boolean("exact", position.exact));
  std::uint64_t wait_ms = 0;
  CLAWNET_TRY(fields.unsigned_integer("wait_ms", wait_ms));
  if (wait_ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return error(DecodeErrorKind::bad_field, "field \"wait_ms\" is too large");
  }
  position.wait_ms = static_cast<std::int64_t>(wait_ms);
  CLAWNET_TRY(fields.finish());
  return Message{position};
}

DecodeResult decode_notice(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("notice", name));
  if (name == "ready_check") {
    std::uint64_t ready_ms = 0;
    CLAWNET_TRY(fields.unsigned_integer("ready_ms", ready_ms));
    if (ready_ms == 0 || ready_ms > static_cast<std::uint64_t>(limits::ready_ms_max)) {
      return error(DecodeErrorKind::bad_field, fmt::format("field \"ready_ms\" must be 1..{}", limits::ready_ms_max));
    }
    CLAWNET_TRY(fields.finish());
    return Message{ReadyCheck{static_cast<std::int64_t>(ready_ms)}};
  }
  if (name != "get_ready") return error(DecodeErrorKind::bad_field, fmt::format("unknown notice \"{}\"", name));
  CLAWNET_TRY(fields.finish());
  return Message{GetReady{}};
}

// Only `true` means anything: a player that is not ready says nothing.
DecodeResult decode_ready(FieldReader& fields) {
  bool ready = false;
  CLAWNET_TRY(fields.boolean("ready", ready));
  if (!ready) return error(DecodeErrorKind::bad_field, "field \"ready\" must be true");
  CLAWNET_TRY(fields.finish());
  return Message{ReadyConfirm{}};
}

DecodeResult decode_departed(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("departed", name));
  auto index = index_of(departure_names, name);
  if (!index) return error(DecodeErrorKind::bad_field, fmt::format("unknown departure reason \"{}\"", name));
  CLAWNET_TRY(fields.finish());
  return Message{Departed{static_cast<DepartureReason>(*index)}};
}

DecodeResult decode_lobby(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("claw", name));
  auto index = index_of(status_names, name);
  if (!index) return error(DecodeErrorKind::bad_field, fmt::format("unknown claw status \"{}\"", name));
  CLAWNET_TRY(fields.finish());
  return Message{LobbyStatus{static_cast<ClawStatus>(*index)}};
}

DecodeResult decode_queue_state(FieldReader& fields) {
  std::string name;
  CLAWNET_TRY(fields.string("queue", name));
  auto index = index_of(queue_mode_names, name);
  if (!index) return error(DecodeErrorKind::bad_field, fmt::format("unknown queue mode \"{}\"", name));
  CLAWNET_TRY(fields.finish());
  return Message{QueueState{static_cast<QueueMode>(*index)}};
}

DecodeResult decode_turn_over(FieldReader& fields) {
  TurnOver over;
  CLAWNET_TRY(fields.unsigned_integer("turn_over", over.turn));
  std::optional<TurnResult> result;
  if (!fields.has("result")) return error(DecodeErrorKind::missing_field, "missing field \"result\"");
  CLAWNET_TRY(optional_result(fields, result));
  over.result = *result;
  CLAWNET_TRY(fields.finish());
  return Message{over};
}

#undef CLAWNET_TRY

std::string serialize(const json::object& object) { return json::serialize(object); }

}  // namespace

bool is_player_channel(std::string_view name) {
  if (name.size() < 3 || name.size() > limits::channel_bytes_max) return false;
  if (name.substr(0, 2) != "p-") return false;
  for (char c : name.substr(2)) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

std::string_view to_string(CommandKind kind) { return command_names.at(static_cast<std::size_t>(kind)); }
std::string_view to_string(ClawStatus status) { return status_names.at(static_cast<std::size_t>(status)); }
std::string_view to_string(QueueMode mode) { return queue_mode_names.at(static_cast<std::size_t>(mode)); }
std::string_view to_string(DepartureReason reason) { return departure_names.at(static_cast<std::size_t>(reason)); }
std::string_view to_string(TurnResult result) { return result_names.at(static_cast<std::size_t>(result)); }
std::optional<TurnResult> turn_result_named(std::string_view name) {
  const std::optional<std::size_t> index = index_of(result_names, name);
  if (!index) return std::nullopt;
  return static_cast<TurnResult>(*index);
}
std::string_view to_string(Direction direction) {
  constexpr std::array<std::string_view, 4> names = {"up", "down", "left", "right"};
  return names.at(static_cast<std::size_t>(direction));
}
std::string_view to_string(DecodeErrorKind kind) {
  constexpr std::array<std::string_view, 8> names = {
      "too_large", "not_json", "too_deep", "not_object", "unknown_message",
      "missing_field", "bad_field", "unknown_field"};
  return names.at(static_cast<std::size_t>(kind));
}

std::string encode(const Message& message) {
  return std::visit(
      Overloaded{
          [](const Command& m) {
            return serialize({{"command", to_string(m.kind)}, {"turn", m.turn}, {"seq", m.seq}});
          },
          [](const ClawStatusMessage& m) {
            if (!status_has_turn(m.status)) return serialize({{"status", to_string(m.status)}});
            json::object object{{"status", to_string(m.status)}, {"turn", m.turn}};
            if (m.result) object["result"] = to_string(*m.result);
            return json::serialize(object);
          },
          [](const ChannelListen& m) {
            return serialize({{"request", "CHANNEL_LISTEN"}, {"channel", m.channel},
                              {"turn", m.turn}, {"turn_ms", m.turn_ms}});
          },
          [](const StatusRequest&) { return serialize({{"request", "STATUS"}}); },
          [](const EndTurn& m) { return serialize({{"request", "END_TURN"}, {"turn", m.turn}}); },
          [](const EmergencyStop&) { return serialize({{"request", "ESTOP"}}); },
          [](const ResetClaw&) { return serialize({{"request", "RESET"}}); },
          [](const Control& m) {
            if (!m.granted && m.result) {
              return serialize({{"control", false}, {"turn", m.turn}, {"result", to_string(*m.result)}});
            }
            if (!m.granted) return serialize({{"control", false}, {"turn", m.turn}});
            return serialize({{"control", true}, {"turn", m.turn}, {"turn_ms", m.turn_ms}});
          },
          [](const Position& m) {
            return serialize({{"position", m.position}, {"exact", m.exact}, {"wait_ms", m.wait_ms}});
          },
          [](const GetReady&) { return serialize({{"notice", "get_ready"}}); },
          [](const ReadyCheck& m) { return serialize({{"notice", "ready_check"}, {"ready_ms", m.ready_ms}}); },
          [](const ReadyConfirm&) { return serialize({{"ready", true}}); },
          [](const Departed& m) { return serialize({{"departed", to_string(m.reason)}}); },
          [](const LobbyStatus& m) { return serialize({{"claw", to_string(m.claw)}}); },
          [](const QueueState& m) { return serialize({{"queue", to_string(m.mode)}}); },
          [](const TurnOver& m) { return serialize({{"turn_over", m.turn}, {"result", to_string(m.result)}}); },
          [](const TurnSummary& m) { return serialize({{"turn_summary", turn_summary_json::to_json(m)}}); },
      },
      message);
}

namespace {

// The turn summary is the one message that may be bigger than message_bytes_max,
// and nested; it is told apart before parsing by the key encode() writes first.
constexpr std::string_view turn_summary_prefix = R"({"turn_summary":)";

DecodeResult decode_turn_summary(const json::object& object) {
  if (object.size() != 1) {
    for (const auto& entry : object) {
      if (entry.key() != "turn_summary") {
        return error(DecodeErrorKind::unknown_field, fmt::format("unexpected field \"{}\"", std::string_view(entry.key())));
      }
    }
  }
  auto summary = turn_summary_json::from_json(object.at("turn_summary"), "turn_summary.");
  if (auto* failure = std::get_if<DecodeError>(&summary)) return *failure;
  return Message{std::move(std::get<TurnSummary>(summary))};
}

}  // namespace

DecodeResult decode(std::string_view text) {
  const bool summary = text.starts_with(turn_summary_prefix);
  const std::size_t bytes_max = summary ? limits::turn_summary_bytes_max : limits::message_bytes_max;
  const std::size_t depth_max = summary ? limits::turn_summary_json_depth_max : limits::json_depth_max;
  if (text.size() > bytes_max) {
    return error(DecodeErrorKind::too_large, fmt::format("message is {} bytes, the limit is {}", text.size(), bytes_max));
  }
  json::parse_options options;
  options.max_depth = depth_max;
  boost::system::error_code code;
  json::value value = json::parse(text, code, {}, options);
  if (code == json::error::too_deep) {
    return error(DecodeErrorKind::too_deep, fmt::format("JSON nests deeper than {}", depth_max));
  }
  if (code) return error(DecodeErrorKind::not_json, fmt::format("not JSON: {}", code.message()));
  if (!value.is_object()) return error(DecodeErrorKind::not_object, "message must be a JSON object");
  const json::object& object = value.get_object();
  if (summary) {
    if (turn_summary_json::keys_in_text(text) != turn_summary_json::keys_in_value(value)) {
      return error(DecodeErrorKind::bad_field, "a field appears more than once");
    }
    return decode_turn_summary(object);
  }
  if (count_top_level_keys(text) != object.size()) {
    return error(DecodeErrorKind::bad_field, "a field appears more than once");
  }
  FieldReader fields(object);
  if (object.contains("command")) return decode_command(fields);
  if (object.contains("status")) return decode_status(fields);
  if (object.contains("request")) return decode_request(fields);
  if (object.contains("control")) return decode_control(fields);
  if (object.contains("position")) return decode_position(fields);
  if (object.contains("notice")) return decode_notice(fields);
  if (object.contains("claw")) return decode_lobby(fields);
  if (object.contains("queue")) return decode_queue_state(fields);
  if (object.contains("turn_over")) return decode_turn_over(fields);
  if (object.contains("ready")) return decode_ready(fields);
  if (object.contains("departed")) return decode_departed(fields);
  if (object.contains("turn_summary")) {
    return error(DecodeErrorKind::bad_field, "a turn summary must begin {\"turn_summary\": (as encoded)");
  }
  return error(DecodeErrorKind::unknown_message,
               "no known message key (command, status, request, control, position, notice, claw, queue, turn_over, "
               "ready, departed, turn_summary)");
}

namespace {
std::string describe_result(const std::optional<TurnResult>& result) {
  return result ? fmt::format(" {}", to_string(*result)) : std::string();
}
}  // namespace

std::string describe(const Message& message) {
  return std::visit(
      Overloaded{
          [](const Command& m) { return fmt::format("{} turn={} seq={}", to_string(m.kind), m.turn, m.seq); },
          [](const ClawStatusMessage& m) {
            return fmt::format("{} turn={}{}", to_string(m.status), m.turn, describe_result(m.result));
          },
          [](const ChannelListen& m) { return fmt::format("CHANNEL_LISTEN {} turn={}", m.channel, m.turn); },
          [](const StatusRequest&) { return std::string("STATUS?"); },
          [](const EndTurn& m) { return fmt::format("END_TURN turn={}", m.turn); },
          [](const EmergencyStop&) { return std::string("ESTOP"); },
          [](const ResetClaw&) { return std::string("RESET"); },
          [](const Control& m) {
            return fmt::format("control={} turn={}{}", m.granted, m.turn, describe_result(m.result));
          },
          [](const Position& m) {
            return fmt::format("position={}{} wait={}ms", m.position, m.exact ? "" : "~", m.wait_ms);
          },
          [](const GetReady&) { return std::string("get_ready"); },
          [](const ReadyCheck& m) { return fmt::format("ready_check {}ms", m.ready_ms); },
          [](const ReadyConfirm&) { return std::string("ready"); },
          [](const Departed& m) { return fmt::format("departed: {}", to_string(m.reason)); },
          [](const LobbyStatus& m) { return fmt::format("claw {}", to_string(m.claw)); },
          [](const QueueState& m) { return fmt::format("queue {}", to_string(m.mode)); },
          [](const TurnOver& m) { return fmt::format("turn {} over: {}", m.turn, to_string(m.result)); },
          [](const TurnSummary& m) {
            return fmt::format("turn {} summary: {} entries{}{}", m.turn, m.entries.size(),
                               m.entries_dropped > 0 ? fmt::format(" (+{} dropped)", m.entries_dropped) : std::string(),
                               describe_result(m.result));
          },
      },
      message);
}

}  // namespace clawnet
