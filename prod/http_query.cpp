#include "prod/http_query.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace clawnet::prod {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Returns the decoded text, or nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      const int high = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::optional<std::string> check_integer(const QueryParameter& spec, std::string_view value) {
  std::int64_t parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size()) {
    return fmt::format("query parameter '{}' must be an integer", spec.name);
  }
  if (parsed < spec.min || parsed > spec.max) {
    return fmt::format("query parameter '{}' must be in [{}, {}]", spec.name, spec.min, spec.max);
  }
  return std::nullopt;
}

// A name for messages: printable and short, whatever the client sent.
std::string printable(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
  return out;
}

}  // namespace

std::optional<std::string_view> QueryParameters::text(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::int64_t> QueryParameters::integer(std::string_view name) const {
  const std::optional<std::string_view> value = text(name);
  if (!value.has_value()) return std::nullopt;
  std::int64_t parsed = 0;
  const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (error != std::errc{} || end != value->data() + value->size()) return std::nullopt;
  return parsed;
}

std::variant<QueryParameters, QueryError> parse_query(std::string_view query,
                                                      const std::vector<QueryParameter>& accepted) {
  std::map<std::string, std::string, std::less<>> values;
  std::size_t start = 0;
  while (start < query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view item = query.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const std::size_t equals = item.find('=');
    const std::string_view raw_name = item.substr(0, equals);
    const std::string_view raw_value = equals == std::string_view::npos ? "" : item.substr(equals + 1);
    const std::optional<std::string> name = percent_decode(raw_name);
    if (!name.has_value()) {
      return QueryError{"", fmt::format("malformed query parameter name '{}'", printable(raw_name))};
    }
    const std::optional<std::string> value = percent_decode(raw_value);
    if (!value.has_value()) {
      return QueryError{*name, fmt::format("query parameter '{}' has a malformed %-escape", printable(*name))};
    }
    const auto spec = std::find_if(accepted.begin(), accepted.end(),
                                   [&](const QueryParameter& candidate) { return candidate.name == *name; });
    if (spec == accepted.end()) return QueryError{*name, fmt::format("unknown query parameter '{}'", printable(*name))};
    if (values.contains(*name)) return QueryError{*name, fmt::format("query parameter '{}' given twice", spec->name)};
    if (values.size() >= query_parameters_max) {
      return QueryError{"", fmt::format("more than {} query parameters", query_parameters_max)};
    }
    if (spec->kind == QueryParameter::Kind::integer) {
      if (auto error = check_integer(*spec, *value)) return QueryError{*name, std::move(*error)};
    }
    values.emplace(*name, *value);
  }
  return QueryParameters(std::move(values));
}

}  // namespace clawnet::prod
