// HttpServer: the join API of clawd over HTTP/1.1 (Boost.Beast), on an Asio io_context.
//
//   POST /v1/join    -> 200 {"channel","position","broker":{"username","password","client_id"}}
//                       503 {"error"} when the daemon refuses (queue full, ...)
//                       429 {"error"} + Retry-After when the client IP is over its rate
//   GET  /v1/status  -> 200 with the daemon's status object
// Anything else gets a 4xx with {"error": "..."}: 400 malformed request or body,
// 404 unknown path, 405 wrong method, 413 body over http.body_bytes_max, 431 headers
// over http.header_bytes_max. A request must arrive within http.request_timeout_ms.
// Beyond http.connections_max open connections, a new one gets 503 and is closed.
// The join body must be empty or `{}`.
//
// Contract:
//  - The join handler is called once per admitted join, on the io_context's thread,
//    with the client's IP address and a responder; it must call the responder
//    exactly once (later is fine: the join may wait for a store commit and a broker
//    account). If the client has gone by then, the answer is dropped.
//  - The rate limit is a token bucket per client IP (prod/rate_limiter.hpp) on joins.
//  - stop() closes the listener and every open connection.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/time.hpp"
#include "prod/config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace clawnet::prod {

struct JoinAnswer {
  bool accepted = false;
  // When accepted:
  std::string channel;
  std::uint64_t position = 0;
  std::string username;
  std::string password;
  std::string client_id;
  // When refused: why, for the player, and the HTTP status (503 by default).
  std::string refusal;
  int status = 503;
};

using JoinResponder = std::function<void(JoinAnswer answer)>;
using JoinHandler = std::function<void(const std::string& client_address, JoinResponder respond)>;
using StatusProvider = std::function<boost::json::object()>;
// Milliseconds for the rate limiter; the default reads the steady clock.
using HttpClock = std::function<TimeMs()>;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpConfig config, JoinHandler on_join, StatusProvider status,
             HttpClock clock = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

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
