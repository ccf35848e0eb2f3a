// The body of POST /v1/join: empty, `{}`, or `{"name":"Alice"}`, the display name that
// spectators see while the player plays (docs/web.md).
//
// Contract:
//  - parse_join_body() returns the name ("" when none was given), or an error naming
//    what was wrong: not JSON, not an object, a field other than "name", a name that
//    is not a string or fails display_name_problem().
//  - display_name_problem(): the name, with spaces trimmed at both ends, must be valid
//    UTF-8 of 1..display_name_chars_max characters, none of them a control character or
//    a bidirectional override (which could make a name show as another).
//  - trim_display_name() is what is kept: the name without the spaces at its ends.
// Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace clawnet::prod {

inline constexpr std::size_t display_name_chars_max = 20;

std::string_view trim_display_name(std::string_view name);
std::optional<std::string> display_name_problem(std::string_view name);
std::variant<std::string, std::string> parse_join_body(std::string_view body);
// For RouteOptions::check_body.
std::optional<std::string> check_join_body(std::string_view body);

}  // namespace clawnet::prod
