// Queue operations at 1,000, 100,000 and 1,000,000 queued players: PlayerQueue
// alone (join, erase at head, erase from the middle, rank_of, at) and the whole
// ServerMachine (one join, one turn completion), with the messages each change
// publishes reported as counters. Every operation keeps the queue near its size:
// a batch of changes is timed, then undone with the clock paused.
#include "core/limits.hpp"
#include "core/player_queue.hpp"
#include "core/server_machine.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace clawnet {
namespace {

std::string channel_for(Ticket ticket) { return fmt::format("p-{:x}", ticket); }

// Tickets 1..size, all present.
PlayerQueue queue_of(std::size_t size) {
  PlayerQueue queue;
  for (Ticket ticket = 1; ticket <= size; ticket += 1) queue.insert(ticket, channel_for(ticket), true);
  return queue;
}

// Changes per timed batch: small against the queue, so its size barely moves.
std::size_t batch_for(std::size_t size) { return std::max<std::size_t>(1, std::min<std::size_t>(1'000, size / 10)); }

// xorshift64: a fixed, cheap sequence of probe positions.
std::uint64_t next_random(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

void BM_QueueJoin(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  PlayerQueue queue = queue_of(size);
  const std::size_t batch = batch_for(size);
  std::vector<std::string> channels;
  Ticket next = size + 1;
  std::size_t done = 0;
  for (auto _ : state) {
    if (done % batch == 0) {
      state.PauseTiming();
      for (Ticket ticket = next - done; ticket < next; ticket += 1) queue.erase(ticket);
      next -= done;
      done = 0;
      channels.clear();
      for (Ticket ticket = next; ticket < next + batch; ticket += 1) channels.push_back(channel_for(ticket));
      state.ResumeTiming();
    }
    queue.insert(next, std::move(channels[done]), true);
    next += 1;
    done += 1;
  }
  state.SetItemsProcessed(state.iterations());
}

// Erases tickets from `first` on, one per iteration, then puts them back.
void erase_run(benchmark::State& state, PlayerQueue& queue, Ticket first) {
  const std::size_t batch = batch_for(queue.size());
  std::size_t done = 0;
  for (auto _ : state) {
    if (done == batch) {
      state.PauseTiming();
      for (Ticket ticket = first; ticket < first + batch; ticket += 1) queue.insert(ticket, channel_for(ticket), true);
      done = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(queue.erase(first + done));
    done += 1;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_QueueEraseAtHead(benchmark::State& state) {
  PlayerQueue queue = queue_of(static_cast<std::size_t>(state.range(0)));
  erase_run(state, queue, 1);
}

void BM_QueueEraseFromMiddle(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  PlayerQueue queue = queue_of(size);
  erase_run(state, queue, size / 2);
}

void BM_QueueRankOf(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  PlayerQueue queue = queue_of(size);
  std::uint64_t random = 0x9e3779b97f4a7c15ULL;
  for (auto _ : state) benchmark::DoNotOptimize(queue.rank_of(1 + next_random(random) % size));
  state.SetItemsProcessed(state.iterations());
}

void BM_QueueAt(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  PlayerQueue queue = queue_of(size);
  std::uint64_t random = 0x9e3779b97f4a7c15ULL;
  for (auto _ : state) benchmark::DoNotOptimize(queue.at(next_random(random) % size).ticket);
  state.SetItemsProcessed(state.iterations());
}

// --- ServerMachine ------------------------------------------------------------------

std::size_t publishes_in(const Effects& effects) {
  return static_cast<std::size_t>(
      std::count_if(effects.begin(), effects.end(), [](const Effect& e) { return std::holds_alternative<Publish>(e); }));
}

// A server with `size` present players waiting and a turn in play. Built once
// per size (a million joins take a while) and kept near that size by the runs.
struct PlayingServer {
  explicit PlayingServer(std::size_t size) : machine(config(size)) {
    machine.handle_start({}, now);
    for (std::size_t i = 0; i < size; i += 1) join_one();
    machine.handle_secure_message(R"({"status":"CLAW_READY","turn":0})", now);
    acknowledge();
    machine.take_effects();
  }
  static ServerConfig config(std::size_t size) {
    ServerConfig server_config;
    server_config.queue_length_max = std::clamp<std::size_t>(size + 10, 1'000, limits::queue_length_max);
    return server_config;
  }
  // A join request and its presence join; returns the messages published.
  std::size_t join_one() {
    const std::string channel = channel_for(next_channel);
    next_channel += 1;
    machine.handle_join(next_channel, channel, now);
    machine.handle_player_presence(channel, PresenceKind::join, now);
    return publishes_in(machine.take_effects());
  }
  // The claw finishes the turn in play; the server grants the next one.
  std::size_t complete_turn() {
    now += 1;
    machine.handle_secure_message(fmt::format(R"({{"status":"CLAW_READY","turn":{}}})", machine.open_turn()->turn), now);
    const std::size_t published = publishes_in(machine.take_effects());
    acknowledge();
    machine.take_effects();
    return published;
  }
  void acknowledge() {
    machine.handle_secure_message(fmt::format(R"({{"status":"CLAW_CONTROLLED","turn":{}}})", machine.open_turn()->turn),
                                  now);
  }

  ServerMachine machine;
  TimeMs now = 0;
  Ticket next_channel = 1;
};

PlayingServer& playing_server(std::size_t size) {
  static std::map<std::size_t, std::unique_ptr<PlayingServer>> servers;
  std::unique_ptr<PlayingServer>& server = servers[size];
  if (!server) server = std::make_unique<PlayingServer>(size);
  return *server;
}

// One join then one turn completion: the queue size is unchanged per iteration.
void BM_ServerJoinAndTurn(benchmark::State& state) {
  PlayingServer& server = playing_server(static_cast<std::size_t>(state.range(0)));
  std::size_t join_publishes = 0;
  std::size_t turn_publishes = 0;
  std::size_t turn_publishes_max = 0;
  for (auto _ : state) {
    join_publishes += server.join_one();
    const std::size_t published = server.complete_turn();
    turn_publishes += published;
    turn_publishes_max = std::max(turn_publishes_max, published);
  }
  state.counters["queued"] = static_cast<double>(server.machine.queue().size());
  state.counters["msgs_per_join"] =
      benchmark::Counter(static_cast<double>(join_publishes), benchmark::Counter::kAvgIterations);
  state.counters["msgs_per_turn"] =
      benchmark::Counter(static_cast<double>(turn_publishes), benchmark::Counter::kAvgIterations);
  state.counters["msgs_per_turn_max"] = static_cast<double>(turn_publishes_max);
}

void sizes(benchmark::internal::Benchmark* benchmark) {
  for (std::int64_t size : {1'000, 10'000, 100'000, 1'000'000}) benchmark->Arg(size);
}

BENCHMARK(BM_QueueJoin)->Apply(sizes);
BENCHMARK(BM_QueueEraseAtHead)->Apply(sizes);
BENCHMARK(BM_QueueEraseFromMiddle)->Apply(sizes);
BENCHMARK(BM_QueueRankOf)->Apply(sizes);
BENCHMARK(BM_QueueAt)->Apply(sizes);
BENCHMARK(BM_ServerJoinAndTurn)->Apply(sizes)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace clawnet

BENCHMARK_MAIN();
