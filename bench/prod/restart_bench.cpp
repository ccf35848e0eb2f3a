// Restart at scale: clawd's driver on a store holding `queued` waiting players
// (written first, in large groups) and a local mosquitto. Prints how long clawd
// takes from opening the store to answering a new join (loading the queue, the
// restored players' position announcements, the HTTP listener), the position
// messages it published on the way, and the process's resident memory then.
// Every restored player's presence is in the broker as a retained "join" (as its
// client left it), so clawd's start also reads them all: the bench prints when the
// last one is read (presence synced).
// Usage: prod_restart_bench [queued]   (default 100000)
#include "bench/prod/bench_clawd.hpp"
#include "prod/clawd_driver.hpp"
#include "prod/daemon_setup.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/topics.hpp"

#include "tests/prod/broker_process.hpp"
#include "tests/prod/http_client.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace {

using namespace clawnet;
using Clock = std::chrono::steady_clock;

constexpr std::size_t fill_group = 10'000;  // Writes per transaction while filling the store.

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The process's resident set in MiB, from /proc/self/status.
double resident_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// The position a join reply names (its body is clawd's JSON).
std::string position_of(const std::string& body) {
  boost::system::error_code error;
  const boost::json::value reply = boost::json::parse(body, error);
  if (error || !reply.is_object() || !reply.as_object().contains("position")) return "?";
  return boost::json::serialize(reply.at("position"));
}

// Leaves a retained "join" on every player's presence topic, as their clients would;
// returns when the broker has acknowledged the last one.
bool leave_presences(boost::asio::io_context& io, std::uint16_t port, std::size_t queued) {
  const clawnet::prod::TopicMap topics("clawnet");
  std::size_t acknowledged = 0;
  clawnet::prod::MqttOptions options;
  options.port = port;
  options.client_id = "bench-presence";
  clawnet::prod::MqttCallbacks callbacks;
  callbacks.on_publish_result = [&](int, int) { acknowledged += 1; };
  clawnet::prod::MqttTransport publisher(io, options, std::move(callbacks));
  publisher.start();
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (!publisher.link_up() && Clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
  for (std::size_t ticket = 1; ticket <= queued; ++ticket) {
    publisher.publish(topics.presence_topic(fmt::format("p-{:032x}", ticket)), "join", 1, true);
    if (ticket % 1'000 == 0) io.poll();
  }
  while (acknowledged < queued && Clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
  publisher.stop();
  io.poll();
  return acknowledged == queued;
}

std::optional<std::string> fill_store(const std::string& path, std::size_t queued) {
  auto opened = QueueStore::open(path);
  if (auto* error = std::get_if<StoreError>(&opened)) return error->message;
  QueueStore& store = *std::get<std::unique_ptr<QueueStore>>(opened);
  std::vector<Effect> group;
  for (std::size_t ticket = 1; ticket <= queued; ++ticket) {
    group.push_back(PersistJoin{ticket, fmt::format("p-{:032x}", ticket), 0});
    if (group.size() == fill_group || ticket == queued) {
      if (auto error = store.apply_all(group)) return error->message;
      group.clear();
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clawnet::prod;
  std::size_t queued = 100'000;
  if (argc > 2 || (argc == 2 && (std::from_chars(argv[1], argv[1] + std::string_view(argv[1]).size(), queued).ec !=
                                     std::errc{} ||
                                 queued == 0 || queued >= limits::queue_length_max))) {
    // One place stays free for the join that shows clawd serving.
    std::fprintf(stderr, "usage: prod_restart_bench [queued]   (1..%zu)\n", limits::queue_length_max - 1);
    return 2;
  }
  keep_heap_slack();  // As clawd's main does.
  clawnet::prod::testing::BrokerProcess broker;
  // As the shipped deploy/mosquitto.conf: the restored players' presences reach clawd all at once.
  if (auto error = broker.start("allow_anonymous true\nmax_queued_messages 200000\n")) {
    std::fprintf(stderr, "broker: %s\n", error->c_str());
    return 1;
  }
  Config config = bench::clawd_config(broker);
  config.server.queue_length_max = limits::queue_length_max;
  if (auto error = fill_store(config.store.path, queued)) {
    std::fprintf(stderr, "filling the store: %s\n", error->c_str());
    return 1;
  }
  boost::asio::io_context io;
  if (!leave_presences(io, broker.port(), queued)) {
    std::fprintf(stderr, "the broker did not take every presence\n");
    return 1;
  }
  io.restart();
  const double before_mib = resident_mib();
  const auto started = Clock::now();
  auto opened = ClawdDriver::open(io, config, [](std::string_view) {});
  if (auto* error = std::get_if<std::string>(&opened)) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return 1;
  }
  ClawdDriver& clawd = *std::get<std::unique_ptr<ClawdDriver>>(opened);
  const double loaded_s = seconds_since(started);
  if (auto error = clawd.start()) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return 1;
  }
  const double restored_s = seconds_since(started);
  const auto link_deadline = Clock::now() + std::chrono::seconds(60);
  while (!clawd.status().at("broker_link").as_bool() && Clock::now() < link_deadline) {
    io.run_one_for(std::chrono::milliseconds(10));
  }
  auto reply = std::async(std::launch::async, [port = clawd.http_port()] {
    return clawnet::prod::testing::try_exchange(port, clawnet::prod::testing::post_join_request());
  });
  const auto reply_deadline = Clock::now() + std::chrono::seconds(120);
  while (reply.wait_for(std::chrono::seconds(0)) != std::future_status::ready && Clock::now() < reply_deadline) {
    io.run_one_for(std::chrono::milliseconds(10));
  }
  const bool answered = reply.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  const std::optional<clawnet::prod::testing::HttpReply> answer = answered ? reply.get() : std::nullopt;
  const double serving_s = seconds_since(started);
  const auto presence_deadline = Clock::now() + std::chrono::seconds(120);
  while (clawd.snapshot().players_present < queued && Clock::now() < presence_deadline) {
    io.run_one_for(std::chrono::milliseconds(10));
  }
  const double synced_s = seconds_since(started);
  const ServerCounters& counters = clawd.machine().counters();
  std::printf("restart with %zu queued: store loaded in %.2f s, queue restored and announced in %.2f s, "
              "a new join answered after %.2f s (status %d, position %s), presence of %zu read after %.2f s; "
              "%llu position messages; resident memory %.0f MiB (%.0f MiB before clawd opened the store)\n",
              queued, loaded_s, restored_s, serving_s, answer ? answer->status : 0,
              answer && answer->status == 200 ? position_of(answer->body).c_str() : "-",
              clawd.snapshot().players_present, synced_s,
              static_cast<unsigned long long>(counters.position_messages), resident_mib(), before_mib);
  clawd.stop();
  return answer && answer->status == 200 ? 0 : 1;
}
