// Checks and pieces of the URLs in the web.* config keys (docs/config.md): the broker's
// websockets URL and the camera's. They end up in a Content-Security-Policy and in
// HTML attributes, so they are held to a narrow, quote-free form.
//
// Contract:
//  - url_problem() returns why `url` is refused, or nullopt: it must be `scheme://host...`
//    with a scheme from `schemes`, a non-empty host, and only characters that need no
//    quoting in a header or an attribute (no spaces, quotes, `;`, `,`, `<`, `>`, `\`).
//    `{host}` is allowed where the host goes when `host_placeholder` is true.
//  - url_origin() of an accepted URL is its `scheme://host[:port]`.
// Pure functions.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet::prod {

inline constexpr std::string_view host_placeholder_text = "{host}";

std::optional<std::string> url_problem(std::string_view url, std::initializer_list<std::string_view> schemes,
                                       bool host_placeholder);
std::string url_origin(std::string_view url);

}  // namespace clawnet::prod
