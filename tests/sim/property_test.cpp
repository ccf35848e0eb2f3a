// Property: for any scenario of joins, leaves, reconnects, commands, hostile
// players, crashes, partitions and loss, no invariant is ever violated.
// RapidCheck shrinks a failing scenario; it is printed in the scenario-file
// format (save it under scenarios/ and replay it with clawsim run).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/run.hpp"
#include "world_support.hpp"

namespace clawnet::sim {
namespace {

constexpr TimeMs minute_ms = 60'000;
const std::vector<std::string> player_names = {"ann", "ben", "cat", "dan", "eve", "fay"};

rc::Gen<std::string> player_name() { return rc::gen::elementOf(player_names); }
rc::Gen<TimeMs> short_span() { return rc::gen::inRange<TimeMs>(1'000, 40'000); }
rc::Gen<double> probability(double max) {
  return rc::gen::map(rc::gen::inRange(0, 101), [max](int percent) { return max * percent / 100.0; });
}

rc::Gen<ActionBody> action_body() {
  using namespace rc;
  return gen::oneOf(
      gen::map(gen::tuple(player_name(), gen::element(PlayerMode::scripted, PlayerMode::automatic, PlayerMode::idle)),
               [](auto t) { return ActionBody{Join{std::get<0>(t), std::get<1>(t)}}; }),
      gen::map(gen::tuple(player_name(), gen::element(PlayerMode::automatic)),
               [](auto t) { return ActionBody{Join{std::get<0>(t), std::get<1>(t)}}; }),
      gen::map(player_name(), [](std::string p) { return ActionBody{Leave{p}}; }),
      gen::map(player_name(), [](std::string p) { return ActionBody{Disconnect{p}}; }),
      gen::map(player_name(), [](std::string p) { return ActionBody{Vanish{p}}; }),
      gen::map(player_name(), [](std::string p) { return ActionBody{Reconnect{p}}; }),
      gen::map(gen::tuple(player_name(), gen::inRange(0, 4), gen::arbitrary<bool>()),
               [](auto t) {
                 return ActionBody{Press{std::get<0>(t), static_cast<Direction>(std::get<1>(t)), std::get<2>(t)}};
               }),
      gen::map(gen::tuple(player_name(), gen::inRange(0, 4)),
               [](auto t) { return ActionBody{Release{std::get<0>(t), static_cast<Direction>(std::get<1>(t))}}; }),
      gen::map(player_name(), [](std::string p) { return ActionBody{DropClaw{p}}; }),
      gen::map(gen::element(NodeKind::server, NodeKind::claw), [](NodeKind n) { return ActionBody{Crash{n, std::nullopt}}; }),
      gen::map(gen::element(NodeKind::server, NodeKind::claw), [](NodeKind n) { return ActionBody{Restart{n}}; }),
      gen::map(gen::tuple(gen::element<std::string>("server", "claw", "ann", "ben"), short_span()),
               [](auto t) { return ActionBody{PartitionNode{std::get<0>(t), std::get<1>(t)}}; }),
      gen::map(gen::tuple(gen::arbitrary<bool>(), gen::arbitrary<bool>(), short_span()),
               [](auto t) {
                 return std::get<0>(t) ? ActionBody{PartitionLink{"server", "claw", std::get<1>(t), std::get<2>(t)}}
                                       : ActionBody{PartitionLink{"claw", "server", std::get<1>(t), std::get<2>(t)}};
               }),
      gen::map(gen::tuple(gen::element<std::string>("clawcomm", "p-*", "lobby"), probability(0.3), short_span()),
               [](auto t) { return ActionBody{ChannelLoss{std::get<0>(t), std::get<1>(t), std::get<2>(t)}}; }),
      gen::map(gen::tuple(probability(0.3), probability(0.3), probability(0.3), short_span(),
                          gen::inRange<TimeMs>(0, 3'000)),
               [](auto t) {
                 return ActionBody{
                     Burst{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t), std::get<4>(t), 0}};
               }),
      gen::map(gen::tuple(player_name(), player_name(), gen::inRange<std::uint32_t>(1, 20)),
               [](auto t) { return ActionBody{Spoof{"mallory", std::get<1>(t), std::get<2>(t)}}; }),
      gen::map(gen::tuple(player_name(), gen::inRange<std::uint32_t>(1, 50)),
               [](auto t) { return ActionBody{Flood{std::get<0>(t), std::get<1>(t)}}; }),
      gen::map(gen::tuple(player_name(), gen::inRange<std::uint32_t>(1, 10)),
               [](auto t) { return ActionBody{Replay{std::get<0>(t), std::get<1>(t)}}; }),
      gen::map(gen::inRange<std::uint32_t>(1, 30), [](std::uint32_t n) { return ActionBody{JoinSpam{"spammer", n}}; }));
}

rc::Gen<Scenario> scenario_gen() {
  using namespace rc;
  return gen::map(
      gen::tuple(gen::inRange<TimeMs>(2, 9), gen::arbitrary<std::uint32_t>(), gen::inRange<TimeMs>(5, 60),
                 gen::inRange<TimeMs>(0, 150), probability(0.05), probability(0.05), probability(0.05),
                 gen::inRange<TimeMs>(10, 30), gen::inRange<TimeMs>(5, 40),
                 gen::container<std::vector<std::pair<TimeMs, ActionBody>>>(
                     gen::pair(gen::inRange<TimeMs>(0, 1'000), action_body()))),
      [](auto t) {
        auto [minutes, seed, latency_min, latency_spread, loss, duplication, reorder, turn_s, grace_s, steps] = t;
        Scenario scenario;
        scenario.name = "generated";
        scenario.seed = seed;
        if (seed % 2 == 1) scenario.tie_shuffle = seed / 2;  // Half the worlds shuffle their ties.
        scenario.duration_ms = minutes * minute_ms;
        scenario.network = NetworkOptions{latency_min, latency_min + latency_spread, loss, duplication, reorder, 300,
                                          20'000, 2'000, 32'768};
        scenario.server.turn_ms = turn_s * 1'000;
        scenario.server.grace_ms = grace_s * 1'000;
        scenario.liveness_bound_ms = 60'000;
        for (auto& [permille, body] : steps) {
          // Spread actions over the run's first 90%, so faults have time to heal.
          scenario.actions.push_back(Action{scenario.duration_ms * 9 / 10 * permille / 1'000, body, 0});
        }
        std::stable_sort(scenario.actions.begin(), scenario.actions.end(),
                         [](const Action& a, const Action& b) { return a.at_ms < b.at_ms; });
        return scenario;
      });
}

RC_GTEST_PROP(Properties, NoInvariantIsEverViolated, ()) {
  const Scenario scenario = *scenario_gen();
  World world(scenario, scenario.seed);
  world.run_to_end();
  if (world.violation()) {
    RC_LOG() << "invariant " << world.violation()->invariant << " (" << world.violation()->name
             << "): " << world.violation()->detail << "\nlast events:\n";
    for (const std::string& line : world.timeline().recent()) RC_LOG() << "  " << line << "\n";
    RC_LOG() << "scenario (save as scenarios/NAME.scenario):\n" << print_scenario(scenario);
  }
  RC_ASSERT(!world.violation().has_value());
}

// A printed scenario, read back, runs the same: comparing the two runs (not
// the two texts) also catches a field the printer drops.
RC_GTEST_PROP(Properties, PrintedScenariosReplayIdentically, ()) {
  const Scenario scenario = *scenario_gen();
  auto reparsed = parse_scenario(print_scenario(scenario), "printed");
  RC_ASSERT(std::holds_alternative<Scenario>(reparsed));
  Scenario replayed = std::get<Scenario>(reparsed);
  replayed.name = scenario.name;
  // Source line numbers differ by nature (the generated actions have none).
  RC_ASSERT(replayed.actions.size() == scenario.actions.size());
  for (std::size_t index = 0; index < replayed.actions.size(); index += 1) {
    replayed.actions[index].line = scenario.actions[index].line;
  }
  RC_ASSERT(testing::run_timeline(replayed, scenario.seed) == testing::run_timeline(scenario, scenario.seed));
}

}  // namespace
}  // namespace clawnet::sim
