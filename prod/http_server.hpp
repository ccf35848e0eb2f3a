// HttpServer: a small HTTP/1.1 server (Boost.Beast) with a router, on an Asio
// io_context. The daemons register their routes before start(): clawd's are listed
// in prod/clawd_driver.hpp.
//
// Routing:
//  - route(method, "/v1/status", ...) matches that exact path (the target before `?`);
//    route_prefix(method, "/v1/turns/", ...) matches any longer path that starts with
//    the prefix, and the handler gets the rest as `tail`. An exact route wins over a
//    prefix; the longest prefix wins over a shorter one.
//  - A path no route matches gets 404; a matched path with no route for the method
//    gets 405 with `Allow: <the path's methods>`.
//  - Each route declares its query parameters (prod/http_query.hpp); an undeclared,
//    repeated or malformed one gets 400 naming it, before the handler runs.
//  - RouteOptions::check_body refuses a body with 400 before the handler runs;
//    RouteOptions::rate_limited takes a token from the per-client-IP bucket
//    (prod/rate_limiter.hpp; http.join_rate_per_s, http.join_burst) after the body
//    check, and answers 429 + Retry-After when there is none.
// Errors are JSON {"error": "...", "reason": "<code>"} (error_reason_of()): 400 malformed request, 404, 405, 413 body over
// http.body_bytes_max, 431 headers over http.header_bytes_max, 429. A request must
// arrive within http.request_timeout_ms. Beyond http.connections_max open
// connections, a new one gets 503 and is closed. Every response carries
// `Cache-Control: no-store` (join answers carry a password).
//
// Contract:
//  - A handler runs on the io_context's thread. The HttpRequest it gets (and every
//    view in it) is valid only during the call: copy what an answer given later needs.
//  - It must call its responder exactly once, at once or later (a join waits for a
//    store commit and a broker account); a second call is ignored. If the client has
//    gone by then, the answer is dropped.
//  - stop() closes the listener and every open connection.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/time.hpp"
#include "prod/config.hpp"
#include "prod/http_query.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clawnet::prod {

enum class Method : std::uint8_t { get, post, put, patch, delete_ };
std::string_view to_string(Method method);

struct HttpRequest {
  Method method = Method::get;
  std::string_view path;  // The target before `?`, as sent (not decoded).
  std::string_view tail;  // Prefix routes: the path after the prefix (never empty); else empty.
  QueryParameters query;
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // As sent, in order.
  std::string_view body;
  std::string_view client_address;  // The peer's IP address.

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;  // Outside [100, 599]: the server answers 500.
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Extra headers (Allow, Retry-After, ...).
};

// A JSON body; `json_error` is {"error": message, "reason": reason}, the reason for a
// program to act on (by default error_reason_of(status)), the message for a person.
HttpResponse json_response(int status, const boost::json::value& body);
HttpResponse json_error(int status, std::string_view message, std::string_view reason = {});
// bad_request (400), unauthorized (401), not_found (404), method_not_allowed (405),
// conflict (409), body_too_large (413), rate_limited (429), headers_too_large (431),
// unavailable (503), else error.
std::string_view error_reason_of(int status);
// For RouteOptions::check_body: the body is empty, blank or `{}`.
std::optional<std::string> check_empty_object_body(std::string_view body);

using HttpResponder = std::function<void(HttpResponse response)>;
using HttpHandler = std::function<void(const HttpRequest& request, HttpResponder respond)>;
// Milliseconds for the rate limiter; the default reads the steady clock.
using HttpClock = std::function<TimeMs()>;

struct RouteOptions {
  std::vector<QueryParameter> query;  // The parameters accepted; any other is refused.
  // Returns why a body is refused (400), or nullopt. Empty: every body is accepted.
  std::function<std::optional<std::string>(std::string_view body)> check_body;
  bool rate_limited = false;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpConfig config, HttpClock clock = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // REQUIRES: `path` starts with '/'; no route has the same method and path yet.
  void route(Method method, std::string path, HttpHandler handler, RouteOptions options = {});
  // REQUIRES: `prefix` starts with '/'; no prefix route has the same method and prefix yet.
  void route_prefix(Method method, std::string prefix, HttpHandler handler, RouteOptions options = {});

  // Binds and listens. Returns an error text naming the address, or nullopt.
  std::optional<std::string> start();
  void stop();
  // The bound port (useful with http.port = 0).
  std::uint16_t port() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace clawnet::prod
