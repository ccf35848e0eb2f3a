// The turn summary's JSON: encoding, and a strict decoding that names the field at
// fault by its path (`turn_summary.entries[3].motor`). The flat messages are in
// protocol.cpp; this is the one nested message.
#include "core/turn_summary_json.hpp"

#include "core/limits.hpp"
#include "core/overloaded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace clawnet {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, rejection_count> rejection_names = {
    "malformed", "not_a_command", "wrong_channel", "not_in_control", "wrong_turn", "replayed_seq", "rate_limited"};
constexpr std::array<std::string_view, no_move_count> no_move_names = {"limit_switch", "motor_limit"};
constexpr std::array<std::string_view, motor_cause_count> motor_cause_names = {
    "player", "deadman", "motor_limit", "limit_switch", "turn_end", "drop_cycle", "halt", "fault"};

DecodeError error(DecodeErrorKind kind, std::string detail) { return DecodeError{kind, std::move(detail)}; }

// Returns the value whose to_string() is `name`, among the first `count` values of Enum.
template <class Enum>
std::optional<Enum> named(std::string_view name, int count) {
  for (int index = 0; index < count; index += 1) {
    if (to_string(static_cast<Enum>(index)) == name) return static_cast<Enum>(index);
  }
  return std::nullopt;
}

// Reads the fields of one object of the summary, named by their path; leftovers
// are unknown fields.
class Fields {
 public:
  Fields(const json::object& object, std::string path) : object_(object), path_(std::move(path)) {}

  std::string name_of(std::string_view key) const { return fmt::format("{}{}", path_, key); }
  bool has(std::string_view key) const { return object_.contains(key); }

  const json::value* find(std::string_view key) {
    auto it = object_.find(key);
    if (it == object_.end()) return nullptr;
    consumed_.push_back(key);
    return &it->value();
  }

  std::optional<DecodeError> missing(std::string_view key) const {
    return error(DecodeErrorKind::missing_field, fmt::format("missing field \"{}\"", name_of(key)));
  }
  std::optional<DecodeError> bad(std::string_view key, std::string_view what) const {
    return error(DecodeErrorKind::bad_field, fmt::format("field \"{}\" {}", name_of(key), what));
  }

  std::optional<DecodeError> unsigned_integer(std::string_view key, std::uint64_t& out) {
    const json::value* value = find(key);
    if (value == nullptr) return missing(key);
    if (value->is_uint64()) {
      out = value->get_uint64();
      return std::nullopt;
    }
    if (value->is_int64() && value->get_int64() >= 0) {
      out = static_cast<std::uint64_t>(value->get_int64());
      return std::nullopt;
    }
    return bad(key, "must be a non-negative integer");
  }

  // A time or duration in milliseconds: 0 up to the largest TimeMs.
  std::optional<DecodeError> milliseconds(std::string_view key, std::int64_t& out) {
    std::uint64_t value = 0;
    if (auto failure = unsigned_integer(key, value)) return failure;
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return bad(key, "is too large");
    out = static_cast<std::int64_t>(value);
    return std::nullopt;
  }

  std::optional<DecodeError> string(std::string_view key, std::string& out) {
    const json::value* value = find(key);
    if (value == nullptr) return missing(key);
    if (!value->is_string()) return bad(key, "must be a string");
    const json::string& text = value->get_string();
    if (text.size() > limits::string_bytes_max) {
      return bad(key, fmt::format("is longer than {} bytes", limits::string_bytes_max));
    }
    out.assign(text.data(), text.size());
    return std::nullopt;
  }

  std::optional<DecodeError> boolean(std::string_view key, bool& out) {
    const json::value* value = find(key);
    if (value == nullptr) return missing(key);
    if (!value->is_bool()) return bad(key, "must be true or false");
    out = value->get_bool();
    return std::nullopt;
  }

  // A string naming one of the first `count` values of Enum.
  template <class Enum>
  std::optional<DecodeError> one_of(std::string_view key, int count, Enum& out) {
    std::string text;
    if (auto failure = string(key, text)) return failure;
    const std::optional<Enum> value = named<Enum>(text, count);
    if (!value) return bad(key, fmt::format("has an unknown value \"{}\"", text));
    out = *value;
    return std::nullopt;
  }

  std::optional<DecodeError> finish() const {
    for (const auto& entry : object_) {
      const std::string_view key = entry.key();
      if (std::find(consumed_.begin(), consumed_.end(), key) != consumed_.end()) continue;
      return error(DecodeErrorKind::unknown_field, fmt::format("unexpected field \"{}\"", name_of(key)));
    }
    return std::nullopt;
  }

 private:
  const json::object& object_;
  std::string path_;
  std::vector<std::string_view> consumed_;
};

#define CLAWNET_TRY(expr)                       \
  do {                                          \
    if (auto failure = (expr)) return *failure; \
  } while (false)

std::variant<TurnEntry, DecodeError> entry_from_json(Fields& fields) {
  std::int64_t at_ms = 0;
  CLAWNET_TRY(fields.milliseconds("at_ms", at_ms));
  if (fields.has("rejected")) {
    RejectionEntry entry;
    entry.at_ms = at_ms;
    CLAWNET_TRY(fields.one_of("rejected", rejection_count, entry.reason));
    if (fields.has("command") != fields.has("seq")) return *fields.bad("seq", "goes with \"command\", both or neither");
    if (fields.has("command")) {
      CommandKind kind{};
      CLAWNET_TRY(fields.one_of("command", static_cast<int>(CommandKind::drop) + 1, kind));
      entry.kind = kind;
      CLAWNET_TRY(fields.unsigned_integer("seq", entry.seq));
      if (entry.seq == 0) return *fields.bad("seq", "must start at 1");
    }
    CLAWNET_TRY(fields.finish());
    return TurnEntry{entry};
  }
  if (fields.has("command")) {
    CommandEntry entry;
    entry.at_ms = at_ms;
    CLAWNET_TRY(fields.one_of("command", static_cast<int>(CommandKind::drop) + 1, entry.kind));
    CLAWNET_TRY(fields.unsigned_integer("seq", entry.seq));
    if (entry.seq == 0) return *fields.bad("seq", "must start at 1");
    if (fields.has("no_move")) {
      NoMove why{};
      CLAWNET_TRY(fields.one_of("no_move", no_move_count, why));
      if (entry.kind == CommandKind::drop || !is_on(entry.kind)) return *fields.bad("no_move", "is only for an On command");
      entry.no_move = why;
    }
    CLAWNET_TRY(fields.finish());
    return TurnEntry{entry};
  }
  if (fields.has("motor")) {
    MotorEntry entry;
    entry.at_ms = at_ms;
    CLAWNET_TRY(fields.one_of("motor", motor_count, entry.motor));
    CLAWNET_TRY(fields.boolean("on", entry.on));
    if (fields.has("why")) {
      CLAWNET_TRY(fields.one_of("why", motor_cause_count, entry.cause));
      if (entry.cause == MotorCause::player) return *fields.bad("why", "is left out for the player's own commands");
    }
    CLAWNET_TRY(fields.finish());
    return TurnEntry{entry};
  }
  if (fields.has("switch")) {
    SwitchEntry entry;
    entry.at_ms = at_ms;
    CLAWNET_TRY(fields.one_of("switch", switch_count, entry.which));
    CLAWNET_TRY(fields.finish());
    return TurnEntry{entry};
  }
  return error(DecodeErrorKind::missing_field,
               fmt::format("{}: an entry needs one of \"command\", \"rejected\", \"motor\", \"switch\"",
                           fields.name_of("")));
}

std::optional<DecodeError> entries_from_json(Fields& fields, TurnSummary& summary) {
  const json::value* value = fields.find("entries");
  if (value == nullptr) return fields.missing("entries");
  if (!value->is_array()) return fields.bad("entries", "must be an array");
  const json::array& array = value->get_array();
  if (array.size() > limits::turn_record_entries_max) {
    return fields.bad("entries", fmt::format("has more than {} entries", limits::turn_record_entries_max));
  }
  std::int64_t previous_ms = 0;
  for (std::size_t index = 0; index < array.size(); index += 1) {
    const std::string path = fields.name_of(fmt::format("entries[{}]", index));
    if (!array[index].is_object()) return error(DecodeErrorKind::bad_field, fmt::format("field \"{}\" must be an object", path));
    Fields entry_fields(array[index].get_object(), path + ".");
    auto entry = entry_from_json(entry_fields);
    if (auto* failure = std::get_if<DecodeError>(&entry)) return *failure;
    const TurnEntry& decoded = std::get<TurnEntry>(entry);
    if (at_ms_of(decoded) < previous_ms) return entry_fields.bad("at_ms", "is earlier than the entry before it");
    if (at_ms_of(decoded) > summary.ready_at_ms) return entry_fields.bad("at_ms", "is later than \"ready_at_ms\"");
    previous_ms = at_ms_of(decoded);
    summary.entries.push_back(decoded);
  }
  return std::nullopt;
}

std::variant<TurnSummary, DecodeError> summary_from_fields(Fields& fields) {
  TurnSummary summary;
  CLAWNET_TRY(fields.unsigned_integer("turn", summary.turn));
  if (summary.turn == 0) return *fields.bad("turn", "must be at least 1");
  CLAWNET_TRY(fields.string("channel", summary.channel));
  if (!is_player_channel(summary.channel)) return *fields.bad("channel", "is not a player channel name");
  CLAWNET_TRY(fields.milliseconds("turn_ms", summary.turn_ms));
  if (summary.turn_ms == 0 || summary.turn_ms > limits::turn_duration_ms_max) {
    return *fields.bad("turn_ms", fmt::format("must be 1..{}", limits::turn_duration_ms_max));
  }
  if (fields.has("control_at_ms")) {
    std::int64_t control_at_ms = 0;
    CLAWNET_TRY(fields.milliseconds("control_at_ms", control_at_ms));
    summary.control_at_ms = control_at_ms;
  }
  CLAWNET_TRY(fields.milliseconds("ended_at_ms", summary.ended_at_ms));
  CLAWNET_TRY(fields.milliseconds("ready_at_ms", summary.ready_at_ms));
  if (summary.control_at_ms && *summary.control_at_ms > summary.ended_at_ms) {
    return *fields.bad("control_at_ms", "is later than \"ended_at_ms\"");
  }
  if (summary.ended_at_ms > summary.ready_at_ms) return *fields.bad("ended_at_ms", "is later than \"ready_at_ms\"");
  if (fields.has("result")) {
    TurnResult result{};
    CLAWNET_TRY(fields.one_of("result", turn_result_count, result));
    summary.result = result;
  }
  CLAWNET_TRY(entries_from_json(fields, summary));
  CLAWNET_TRY(fields.unsigned_integer("entries_dropped", summary.entries_dropped));
  if (summary.entries_dropped > 0 && summary.entries.size() < limits::turn_record_entries_max) {
    return *fields.bad("entries_dropped", fmt::format("is not 0, but fewer than {} entries are kept",
                                                      limits::turn_record_entries_max));
  }
  CLAWNET_TRY(fields.finish());
  return summary;
}

#undef CLAWNET_TRY

json::object entry_to_json(const TurnEntry& entry) {
  return std::visit(
      Overloaded{
          [](const CommandEntry& e) {
            json::object object{{"at_ms", e.at_ms}, {"command", to_string(e.kind)}, {"seq", e.seq}};
            if (e.no_move) object["no_move"] = to_string(*e.no_move);
            return object;
          },
          [](const RejectionEntry& e) {
            json::object object{{"at_ms", e.at_ms}, {"rejected", to_string(e.reason)}};
            if (e.kind) {
              object["command"] = to_string(*e.kind);
              object["seq"] = e.seq;
            }
            return object;
          },
          [](const MotorEntry& e) {
            json::object object{{"at_ms", e.at_ms}, {"motor", to_string(e.motor)}, {"on", e.on}};
            if (e.cause != MotorCause::player) object["why"] = to_string(e.cause);
            return object;
          },
          [](const SwitchEntry& e) { return json::object{{"at_ms", e.at_ms}, {"switch", to_string(e.which)}}; },
      },
      entry);
}

}  // namespace

std::string_view to_string(Rejection reason) { return rejection_names.at(static_cast<std::size_t>(reason)); }
std::string_view to_string(NoMove why) { return no_move_names.at(static_cast<std::size_t>(why)); }
std::string_view to_string(MotorCause cause) { return motor_cause_names.at(static_cast<std::size_t>(cause)); }

std::int64_t at_ms_of(const TurnEntry& entry) {
  return std::visit([](const auto& e) { return e.at_ms; }, entry);
}

namespace turn_summary_json {

json::object to_json(const TurnSummary& summary) {
  json::object object{{"turn", summary.turn}, {"channel", summary.channel}, {"turn_ms", summary.turn_ms}};
  if (summary.control_at_ms) object["control_at_ms"] = *summary.control_at_ms;
  object["ended_at_ms"] = summary.ended_at_ms;
  object["ready_at_ms"] = summary.ready_at_ms;
  if (summary.result) object["result"] = to_string(*summary.result);
  json::array entries;
  entries.reserve(summary.entries.size());
  for (const TurnEntry& entry : summary.entries) entries.push_back(entry_to_json(entry));
  object["entries"] = std::move(entries);
  object["entries_dropped"] = summary.entries_dropped;
  return object;
}

std::variant<TurnSummary, DecodeError> from_json(const json::value& value, std::string_view path) {
  if (!value.is_object()) {
    return error(DecodeErrorKind::bad_field, fmt::format("field \"{}\" must be an object",
                                                         path.empty() ? "record" : path.substr(0, path.size() - 1)));
  }
  Fields fields(value.get_object(), std::string(path));
  return summary_from_fields(fields);
}

// Counts every `"key":` outside strings, at any depth (the text is valid JSON).
std::size_t keys_in_text(std::string_view text) {
  std::size_t keys = 0;
  for (std::size_t i = 0; i < text.size(); i += 1) {
    if (text[i] != '"') continue;
    std::size_t end = i + 1;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    std::size_t next = end + 1;
    while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\n' || text[next] == '\r')) {
      next += 1;
    }
    if (next < text.size() && text[next] == ':') keys += 1;
    i = end;
  }
  return keys;
}

std::size_t keys_in_value(const json::value& value) {
  std::size_t keys = 0;
  if (value.is_object()) {
    for (const auto& entry : value.get_object()) keys += 1 + keys_in_value(entry.value());
  } else if (value.is_array()) {
    for (const json::value& element : value.get_array()) keys += keys_in_value(element);
  }
  return keys;
}

}  // namespace turn_summary_json

std::string encode_turn_record(const TurnSummary& summary) {
  return json::serialize(turn_summary_json::to_json(summary));
}

std::variant<TurnSummary, DecodeError> decode_turn_record(std::string_view text) {
  if (text.size() > limits::turn_summary_bytes_max) {
    return error(DecodeErrorKind::too_large,
                 fmt::format("record is {} bytes, the limit is {}", text.size(), limits::turn_summary_bytes_max));
  }
  json::parse_options options;
  options.max_depth = limits::turn_summary_json_depth_max - 1;
  boost::system::error_code code;
  const json::value value = json::parse(text, code, {}, options);
  if (code == json::error::too_deep) {
    return error(DecodeErrorKind::too_deep,
                 fmt::format("JSON nests deeper than {}", limits::turn_summary_json_depth_max - 1));
  }
  if (code) return error(DecodeErrorKind::not_json, fmt::format("not JSON: {}", code.message()));
  if (!value.is_object()) return error(DecodeErrorKind::not_object, "a turn record must be a JSON object");
  if (turn_summary_json::keys_in_text(text) != turn_summary_json::keys_in_value(value)) {
    return error(DecodeErrorKind::bad_field, "a field appears more than once");
  }
  return turn_summary_json::from_json(value, "");
}

}  // namespace clawnet
