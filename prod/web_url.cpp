#include "prod/web_url.hpp"

#include <fmt/format.h>

namespace clawnet::prod {

namespace {

constexpr std::string_view scheme_end = "://";

bool quote_free(char c) {
  if (c < 0x21 || c > 0x7e) return false;
  switch (c) {
    case '"': case '\'': case ';': case ',': case '<': case '>': case '\\': case '`': return false;
    default: return true;
  }
}

}  // namespace

std::optional<std::string> url_problem(std::string_view url, std::initializer_list<std::string_view> schemes,
                                       bool host_placeholder) {
  const auto separator = url.find(scheme_end);
  const std::string_view scheme = separator == std::string_view::npos ? std::string_view{} : url.substr(0, separator);
  bool known = false;
  std::string expected;
  for (const std::string_view allowed : schemes) {
    known = known || scheme == allowed;
    expected += fmt::format("{}{}://", expected.empty() ? "" : " or ", allowed);
  }
  if (!known) return fmt::format("must start with {}", expected);
  for (const char c : url) {
    if (!quote_free(c)) return std::string("must not contain spaces, quotes, ';', ',', '<', '>' or '\\'");
  }
  const std::string_view rest = url.substr(separator + scheme_end.size());
  const std::string_view host = rest.substr(0, rest.find_first_of(":/?#"));
  if (host.empty()) return std::string("has no host");
  if (host.find_first_of("{}") != std::string_view::npos && !(host_placeholder && host == host_placeholder_text)) {
    return host_placeholder ? fmt::format("the host must be a name, an address or {}", host_placeholder_text)
                            : std::string("the host must be a name or an address");
  }
  if (rest.substr(host.size()).find_first_of("{}") != std::string_view::npos) {
    return std::string("'{' and '}' may only stand for the host");
  }
  return std::nullopt;
}

std::string url_origin(std::string_view url) {
  const auto separator = url.find(scheme_end);
  if (separator == std::string_view::npos) return std::string(url);
  const auto path = url.find_first_of("/?#", separator + scheme_end.size());
  return std::string(url.substr(0, path));
}

}  // namespace clawnet::prod
