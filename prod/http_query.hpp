// Query strings of HTTP request targets: parsed, percent-decoded and checked
// against the parameters a route declares (prod/http_server.hpp).
//
// Contract:
//  - parse_query() never throws. It refuses, naming the parameter: a malformed
//    percent escape, a parameter given twice, one the route does not declare, an
//    integer parameter that is not a decimal integer in [min, max], and more than
//    query_parameters_max parameters.
//  - `+` decodes to a space, `%XX` to its byte; a parameter without `=` has the
//    empty value.
// Not thread-safe (plain values).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clawnet::prod {

inline constexpr std::size_t query_parameters_max = 32;

// One parameter a route accepts.
struct QueryParameter {
  enum class Kind : std::uint8_t { text, integer };
  std::string name;
  Kind kind = Kind::text;
  std::int64_t min = std::numeric_limits<std::int64_t>::min();  // Integers only.
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

// The decoded parameters of one request.
class QueryParameters {
 public:
  QueryParameters() = default;
  explicit QueryParameters(std::map<std::string, std::string, std::less<>> values) : values_(std::move(values)) {}

  // The decoded value, or nullopt when absent.
  std::optional<std::string_view> text(std::string_view name) const;
  // REQUIRES: `name` is declared as an integer (parse_query checked it).
  std::optional<std::int64_t> integer(std::string_view name) const;
  bool contains(std::string_view name) const { return values_.contains(name); }
  std::size_t size() const { return values_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

struct QueryError {
  std::string parameter;  // Empty when no single parameter is to blame.
  std::string message;    // Names the parameter.
};

// Parses the part of a target after `?` (without the `?`).
std::variant<QueryParameters, QueryError> parse_query(std::string_view query,
                                                      const std::vector<QueryParameter>& accepted);

}  // namespace clawnet::prod
