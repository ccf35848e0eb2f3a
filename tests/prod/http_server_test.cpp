// HttpServer over loopback: joins, status, refusals, malformed and oversized
// requests, and the per-IP rate limit (with an injected clock, so no timing).
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

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpConfig config = {}) {
    config.address = "127.0.0.1";
    config.port = 0;
    server_ = std::make_unique<HttpServer>(
        io_, config,
        [this](const std::string& client, JoinResponder respond) {
          std::lock_guard lock(mutex_);
          join_clients_.push_back(client);
          JoinAnswer answer = next_answer_;
          // Answer later, as the daemon does after its commit.
          boost::asio::post(io_, [respond, answer] { respond(answer); });
        },
        [] { return boost::json::object{{"claw", "CLAW_READY"}, {"queue_length", 3}}; },
        [this] { return now_ms_.load(); });
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

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> join_clients_;
  JoinAnswer next_answer_{true, "p-0123456789abcdef0123456789abcdef", 4, "p-0123456789abcdef0123456789abcdef",
                          "secret", "p-0123456789abcdef0123456789abcdef", "", 503};
  std::atomic<TimeMs> now_ms_{0};
};

TEST_F(HttpServerTest, JoinReturnsChannelPositionAndCredentials) {
  start();
  const HttpReply reply = exchange(server_->port(), post_join());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = reply.json().as_object();
  EXPECT_EQ(body.at("channel").as_string(), "p-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(body.at("position").to_number<std::uint64_t>(), 4u);
  EXPECT_EQ(body.at("broker").at("password").as_string(), "secret");
  EXPECT_NE(reply.head.find("no-store"), std::string::npos);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(join_clients_, std::vector<std::string>{"127.0.0.1"});
}

TEST_F(HttpServerTest, JoinAcceptsAnEmptyObjectBody) {
  start();
  EXPECT_EQ(exchange(server_->port(), post_join("{}")).status, 200);
}

TEST_F(HttpServerTest, RefusedJoinIsAJsonError) {
  next_answer_ = JoinAnswer{};
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

}  // namespace
}  // namespace clawnet::prod
