// HttpServer over loopback, with clawd's two routes: joins, status, refusals,
// malformed and oversized requests, and the per-IP rate limit (with an injected
// clock, so no timing). The router: 404 vs 405, prefix tails, query parameters,
// headers, an answer given twice.
#include "prod/http_server.hpp"

#include "tests/prod/http_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace clawnet::prod {
namespace {

using testing::exchange;
using testing::HttpReply;

std::string post_join(std::string_view body = "") {
  return "POST /v1/join HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// A join answer as clawd gives it, for the fixture's join route.
struct JoinAnswer {
  int status = 200;
  std::string channel = "p-0123456789abcdef0123456789abcdef";
  std::uint64_t position = 4;
  std::string password = std::string(16, 'p');  // A stand-in, as long as a real one.
  std::string refusal;
};

HttpResponse answer_of(const JoinAnswer& answer) {
  if (answer.status != 200) return json_error(answer.status, answer.refusal);
  const boost::json::object broker{{"username", answer.channel}, {"password", answer.password},
                                   {"client_id", answer.channel}};
  return json_response(200, boost::json::object{{"channel", answer.channel}, {"position", answer.position},
                                                {"broker", broker}});
}

class HttpServerTest : public ::testing::Test {
 protected:
  // Routes as clawd registers them (prod/clawd_driver.cpp), plus `extra` ones.
  void start(HttpConfig config = {}, const std::function<void(HttpServer&)>& extra = {}) {
    config.address = "127.0.0.1";
    config.port = 0;
    server_ = std::make_unique<HttpServer>(io_, config, [this] { return now_ms_.load(); });
    RouteOptions join_options;
    join_options.check_body = check_empty_object_body;
    join_options.rate_limited = true;
    server_->route(
        Method::post, "/v1/join",
        [this](const HttpRequest& request, HttpResponder respond) {
          std::lock_guard lock(mutex_);
          join_clients_.emplace_back(request.client_address);
          // Answer later, as the daemon does after its commit.
          boost::asio::post(io_, [respond, answer = answer_of(next_answer_)] { respond(answer); });
        },
        std::move(join_options));
    server_->route(Method::get, "/v1/status", [](const HttpRequest&, HttpResponder respond) {
      respond(json_response(200, boost::json::object{{"claw", "CLAW_READY"}, {"queue_length", 3}}));
    });
    if (extra) extra(*server_);
    const auto error = server_->start();
    ASSERT_FALSE(error.has_value()) << *error;
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) {
      std::promise<void> stopped;
      boost::asio::post(io_, [&] {
        server_->stop();
        stopped.set_value();
      });
      stopped.get_future().wait();
    }
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  HttpReply get(const std::string& target, const std::string& method = "GET") {
    return exchange(server_->port(), method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> join_clients_;
  JoinAnswer next_answer_;
  std::atomic<TimeMs> now_ms_{0};
};

TEST_F(HttpServerTest, JoinReturnsChannelPositionAndCredentials) {
  start();
  const HttpReply reply = exchange(server_->port(), post_join());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = reply.json().as_object();
  EXPECT_EQ(body.at("channel").as_string(), "p-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(body.at("position").to_number<std::uint64_t>(), 4u);
  EXPECT_EQ(body.at("broker").at("password").as_string(), JoinAnswer{}.password);
  EXPECT_NE(reply.head.find("no-store"), std::string::npos);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(join_clients_, std::vector<std::string>{"127.0.0.1"});
}

TEST_F(HttpServerTest, JoinAcceptsAnEmptyObjectBody) {
  start();
  EXPECT_EQ(exchange(server_->port(), post_join("{}")).status, 200);
}

TEST_F(HttpServerTest, RefusedJoinIsAJsonError) {
  next_answer_.status = 503;
  next_answer_.refusal = "the queue is full";
  start();
  const HttpReply reply = exchange(server_->port(), post_join());
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.json().at("error").as_string(), "the queue is full");
}

TEST_F(HttpServerTest, StatusReturnsTheProvidersObject) {
  start();
  const HttpReply reply = exchange(server_->port(), "GET /v1/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().at("claw").as_string(), "CLAW_READY");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  const std::string status = "GET /v1/status HTTP/1.1\r\nHost: t\r\n\r\n";
  const HttpReply reply = exchange(server_->port(), status + status + "GET /v1/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 200);
  // Three responses arrived on the one connection.
  std::size_t count = 0;
  for (std::size_t at = 0; (at = reply.body.find("HTTP/1.1 200", at)) != std::string::npos; ++at) ++count;
  EXPECT_EQ(count, 2u);
}

TEST_F(HttpServerTest, WrongPathsAndMethodsAreJsonErrors) {
  start();
  HttpReply reply = exchange(server_->port(), "GET /v2/nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 404);
  EXPECT_TRUE(reply.json().as_object().contains("error"));
  reply = exchange(server_->port(), "GET /v1/join HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 405);
  EXPECT_NE(reply.head.find("Allow: POST"), std::string::npos);
  reply = exchange(server_->port(), "DELETE /v1/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 405);
}

TEST_F(HttpServerTest, MalformedRequestsGet400) {
  start();
  HttpReply reply = exchange(server_->port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(reply.status, 400);
  EXPECT_TRUE(reply.json().as_object().contains("error"));
  reply = exchange(server_->port(), post_join("{\"channel\":\"p-00\"}"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.json().at("error").as_string().find("channel"), std::string::npos);
  reply = exchange(server_->port(), post_join("not json"));
  EXPECT_EQ(reply.status, 400);
  reply = exchange(server_->port(), post_join("[1,2]"));
  EXPECT_EQ(reply.status, 400);
  std::lock_guard lock(mutex_);
  EXPECT_TRUE(join_clients_.empty());
}

TEST_F(HttpServerTest, OversizedRequestsGet413And431) {
  HttpConfig config;
  config.body_bytes_max = 64;
  config.header_bytes_max = 1024;
  start(config);
  HttpReply reply = exchange(server_->port(), post_join("{" + std::string(100, ' ') + "}"));
  EXPECT_EQ(reply.status, 413);
  EXPECT_TRUE(reply.json().as_object().contains("error"));
  reply = exchange(server_->port(), "GET /v1/status HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'x') +
                                        "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 431);
  EXPECT_TRUE(reply.json().as_object().contains("error"));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitGet503) {
  HttpConfig config;
  config.connections_max = 1;
  start(config);
  // An idle connection holds the only place.
  const int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server_->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  // The server may not have accepted it yet: ask until it has (from then on every
  // new connection is refused).
  HttpReply reply;
  for (int attempt = 0; attempt < 200 && reply.status != 503; ++attempt) {
    reply = exchange(server_->port(), "GET /v1/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  }
  EXPECT_EQ(reply.status, 503);
  EXPECT_TRUE(reply.json().as_object().contains("error"));
  ::close(idle);
}

TEST_F(HttpServerTest, JoinsAreRateLimitedPerAddress) {
  HttpConfig config;
  config.join_rate_per_s = 1;
  config.join_burst = 2;
  start(config);
  EXPECT_EQ(exchange(server_->port(), post_join()).status, 200);
  EXPECT_EQ(exchange(server_->port(), post_join()).status, 200);
  HttpReply reply = exchange(server_->port(), post_join());
  EXPECT_EQ(reply.status, 429);
  EXPECT_NE(reply.head.find("Retry-After: 1"), std::string::npos) << reply.head;
  // Status is not rate limited.
  EXPECT_EQ(exchange(server_->port(), "GET /v1/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").status, 200);
  now_ms_ = 1000;  // One token back.
  EXPECT_EQ(exchange(server_->port(), post_join()).status, 200);
  EXPECT_EQ(exchange(server_->port(), post_join()).status, 429);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(join_clients_.size(), 3u);
}

// A route that echoes what the handler saw, as JSON.
void echo(const HttpRequest& request, HttpResponder respond) {
  boost::json::object query;
  for (const char* name : {"limit", "name"}) {
    if (auto value = request.query.text(name)) query[name] = *value;
  }
  respond(json_response(200, boost::json::object{{"method", to_string(request.method)},
                                                 {"path", request.path},
                                                 {"tail", request.tail},
                                                 {"query", query},
                                                 {"authorization", request.header("authorization").value_or("")},
                                                 {"body", request.body}}));
}

void add_echo_routes(HttpServer& server) {
  RouteOptions options;
  options.query = {{"limit", QueryParameter::Kind::integer, 1, 100}, {"name", QueryParameter::Kind::text}};
  server.route(Method::get, "/v1/turns", echo, options);
  server.route_prefix(Method::get, "/v1/turns/", echo);
  server.route_prefix(Method::get, "/v1/turns/special/", echo);
  server.route(Method::post, "/v1/admin/kick", echo);
  server.route(Method::delete_, "/v1/admin/kick", echo);
  server.route(Method::get, "/v1/twice", [](const HttpRequest&, HttpResponder respond) {
    respond(json_error(409, "first"));
    respond(json_response(200, boost::json::object{}));
  });
  server.route(Method::get, "/text", [](const HttpRequest&, HttpResponder respond) {
    respond(HttpResponse{202, "text/plain; charset=utf-8", "hello", {{"X-Extra", "yes"}}});
  });
}

TEST_F(HttpServerTest, UnknownPathIs404KnownPathWrongMethodIs405WithAllow) {
  ASSERT_NO_FATAL_FAILURE(start({}, add_echo_routes));
  EXPECT_EQ(get("/v1/admin").status, 404);
  EXPECT_EQ(get("/v1/turns/").status, 404);  // A prefix needs a tail.
  HttpReply reply = get("/v1/admin/kick");
  EXPECT_EQ(reply.status, 405);
  EXPECT_NE(reply.head.find("Allow: POST, DELETE"), std::string::npos) << reply.head;
  reply = get("/v1/turns/7", "POST");
  EXPECT_EQ(reply.status, 405);
  EXPECT_NE(reply.head.find("Allow: GET"), std::string::npos) << reply.head;
  EXPECT_EQ(get("/v1/status", "OPTIONS").status, 405);  // A method no route uses.
  EXPECT_EQ(get("/v1/admin/kick", "DELETE").json().at("method").as_string(), "DELETE");
}

TEST_F(HttpServerTest, PrefixRoutesGetTheTailAndTheLongestPrefixWins) {
  ASSERT_NO_FATAL_FAILURE(start({}, add_echo_routes));
  HttpReply reply = get("/v1/turns/42");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("tail").as_string(), "42");
  EXPECT_EQ(reply.json().at("path").as_string(), "/v1/turns/42");
  reply = get("/v1/turns/special/x/y");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("tail").as_string(), "x/y");
  reply = get("/v1/turns");  // The exact route, not the prefix.
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("tail").as_string(), "");
}

TEST_F(HttpServerTest, QueryParametersAreDecodedAndChecked) {
  ASSERT_NO_FATAL_FAILURE(start({}, add_echo_routes));
  HttpReply reply = get("/v1/turns?limit=10&name=a%20b+c");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("query").at("limit").as_string(), "10");
  EXPECT_EQ(reply.json().at("query").at("name").as_string(), "a b c");
  EXPECT_EQ(reply.json().at("path").as_string(), "/v1/turns");
  for (const std::string target : {"/v1/turns?limit=ten", "/v1/turns?limit=0", "/v1/turns?limit=5&limit=6",
                                   "/v1/turns?name=%zz", "/v1/turns?name=%4"}) {
    reply = get(target);
    EXPECT_EQ(reply.status, 400) << target;
    const std::string error(reply.json().at("error").as_string());
    EXPECT_NE(error.find(target.find("limit") != std::string::npos ? "'limit'" : "'name'"), std::string::npos)
        << target << ": " << error;
  }
  reply = get("/v1/turns?colour=red");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(std::string(reply.json().at("error").as_string()).find("'colour'"), std::string::npos);
  EXPECT_EQ(get("/v1/status?x=1").status, 400);  // A route without parameters takes none.
}

TEST_F(HttpServerTest, HandlersSeeHeadersAndBodyAndAnswerOnce) {
  ASSERT_NO_FATAL_FAILURE(start({}, add_echo_routes));
  HttpReply reply = exchange(server_->port(),
                             "POST /v1/admin/kick HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer abc\r\n"
                             "Connection: close\r\nContent-Length: 4\r\n\r\nbody");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("authorization").as_string(), "Bearer abc");
  EXPECT_EQ(reply.json().at("body").as_string(), "body");
  reply = get("/v1/twice");
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(reply.json().at("error").as_string(), "first");
  reply = get("/text");
  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(reply.body, "hello");
  EXPECT_NE(reply.head.find("Content-Type: text/plain; charset=utf-8"), std::string::npos) << reply.head;
  EXPECT_NE(reply.head.find("X-Extra: yes"), std::string::npos) << reply.head;
}

}  // namespace
}  // namespace clawnet::prod
