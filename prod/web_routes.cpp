#include "prod/web_routes.hpp"

#include "prod/join_request.hpp"
#include "prod/web_url.hpp"

#include <fmt/format.h>

namespace clawnet::prod {

namespace {

// How often a page re-sends a held direction (docs/protocol.md: the claw's dead-man
// stops a motor 600 ms after the last command).
constexpr TimeMs command_repeat_ms = 200;

bool host_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

HttpResponse file_answer(const WebFile& file, const WebConfig& web, const std::string& connect_url,
                         const HttpRequest& request) {
  const std::optional<std::string> link_url = connect_url.empty() ? broker_url_for(web, request) : connect_url;
  if (!link_url.has_value()) return json_error(400, "the Host header is not a host name or address");
  HttpResponse response;
  response.headers = {{"Cache-Control", "no-cache"},
                      {"ETag", file.etag},
                      {"Content-Security-Policy", content_security_policy(web, *link_url)},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Referrer-Policy", "no-referrer"}};
  if (request.header("if-none-match") == file.etag) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.content_type = file.content_type;
  response.body = file.body;
  return response;
}

}  // namespace

std::optional<std::string> host_of(std::string_view host_header) {
  std::string_view host = host_header;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view inside = host.substr(1, close - 1);
    if (inside.empty() || inside.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return std::nullopt;
    }
    host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
    if (host.empty() || host.size() > 253) return std::nullopt;
    for (const char c : host) {
      if (!host_character(c)) return std::nullopt;
    }
  }
  return std::string(host);
}

std::optional<std::string> broker_url_for(const WebConfig& web, const HttpRequest& request) {
  std::string url = web.broker_url;
  const auto placeholder = url.find(host_placeholder_text);
  if (placeholder == std::string::npos) return url;
  const std::optional<std::string_view> header = request.header("host");
  const std::optional<std::string> host = header.has_value() ? host_of(*header) : std::nullopt;
  if (!host.has_value()) return std::nullopt;
  url.replace(placeholder, host_placeholder_text.size(), *host);
  return url;
}

std::string content_security_policy(const WebConfig& web, std::string_view connect_url) {
  std::string camera;
  std::string camera_sources;
  if (web.camera_kind != CameraKind::none) {
    camera = " " + url_origin(web.camera_url);
    camera_sources = fmt::format("; media-src{0}; frame-src{0}", camera);
  }
  return fmt::format(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{}{}; connect-src 'self' {}; "
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      camera, camera_sources, url_origin(connect_url));
}

void add_page_routes(HttpServer& http, const WebFiles& files, const WebConfig& web, std::string connect_url) {
  const auto serve = [&files, web, connect_url](std::string path) {
    return [&files, web, connect_url, path = std::move(path)](const HttpRequest& request, HttpResponder respond) {
      const WebFile* file = files.find(path);
      if (file == nullptr) return respond(json_error(404, fmt::format("{} is not in web.dir", path)));
      respond(file_answer(*file, web, connect_url, request));
    };
  };
  http.route(Method::get, "/", serve("/index.html"));
  http.route(Method::get, "/watch", serve("/watch.html"));
  http.route_prefix(Method::get, "/", [&files, web, connect_url](const HttpRequest& request, HttpResponder respond) {
    const WebFile* file = files.find(request.path);
    if (file == nullptr) return respond(json_error(404, "no such page or file"));
    respond(file_answer(*file, web, connect_url, request));
  });
}

void add_client_config_route(HttpServer& http, const WebConfig& web, ClientSettings settings) {
  http.route(Method::get, "/v1/config", [web, settings](const HttpRequest& request, HttpResponder respond) {
    const std::optional<std::string> broker = broker_url_for(web, request);
    if (!broker.has_value()) return respond(json_error(400, "the Host header is not a host name or address"));
    boost::json::object answer = settings.transport;
    if (answer["transport"] == "mqtt") answer["broker_url"] = *broker;
    answer["turn_ms"] = settings.turn_ms;
    answer["ready_ms"] = settings.ready_ms;
    answer["grace_ms"] = settings.grace_ms;
    answer["command_repeat_ms"] = command_repeat_ms;
    answer["name_chars_max"] = display_name_chars_max;
    answer["camera"] = boost::json::object{{"kind", to_string(web.camera_kind)}, {"url", web.camera_url}};
    respond(json_response(200, std::move(answer)));
  });
}

}  // namespace clawnet::prod
