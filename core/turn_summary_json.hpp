// The JSON form of a TurnSummary (docs/protocol.md, "Turn summaries"), shared by
// protocol.cpp (the `{"turn_summary":...}` message) and turn_summary_json.cpp (the
// record alone). Private to core/.
#pragma once

#include "core/protocol.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <string_view>
#include <variant>

namespace clawnet::turn_summary_json {

boost::json::object to_json(const TurnSummary& summary);
// Checks every field of `value`; errors name the field under `path` ("turn_summary.").
std::variant<TurnSummary, DecodeError> from_json(const boost::json::value& value, std::string_view path);
// Boost.JSON keeps the last of duplicate keys; we refuse them at every depth. The
// keys written in `text` (valid JSON) against the keys `value` (its parse) kept.
std::size_t keys_in_text(std::string_view text);
std::size_t keys_in_value(const boost::json::value& value);

}  // namespace clawnet::turn_summary_json
