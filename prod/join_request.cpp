#include "prod/join_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

namespace clawnet::prod {

namespace {

// Decodes one UTF-8 character at `text[at]`; returns its length (0: invalid).
std::size_t decode_utf8(std::string_view text, std::size_t at, char32_t& out) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;
  if (lead < 0x80) return out = lead, 1;
  if ((lead & 0xE0U) == 0xC0U) length = 2, value = lead & 0x1FU, smallest = 0x80;
  else if ((lead & 0xF0U) == 0xE0U) length = 3, value = lead & 0x0FU, smallest = 0x800;
  else if ((lead & 0xF8U) == 0xF0U) length = 4, value = lead & 0x07U, smallest = 0x10000;
  else return 0;
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0U) != 0x80U) return 0;
    value = (value << 6U) | (byte(at + i) & 0x3FU);
  }
  if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  out = value;
  return length;
}

bool shown_safely(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return false;      // Control characters.
  if (c == 0x2028 || c == 0x2029) return false;                 // Line and paragraph separators.
  if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F) {
    return false;                                               // Bidirectional marks and overrides.
  }
  return true;
}

}  // namespace

std::string_view trim_display_name(std::string_view name) {
  const auto first = name.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return name.substr(first, name.find_last_not_of(' ') - first + 1);
}

std::optional<std::string> display_name_problem(std::string_view name) {
  const std::string_view trimmed = trim_display_name(name);
  if (trimmed.empty()) return std::string("name: must not be empty");
  std::size_t characters = 0;
  for (std::size_t at = 0; at < trimmed.size();) {
    char32_t c = 0;
    const std::size_t length = decode_utf8(trimmed, at, c);
    if (length == 0) return std::string("name: not valid UTF-8");
    if (!shown_safely(c)) return fmt::format("name: character {} is not allowed (U+{:04X})", characters + 1,
                                             static_cast<std::uint32_t>(c));
    at += length;
    characters += 1;
  }
  if (characters > display_name_chars_max) {
    return fmt::format("name: at most {} characters, got {}", display_name_chars_max, characters);
  }
  return std::nullopt;
}

std::variant<std::string, std::string> parse_join_body(std::string_view body) {
  using Result = std::variant<std::string, std::string>;
  const auto error = [](std::string text) { return Result(std::in_place_index<1>, std::move(text)); };
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Result(std::in_place_index<0>);
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(body, ec);
  if (ec) return error("the body is not JSON: " + ec.message());
  if (!value.is_object()) return error("the body must be a JSON object");
  std::string name;
  for (const auto& field : value.get_object()) {
    if (field.key() != "name") return error(fmt::format("unknown field \"{}\" in the body", std::string_view(field.key())));
    if (!field.value().is_string()) return error("name: must be a string");
    const std::string_view given = field.value().get_string();
    if (auto problem = display_name_problem(given)) return error(std::move(*problem));
    name = std::string(trim_display_name(given));
  }
  return Result(std::in_place_index<0>, std::move(name));
}

std::optional<std::string> check_join_body(std::string_view body) {
  auto parsed = parse_join_body(body);
  if (parsed.index() == 1) return std::get<1>(std::move(parsed));
  return std::nullopt;
}

}  // namespace clawnet::prod
