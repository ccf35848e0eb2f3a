// Durable joins per second through the HTTP API: clawd's driver with a local
// mosquitto and its SQLite store (each join committed before its reply), driven
// by `clients` keep-alive HTTP connections posting joins back to back.
// Player accounts are off (broker.player_accounts = none): this measures the
// HTTP + machine + store path, not the dynsec plugin.
// Usage: prod_join_throughput_bench [joins] [clients]   (default 2000 4)
#include "prod/clawd_driver.hpp"

#include "tests/prod/broker_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

// Posts `count` joins on one keep-alive connection; returns how many got 200.
std::size_t post_joins(std::uint16_t port, std::size_t count) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 0;
  const std::string request = "POST /v1/join HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n";
  std::size_t ok = 0;
  std::string buffer;
  char chunk[4096];
  for (std::size_t i = 0; i < count; ++i) {
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) break;
    // Read one response: headers, then Content-Length bytes of body.
    std::size_t header_end = std::string::npos;
    std::size_t total = 0;
    while (true) {
      header_end = buffer.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const auto length_at = buffer.find("Content-Length: ");
        const std::size_t length = length_at < header_end ? std::stoul(buffer.substr(length_at + 16)) : 0;
        total = header_end + 4 + length;
        if (buffer.size() >= total) break;
      }
      const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) {
        ::close(fd);
        return ok;
      }
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
    if (buffer.starts_with("HTTP/1.1 200")) ok += 1;
    buffer.erase(0, total);
  }
  ::close(fd);
  return ok;
}

bool parse_count(const char* text, std::size_t& out) {
  const std::string_view view = text;
  return std::from_chars(view.data(), view.data() + view.size(), out).ec == std::errc{} && out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clawnet::prod;
  std::size_t joins = 2000;
  std::size_t clients = 4;
  if ((argc >= 2 && !parse_count(argv[1], joins)) || (argc >= 3 && !parse_count(argv[2], clients)) || argc > 3) {
    std::fprintf(stderr, "usage: prod_join_throughput_bench [joins] [clients]\n");
    return 2;
  }
  testing::BrokerProcess broker;
  if (auto error = broker.start("allow_anonymous true\n")) {
    std::fprintf(stderr, "broker: %s\n", error->c_str());
    return 1;
  }
  Config config;
  config.broker.port = broker.port();
  config.broker.player_accounts = false;
  config.http.port = 0;
  config.http.join_rate_per_s = 1'000'000;
  config.http.join_burst = 1'000'000;
  config.store.path = (broker.directory() / "queue.sqlite3").string();
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
  std::atomic<std::size_t> accepted = 0;
  std::atomic<std::size_t> finished = 0;
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < clients; ++i) {
    const std::size_t share = joins / clients + (i < joins % clients ? 1 : 0);
    threads.emplace_back([&, share, port = clawd.http_port()] {
      accepted += post_joins(port, share);
      finished += 1;
    });
  }
  while (finished < clients) io.run_one_for(std::chrono::milliseconds(10));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  for (auto& thread : threads) thread.join();
  std::printf("durable joins through HTTP: %zu accepted of %zu in %.2f s = %.0f joins/s (%zu clients)\n",
              accepted.load(), joins, seconds, static_cast<double>(accepted.load()) / seconds, clients);
  clawd.stop();
  return accepted == joins ? 0 : 1;
}
