// Durable joins per second through the HTTP API: clawd's driver with a local
// mosquitto and its SQLite store (each join committed before its reply, joins that
// arrive together in one group commit), driven by `clients` keep-alive HTTP
// connections, each posting its next join as soon as the last one is answered.
// The clients run on one thread of their own (epoll, non-blocking sockets), so
// the figure is clawd's, not the cost of waking a thread per client. Prints the
// rate and the join latency (request sent to reply read), p50 and p99.
// Player accounts are off (broker.player_accounts = none): this measures the
// HTTP + machine + store path, not the dynsec plugin.
// Usage: prod_join_throughput_bench [joins] [clients]   (default 2000 4)
#include "bench/prod/bench_clawd.hpp"
#include "prod/clawd_driver.hpp"
#include "prod/daemon_setup.hpp"

#include "tests/prod/broker_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view join_request = "POST /v1/join HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n";
constexpr auto client_deadline = std::chrono::seconds(120);  // A hang guard, not a measurement.

struct Connection {
  int fd = -1;
  std::size_t left = 0;  // Joins still to send.
  std::string buffer;
  Clock::time_point sent;
};

struct Outcome {
  std::size_t accepted = 0;
  std::vector<Clock::duration> latencies;
  std::string error;
};

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
  return fd;
}

bool send_join(Connection& connection) {
  connection.sent = Clock::now();
  connection.left -= 1;
  return ::send(connection.fd, join_request.data(), join_request.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(join_request.size());
}

// The length of the first whole response in `buffer`, or 0 if it is not all there yet.
std::size_t response_length(const std::string& buffer) {
  const std::size_t header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  const std::size_t length_at = buffer.find("Content-Length: ");
  const std::size_t body = length_at < header_end ? std::stoul(buffer.substr(length_at + 16)) : 0;
  const std::size_t total = header_end + 4 + body;
  return buffer.size() >= total ? total : 0;
}

// `joins` joins over `clients` connections, one outstanding request per connection.
Outcome run_clients(std::uint16_t port, std::size_t joins, std::size_t clients) {
  Outcome outcome;
  outcome.latencies.reserve(joins);
  const int epoll = ::epoll_create1(0);
  std::vector<Connection> connections(clients);
  for (std::size_t i = 0; i < clients; ++i) {
    Connection& connection = connections[i];
    connection.left = joins / clients + (i < joins % clients ? 1 : 0);
    connection.fd = connect_loopback(port);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    if (connection.fd < 0 || ::epoll_ctl(epoll, EPOLL_CTL_ADD, connection.fd, &event) != 0) {
      outcome.error = "cannot connect";
      return outcome;
    }
  }
  std::size_t open = 0;
  for (Connection& connection : connections) {
    if (connection.left > 0 && send_join(connection)) open += 1;
  }
  const auto deadline = Clock::now() + client_deadline;
  std::vector<epoll_event> events(clients);
  char chunk[16384];
  while (open > 0 && Clock::now() < deadline) {
    const int ready = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 1000);
    for (int e = 0; e < ready; ++e) {
      Connection& connection = connections[events[static_cast<std::size_t>(e)].data.u64];
      const ssize_t got = ::recv(connection.fd, chunk, sizeof chunk, 0);
      if (got <= 0) {
        outcome.error = "a connection closed";
        open -= 1;
        continue;
      }
      connection.buffer.append(chunk, static_cast<std::size_t>(got));
      const std::size_t length = response_length(connection.buffer);
      if (length == 0) continue;
      outcome.latencies.push_back(Clock::now() - connection.sent);
      if (connection.buffer.starts_with("HTTP/1.1 200")) outcome.accepted += 1;
      connection.buffer.erase(0, length);
      if (connection.left == 0 || !send_join(connection)) open -= 1;
    }
  }
  if (open > 0) outcome.error = "the clients' deadline passed";
  for (Connection& connection : connections) ::close(connection.fd);
  ::close(epoll);
  return outcome;
}

bool parse_count(const char* text, std::size_t& out) {
  const std::string_view view = text;
  return std::from_chars(view.data(), view.data() + view.size(), out).ec == std::errc{} && out > 0;
}

double percentile_us(const std::vector<Clock::duration>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return std::chrono::duration<double, std::micro>(sorted[index]).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clawnet::prod;
  std::size_t joins = 2000;
  std::size_t clients = 4;
  if ((argc >= 2 && !parse_count(argv[1], joins)) || (argc >= 3 && !parse_count(argv[2], clients)) || argc > 3 ||
      clients > joins) {
    std::fprintf(stderr, "usage: prod_join_throughput_bench [joins] [clients]   (clients <= joins)\n");
    return 2;
  }
  keep_heap_slack();  // As clawd's main does.
  testing::BrokerProcess broker;
  if (auto error = broker.start("allow_anonymous true\n")) {
    std::fprintf(stderr, "broker: %s\n", error->c_str());
    return 1;
  }
  Config config = bench::clawd_config(broker);
  config.http.join_rate_per_s = 1'000'000;
  config.http.join_burst = 1'000'000;
  boost::asio::io_context io;
  auto opened = ClawdDriver::open(io, config, [](std::string_view) {});
  if (auto* error = std::get_if<std::string>(&opened)) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return 1;
  }
  ClawdDriver& clawd = *std::get<std::unique_ptr<ClawdDriver>>(opened);
  if (auto error = clawd.start()) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return 1;
  }
  const auto link_deadline = Clock::now() + std::chrono::seconds(10);
  while (!clawd.status().at("broker_link").as_bool() && Clock::now() < link_deadline) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  std::atomic<bool> finished = false;
  Outcome outcome;
  const auto started = Clock::now();
  std::thread client_thread([&] {
    outcome = run_clients(clawd.http_port(), joins, clients);
    finished = true;
  });
  while (!finished) io.run_one_for(std::chrono::milliseconds(10));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  client_thread.join();
  std::sort(outcome.latencies.begin(), outcome.latencies.end());
  std::printf("durable joins through HTTP: %zu accepted of %zu in %.2f s = %.0f joins/s (%zu clients); "
              "join latency p50 %.0f us, p99 %.0f us%s%s\n",
              outcome.accepted, joins, seconds, static_cast<double>(outcome.accepted) / seconds, clients,
              percentile_us(outcome.latencies, 0.50), percentile_us(outcome.latencies, 0.99),
              outcome.error.empty() ? "" : "; error: ", outcome.error.c_str());
  clawd.stop();
  return outcome.accepted == joins ? 0 : 1;
}
