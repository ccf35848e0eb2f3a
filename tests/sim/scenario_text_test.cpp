// Tests of the scenario text format (sim/scenario_parse.cpp, sim/scenario_print.cpp,
// sim/scenario_text.cpp) against docs/scenarios.md.
#include "sim/scenario.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

namespace clawnet::sim {
namespace {

// --- Equality, ignoring source lines ------------------------------------------------------------
auto fields(const Join& a) { return std::tie(a.player, a.mode); }
auto fields(const Leave& a) { return std::tie(a.player); }
auto fields(const Disconnect& a) { return std::tie(a.player); }
auto fields(const Vanish& a) { return std::tie(a.player); }
auto fields(const Reconnect& a) { return std::tie(a.player); }
auto fields(const Press& a) { return std::tie(a.player, a.direction, a.refresh); }
auto fields(const Release& a) { return std::tie(a.player, a.direction); }
auto fields(const DropClaw& a) { return std::tie(a.player); }
auto fields(const Crash& a) { return std::tie(a.node, a.after_effects, a.in_state); }
auto fields(const Heal&) { return std::tuple<>(); }
auto fields(const PresenceTrouble& a) { return std::tie(a.loss, a.duplication, a.delay_ms, a.for_ms); }
auto fields(const SpuriousTimeout& a) { return std::tie(a.player); }
auto fields(const Restart& a) { return std::tie(a.node); }
auto fields(const PartitionNode& a) { return std::tie(a.node, a.for_ms, a.in_state); }
auto fields(const PartitionLink& a) { return std::tie(a.from, a.to, a.both_ways, a.for_ms); }
auto fields(const ChannelLoss& a) { return std::tie(a.pattern, a.loss, a.for_ms); }
auto fields(const Burst& a) {
  return std::tie(a.loss, a.duplication, a.reorder, a.for_ms, a.delay_ms, a.reorder_ms_max);
}
auto fields(const Spoof& a) { return std::tie(a.player, a.victim, a.count); }
auto fields(const Flood& a) { return std::tie(a.player, a.count); }
auto fields(const Replay& a) { return std::tie(a.player, a.count); }
auto fields(const JoinSpam& a) { return std::tie(a.player, a.count); }
auto fields(const Crowd& a) { return std::tie(a.count, a.over_ms, a.mode); }
auto fields(const Arrivals& a) { return std::tie(a.per_hour, a.for_ms, a.mode); }
auto fields(const Chaos& a) { return std::tie(a.for_ms, a.mean_interval_ms); }
auto fields(const Pause& a) { return std::tie(a.node, a.for_ms, a.in_state); }
auto fields(const Slow& a) { return std::tie(a.node, a.by_ms, a.for_ms); }
auto fields(const ClockChange& a) { return std::tie(a.node, a.drift_ppm, a.step_ms); }
auto fields(const PowerCut& a) { return std::tie(a.torn); }
auto fields(const ChuteSensor& a) { return std::tie(a.stuck); }
auto fields(const Admin& a) { return std::tie(a.action, a.player); }
auto fields(const ExpectController& e) { return std::tie(e.player); }
auto fields(const ExpectQueue& e) { return std::tie(e.players); }
auto fields(const ExpectQueueLength& e) { return std::tie(e.length); }
auto fields(const ExpectMotorsOff&) { return std::tuple<>(); }
auto fields(const ExpectPosition& e) { return std::tie(e.player, e.position); }
auto fields(const ExpectState& e) { return std::tie(e.node, e.state); }
auto fields(const ExpectQueueMode& e) { return std::tie(e.mode); }
auto fields(const ExpectCounter& e) { return std::tie(e.counter, e.comparison, e.value); }
auto fields(const ExpectPlayed& e) { return std::tie(e.players); }
auto fields(const NetworkOptions& n) {
  return std::tie(n.latency_ms_min, n.latency_ms_max, n.loss, n.duplication, n.reorder, n.reorder_ms_max,
                  n.heartbeat_timeout_ms, n.link_detect_ms, n.message_bytes_max);
}
auto fields(const ServerConfig& s) {
  return std::tie(s.turn_ms, s.turn_slack_ms, s.grace_ms, s.resend_ms, s.queue_length_max);
}
auto fields(const ClawConfig& c) {
  return std::tie(c.deadman_ms, c.motor_on_ms_max, c.lower_ms, c.grip_ms, c.raise_ms_max, c.home_ms_max,
                  c.release_ms, c.subscribe_ms_max, c.ready_repeat_ms, c.commands_per_second_max);
}
auto fields(const CabinetConfig& c) {
  return std::tie(c.geometry.width_mm, c.geometry.depth_mm, c.geometry.drop_mm, c.geometry.chute_mm,
                  c.gantry_mm_per_s, c.hoist_mm_per_s, c.prize_count, c.grab_radius_mm, c.grip_chance_min,
                  c.grip_chance_max, c.start_x_mm, c.start_y_mm, c.start_z_mm);
}

template <class Variant>
bool same_body(const Variant& a, const Variant& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) { return fields(x) == fields(std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

bool same(const Scenario& a, const Scenario& b) {
  if (std::tie(a.name, a.description, a.seed, a.duration_ms, a.liveness_bound_ms) !=
      std::tie(b.name, b.description, b.seed, b.duration_ms, b.liveness_bound_ms)) {
    return false;
  }
  if (fields(a.network) != fields(b.network) || fields(a.server) != fields(b.server) ||
      fields(a.claw) != fields(b.claw) || fields(a.cabinet) != fields(b.cabinet)) {
    return false;
  }
  if (a.actions.size() != b.actions.size() || a.expectations.size() != b.expectations.size()) return false;
  for (std::size_t i = 0; i < a.actions.size(); ++i) {
    if (a.actions[i].at_ms != b.actions[i].at_ms || !same_body(a.actions[i].body, b.actions[i].body)) return false;
  }
  for (std::size_t i = 0; i < a.expectations.size(); ++i) {
    const Expectation& x = a.expectations[i];
    const Expectation& y = b.expectations[i];
    if (x.when != y.when || x.at_ms != y.at_ms || !same_body(x.body, y.body)) return false;
  }
  return true;
}

// --- Helpers ----------------------------------------------------------------------------------------
constexpr std::string_view network_line =
    "network latency 20ms..80ms loss 1% duplication 0.5% reorder 2% reorder_max 50ms heartbeat 20s "
    "link_detect 2s message_max 32768\n";

Scenario parse_ok(std::string_view text) {
  auto result = parse_scenario(text, "scenarios/test.scn");
  if (const auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "unexpected parse error on line " << error->line << ": " << error->message;
    return Scenario{};
  }
  return std::get<Scenario>(std::move(result));
}

ParseError parse_error(std::string_view text) {
  auto result = parse_scenario(text, "scenarios/bad.scn");
  if (!std::holds_alternative<ParseError>(result)) {
    ADD_FAILURE() << "expected a parse error, got a scenario:\n" << print_scenario(std::get<Scenario>(result));
    return ParseError{};
  }
  return std::get<ParseError>(std::move(result));
}

// A valid scenario (duration and network) followed by `body`.
std::string with_basics(std::string_view body) {
  return "duration 10m\n" + std::string(network_line) + std::string(body);
}

// --- Durations -----------------------------------------------------------------------------------------
TEST(ScenarioDuration, ParsesEveryDocumentedForm) {
  EXPECT_EQ(parse_duration("250ms"), 250);
  EXPECT_EQ(parse_duration("2s"), 2'000);
  EXPECT_EQ(parse_duration("1.5s"), 1'500);
  EXPECT_EQ(parse_duration("2m"), 120'000);
  EXPECT_EQ(parse_duration("1h"), 3'600'000);
  EXPECT_EQ(parse_duration("1m30s"), 90'000);
  EXPECT_EQ(parse_duration("1h2m3s4ms"), 3'723'004);
  EXPECT_EQ(parse_duration("0.25s"), 250);
  EXPECT_EQ(parse_duration("1.5m"), 90'000);
  EXPECT_EQ(parse_duration("0s"), 0);
  EXPECT_EQ(parse_duration("0"), 0);
}

TEST(ScenarioDuration, RejectsNegativesGarbageAndSubMilliseconds) {
  for (std::string_view bad : {"", "-1s", "ten", "5", "5x", "s", "1.s", ".5s", "1.5ms", "1.0001s", "2S", "1s1m",
                               "1s1s", "1m 30s", "+1s", "1e3ms", "99999999999999999999s", "1..2s", "10000000h"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(ScenarioDuration, FormatsCanonically) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(250), "250ms");
  EXPECT_EQ(format_duration(1'500), "1.5s");
  EXPECT_EQ(format_duration(2'000), "2s");
  EXPECT_EQ(format_duration(90'000), "1m30s");
  EXPECT_EQ(format_duration(3'600'000), "1h");
  EXPECT_EQ(format_duration(3'600'250), "1h0.25s");
  EXPECT_EQ(format_duration(61'001), "1m1.001s");
}

RC_GTEST_PROP(ScenarioDuration, FormatParsesBackExactly, ()) {
  const auto ms = *rc::gen::inRange<TimeMs>(0, 1'000'000'000'000);
  RC_ASSERT(parse_duration(format_duration(ms)) == std::optional<TimeMs>(ms));
}

// --- A full sample -----------------------------------------------------------------------------------
constexpr std::string_view sample = R"(# Two players and every kind of line.
#
#   Indented second paragraph.

seed 42
duration 2m
network reorder 2% latency 20ms..80ms loss 0.01 duplication 0.5% reorder_max 50ms heartbeat 20s link_detect 2s message_max 32768
server turn 20s grace 10s
claw deadman 500ms rate 10
cabinet width 700 prizes 3 grab_radius 35.5 grip_min 0.25 grip_max 50%
oracle liveness 40s

# Comments after the header are not part of the description.
at 1s join alice
at 1s join bob auto   # trailing comment
at 500ms join carol idle
at 2s leave carol
at 3s disconnect bob
at 4s vanish bob
at 5s reconnect bob
at 6s press alice left
at 6.25s press alice up norefresh
at 7s release alice left
at 8s drop alice
at 9s crash server
at 10s restart server
at 9s crash claw
at 10s restart claw
at 11s partition alice for 5s
at 12s partition server->claw for 1s
at 12s partition bob<->server for 1.5s
at 12s partition carol -> claw for 2s
at 13s loss 50% on p-* for 10s
at 14s burst loss 10% reorder 0.2 reorder_max 45s for 3s
at 15s burst for 1s
at 16s spoof mallory alice x3
at 16s spoof eve bob
at 17s flood mallory x100
at 18s replay mallory
at 19s joinspam spammer x50
at 20s crowd 50 over 10s
at 21s crowd 5 over 0s idle
at 22s arrivals 600 per hour for 1m scripted
at 23s chaos for 30s every 5s
at 24s crash claw after 2 effects
at 24s join dana sticky
at 25s crash server in Granting
at 25s partition claw for 2s in Subscribing
at 25s presence loss 30% delay 5s for 1m
at 25s presence timeout bob
at 25s pause claw for 3s
at 25s pause server for 1s in InTurn
at 25s slow claw by 400ms for 20s
at 25s clock server drift -250ppm step 2s
at 25s clock claw step 5s
at 25s power cut server
at 25s power cut server torn
at 25s chute stuck
at 25s chute free
at 25s admin pause
at 25s admin kick bob
at 25s heal

expect at 3s controller alice
expect by 1m controller none
expect at 4s queue bob carol
expect end queue
expect end queue_length 0
expect by 30s motors off
expect at 2s position bob 1
expect end state server ClawIdle
expect end state claw Ready
expect end counter claw.rejected >= 3
expect end counter server.turns_completed == 2
expect end counter network.lost <= 10
expect end played alice bob
expect end queue_mode paused
)";

TEST(ScenarioParse, SampleGivesTheExpectedSettings) {
  const Scenario s = parse_ok(sample);
  EXPECT_EQ(s.name, "test.scn");
  EXPECT_EQ(s.description, "Two players and every kind of line.\n\n  Indented second paragraph.");
  EXPECT_EQ(s.seed, 42U);
  EXPECT_EQ(s.duration_ms, 120'000);
  EXPECT_EQ(s.network.latency_ms_min, 20);
  EXPECT_EQ(s.network.latency_ms_max, 80);
  EXPECT_EQ(s.network.loss, 0.01);
  EXPECT_EQ(s.network.duplication, 0.005);
  EXPECT_EQ(s.network.reorder, 0.02);
  EXPECT_EQ(s.network.reorder_ms_max, 50);
  EXPECT_EQ(s.network.heartbeat_timeout_ms, 20'000);
  EXPECT_EQ(s.network.link_detect_ms, 2'000);
  EXPECT_EQ(s.network.message_bytes_max, 32'768U);

  const ServerConfig server_defaults;
  EXPECT_EQ(s.server.turn_ms, 20'000);
  EXPECT_EQ(s.server.grace_ms, 10'000);
  EXPECT_EQ(s.server.turn_slack_ms, server_defaults.turn_slack_ms);
  EXPECT_EQ(s.server.resend_ms, server_defaults.resend_ms);
  EXPECT_EQ(s.server.queue_length_max, server_defaults.queue_length_max);

  const ClawConfig claw_defaults;
  EXPECT_EQ(s.claw.deadman_ms, 500);
  EXPECT_EQ(s.claw.commands_per_second_max, 10U);
  EXPECT_EQ(s.claw.lower_ms, claw_defaults.lower_ms);
  EXPECT_EQ(s.claw.home_ms_max, claw_defaults.home_ms_max);

  const CabinetConfig cabinet_defaults;
  EXPECT_EQ(s.cabinet.geometry.width_mm, 700);
  EXPECT_EQ(s.cabinet.geometry.depth_mm, cabinet_defaults.geometry.depth_mm);
  EXPECT_EQ(s.cabinet.prize_count, 3U);
  EXPECT_EQ(s.cabinet.grab_radius_mm, 35.5);
  EXPECT_EQ(s.cabinet.grip_chance_min, 0.25);
  EXPECT_EQ(s.cabinet.grip_chance_max, 0.5);
  EXPECT_EQ(s.cabinet.gantry_mm_per_s, cabinet_defaults.gantry_mm_per_s);

  EXPECT_EQ(s.liveness_bound_ms, 40'000);
}

TEST(ScenarioParse, SampleGivesEveryActionKindInTimeOrder) {
  const Scenario s = parse_ok(sample);
  ASSERT_EQ(s.actions.size(), 49U);
  const std::vector<Action>& a = s.actions;
  // 500ms carol sorts first; the two 1s joins keep their file order.
  EXPECT_EQ(a[0].at_ms, 500);
  EXPECT_TRUE(same_body<ActionBody>(a[0].body, Join{"carol", PlayerMode::idle}));
  EXPECT_EQ(a[0].line, 16);
  EXPECT_TRUE(same_body<ActionBody>(a[1].body, Join{"alice", PlayerMode::scripted}));
  EXPECT_EQ(a[1].line, 14);
  EXPECT_TRUE(same_body<ActionBody>(a[2].body, Join{"bob", PlayerMode::automatic}));
  EXPECT_TRUE(same_body<ActionBody>(a[3].body, Leave{"carol"}));
  EXPECT_TRUE(same_body<ActionBody>(a[4].body, Disconnect{"bob"}));
  EXPECT_TRUE(same_body<ActionBody>(a[5].body, Vanish{"bob"}));
  EXPECT_TRUE(same_body<ActionBody>(a[6].body, Reconnect{"bob"}));
  EXPECT_TRUE(same_body<ActionBody>(a[7].body, Press{"alice", Direction::left, true}));
  EXPECT_EQ(a[8].at_ms, 6'250);
  EXPECT_TRUE(same_body<ActionBody>(a[8].body, Press{"alice", Direction::up, false}));
  EXPECT_TRUE(same_body<ActionBody>(a[9].body, Release{"alice", Direction::left}));
  EXPECT_TRUE(same_body<ActionBody>(a[10].body, DropClaw{"alice"}));
  EXPECT_TRUE(same_body<ActionBody>(a[11].body, Crash{NodeKind::server, std::nullopt}));
  EXPECT_TRUE(same_body<ActionBody>(a[12].body, Crash{NodeKind::claw, std::nullopt}));
  EXPECT_TRUE(same_body<ActionBody>(a[13].body, Restart{NodeKind::server}));
  EXPECT_TRUE(same_body<ActionBody>(a[14].body, Restart{NodeKind::claw}));
  EXPECT_TRUE(same_body<ActionBody>(a[15].body, PartitionNode{"alice", 5'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[16].body, PartitionLink{"server", "claw", false, 1'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[17].body, PartitionLink{"bob", "server", true, 1'500}));
  EXPECT_TRUE(same_body<ActionBody>(a[18].body, PartitionLink{"carol", "claw", false, 2'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[19].body, ChannelLoss{"p-*", 0.5, 10'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[20].body, Burst{0.1, 0, 0.2, 3'000, 0, 45'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[21].body, Burst{0, 0, 0, 1'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[22].body, Spoof{"mallory", "alice", 3}));
  EXPECT_TRUE(same_body<ActionBody>(a[23].body, Spoof{"eve", "bob", 1}));
  EXPECT_TRUE(same_body<ActionBody>(a[24].body, Flood{"mallory", 100}));
  EXPECT_TRUE(same_body<ActionBody>(a[25].body, Replay{"mallory", 1}));
  EXPECT_TRUE(same_body<ActionBody>(a[26].body, JoinSpam{"spammer", 50}));
  EXPECT_TRUE(same_body<ActionBody>(a[27].body, Crowd{50, 10'000, PlayerMode::automatic}));
  EXPECT_TRUE(same_body<ActionBody>(a[28].body, Crowd{5, 0, PlayerMode::idle}));
  EXPECT_TRUE(same_body<ActionBody>(a[29].body, Arrivals{600, 60'000, PlayerMode::scripted}));
  EXPECT_TRUE(same_body<ActionBody>(a[30].body, Chaos{30'000, 5'000}));
  EXPECT_EQ(a[30].at_ms, 23'000);
  EXPECT_TRUE(same_body<ActionBody>(a[31].body, Crash{NodeKind::claw, 2}));
  EXPECT_TRUE(same_body<ActionBody>(a[32].body, Join{"dana", PlayerMode::sticky}));
  EXPECT_TRUE(same_body<ActionBody>(a[33].body, Crash{NodeKind::server, std::nullopt, "Granting"}));
  EXPECT_TRUE(same_body<ActionBody>(a[34].body, PartitionNode{"claw", 2'000, "Subscribing"}));
  EXPECT_TRUE(same_body<ActionBody>(a[35].body, PresenceTrouble{0.3, 0, 5'000, 60'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[36].body, SpuriousTimeout{"bob"}));
  EXPECT_TRUE(same_body<ActionBody>(a[37].body, Pause{NodeKind::claw, 3'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[38].body, Pause{NodeKind::server, 1'000, "InTurn"}));
  EXPECT_TRUE(same_body<ActionBody>(a[39].body, Slow{NodeKind::claw, 400, 20'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[40].body, ClockChange{NodeKind::server, -250, 2'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[41].body, ClockChange{NodeKind::claw, std::nullopt, 5'000}));
  EXPECT_TRUE(same_body<ActionBody>(a[42].body, PowerCut{false}));
  EXPECT_TRUE(same_body<ActionBody>(a[43].body, PowerCut{true}));
  EXPECT_TRUE(same_body<ActionBody>(a[44].body, ChuteSensor{true}));
  EXPECT_TRUE(same_body<ActionBody>(a[45].body, ChuteSensor{false}));
  EXPECT_TRUE(same_body<ActionBody>(a[46].body, Admin{AdminAction::pause, {}}));
  EXPECT_TRUE(same_body<ActionBody>(a[47].body, Admin{AdminAction::kick, "bob"}));
  EXPECT_TRUE(same_body<ActionBody>(a[48].body, Heal{}));
  EXPECT_EQ(a[48].at_ms, 25'000);
}

TEST(ScenarioParse, SampleGivesEveryExpectationKindInFileOrder) {
  const Scenario s = parse_ok(sample);
  ASSERT_EQ(s.expectations.size(), 14U);
  const std::vector<Expectation>& e = s.expectations;
  EXPECT_EQ(e[0].when, When::at);
  EXPECT_EQ(e[0].at_ms, 3'000);
  EXPECT_TRUE(same_body<ExpectationBody>(e[0].body, ExpectController{"alice"}));
  EXPECT_EQ(e[1].when, When::by);
  EXPECT_EQ(e[1].at_ms, 60'000);
  EXPECT_TRUE(same_body<ExpectationBody>(e[1].body, ExpectController{std::nullopt}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[2].body, ExpectQueue{{"bob", "carol"}}));
  EXPECT_EQ(e[3].when, When::end);
  EXPECT_TRUE(same_body<ExpectationBody>(e[3].body, ExpectQueue{{}}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[4].body, ExpectQueueLength{0}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[5].body, ExpectMotorsOff{}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[6].body, ExpectPosition{"bob", 1}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[7].body, ExpectState{NodeKind::server, "ClawIdle"}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[8].body, ExpectState{NodeKind::claw, "Ready"}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[9].body, ExpectCounter{"claw.rejected", Comparison::ge, 3}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[10].body, ExpectCounter{"server.turns_completed", Comparison::eq, 2}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[11].body, ExpectCounter{"network.lost", Comparison::le, 10}));
  EXPECT_TRUE(same_body<ExpectationBody>(e[12].body, ExpectPlayed{{"alice", "bob"}}));
  EXPECT_EQ(e[12].line, 76);
  EXPECT_TRUE(same_body<ExpectationBody>(e[13].body, ExpectQueueMode{QueueMode::paused}));
}

TEST(ScenarioParse, OptionalLinesKeepTheDefaults) {
  const Scenario s = parse_ok(with_basics(""));
  const Scenario defaults;
  EXPECT_EQ(fields(s.server), fields(defaults.server));
  EXPECT_EQ(fields(s.claw), fields(defaults.claw));
  EXPECT_EQ(fields(s.cabinet), fields(defaults.cabinet));
  EXPECT_EQ(s.seed, defaults.seed);
  EXPECT_EQ(s.liveness_bound_ms, defaults.liveness_bound_ms);
  EXPECT_EQ(s.description, "");
  EXPECT_TRUE(s.actions.empty());
  EXPECT_TRUE(s.expectations.empty());
}

TEST(ScenarioParse, AcceptsActionsAtTheLastInstant) {
  const Scenario s = parse_ok(with_basics("at 10m drop alice\nexpect at 10m motors off\nexpect by 10m queue\n"));
  ASSERT_EQ(s.actions.size(), 1U);
  EXPECT_EQ(s.actions[0].at_ms, 600'000);
}

// --- Printing ----------------------------------------------------------------------------------------
TEST(ScenarioPrint, PrintedSampleParsesBackToTheSameScenario) {
  const Scenario first = parse_ok(sample);
  const std::string printed = print_scenario(first);
  const Scenario second = parse_ok(printed);
  EXPECT_TRUE(same(first, second)) << printed;
  EXPECT_EQ(print_scenario(second), printed);
}

// The round-trip tests rely on same() telling scenarios apart.
TEST(ScenarioPrint, EqualityHelperSeesEachKindOfDifference) {
  const Scenario base = parse_ok(sample);
  ASSERT_TRUE(same(base, base));
  Scenario changed = base;
  changed.cabinet.grip_chance_max = 0.75;
  EXPECT_FALSE(same(base, changed));
  changed = base;
  std::get<Burst>(changed.actions[20].body).reorder = 0.25;
  EXPECT_FALSE(same(base, changed));
  changed = base;
  changed.actions[1].body = Join{"alice", PlayerMode::idle};
  EXPECT_FALSE(same(base, changed));
  changed = base;
  changed.expectations[1].when = When::at;
  EXPECT_FALSE(same(base, changed));
  changed = base;
  changed.description += "!";
  EXPECT_FALSE(same(base, changed));
}

TEST(ScenarioPrint, WritesEverySettingExplicitly) {
  const std::string printed = print_scenario(parse_ok(with_basics("")));
  EXPECT_NE(printed.find("server turn 30s slack 30s grace 20s resend 1s queue_max 100000 ready 0s\n"), std::string::npos)
      << printed;
  EXPECT_NE(printed.find("claw deadman 600ms motor_max 8s lower 2.5s grip 700ms raise_max 5s home_max 12s "
                         "release 700ms subscribe_max 5s ready_repeat 2s rate 20 settle 1.5s debounce 20ms\n"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("network latency 20ms..80ms loss 0.01 duplication 0.005 reorder 0.02 reorder_max 50ms "
                         "heartbeat 20s link_detect 2s message_max 32768\n"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("oracle liveness 30s\n"), std::string::npos) << printed;
}

TEST(ScenarioPrint, SortsActionsBuiltOutOfOrder) {
  Scenario s = parse_ok(with_basics(""));
  s.actions.push_back(Action{5'000, Leave{"bob"}, 0});
  s.actions.push_back(Action{1'000, Join{"bob", PlayerMode::idle}, 0});
  s.actions.push_back(Action{5'000, Join{"alice", PlayerMode::scripted}, 0});
  const std::string printed = print_scenario(s);
  const std::size_t join_bob = printed.find("at 1s join bob idle\n");
  const std::size_t leave_bob = printed.find("at 5s leave bob\n");
  const std::size_t join_alice = printed.find("at 5s join alice scripted\n");
  ASSERT_NE(join_bob, std::string::npos) << printed;
  ASSERT_NE(leave_bob, std::string::npos) << printed;
  ASSERT_NE(join_alice, std::string::npos) << printed;
  EXPECT_LT(join_bob, leave_bob);
  EXPECT_LT(leave_bob, join_alice);
}

// Random scenarios built in memory survive print then parse unchanged.
rc::Gen<std::string> player_name() {
  return rc::gen::element<std::string>("alice", "bob", "carol-2", "d_3", "x");
}
rc::Gen<TimeMs> short_time() { return rc::gen::inRange<TimeMs>(1, 120'001); }
rc::Gen<double> probability() {
  return rc::gen::map(rc::gen::inRange(0, 1'000'001), [](int n) { return n / 1'000'000.0; });
}
rc::Gen<PlayerMode> mode() {
  return rc::gen::element(PlayerMode::scripted, PlayerMode::automatic, PlayerMode::idle, PlayerMode::sticky);
}
rc::Gen<NodeKind> node_kind() { return rc::gen::element(NodeKind::server, NodeKind::claw); }
rc::Gen<Direction> direction() {
  return rc::gen::element(Direction::up, Direction::down, Direction::left, Direction::right);
}
rc::Gen<std::uint32_t> repeat() { return rc::gen::inRange<std::uint32_t>(1, 1'000); }

rc::Gen<ActionBody> action_body() {
  using rc::gen::construct;
  return rc::gen::oneOf(
      construct<ActionBody>(construct<Join>(player_name(), mode())),
      construct<ActionBody>(construct<Leave>(player_name())),
      construct<ActionBody>(construct<Disconnect>(player_name())),
      construct<ActionBody>(construct<Vanish>(player_name())),
      construct<ActionBody>(construct<Reconnect>(player_name())),
      construct<ActionBody>(construct<Press>(player_name(), direction(), rc::gen::arbitrary<bool>())),
      construct<ActionBody>(construct<Release>(player_name(), direction())),
      construct<ActionBody>(construct<DropClaw>(player_name())),
      construct<ActionBody>(construct<Crash>(node_kind(), rc::gen::just(std::optional<std::uint32_t>()),
                                             rc::gen::just(std::optional<std::string>()))),
      construct<ActionBody>(construct<Crash>(rc::gen::just(NodeKind::server), rc::gen::just(std::optional<std::uint32_t>()),
                                             rc::gen::element<std::optional<std::string>>("ClawIdle", "InTurn"))),
      construct<ActionBody>(construct<Crash>(
          node_kind(), rc::gen::map(rc::gen::inRange<std::uint32_t>(0, 1'001),
                                    [](std::uint32_t k) { return std::optional<std::uint32_t>(k); }),
          rc::gen::just(std::optional<std::string>()))),
      rc::gen::just<ActionBody>(Heal{}),
      construct<ActionBody>(construct<PresenceTrouble>(probability(), probability(), rc::gen::inRange<TimeMs>(0, 60'000),
                                                       short_time())),
      construct<ActionBody>(construct<SpuriousTimeout>(player_name())),
      construct<ActionBody>(construct<Restart>(node_kind())),
      construct<ActionBody>(construct<PartitionNode>(rc::gen::element<std::string>("server", "claw", "alice"),
                                                     short_time(), rc::gen::just(std::optional<std::string>()))),
      construct<ActionBody>(construct<PartitionNode>(rc::gen::just<std::string>("claw"), short_time(),
                                                     rc::gen::element<std::optional<std::string>>("Ready", "Homing"))),
      construct<ActionBody>(construct<PartitionLink>(rc::gen::just<std::string>("server"), player_name(),
                                                     rc::gen::arbitrary<bool>(), short_time())),
      construct<ActionBody>(
          construct<ChannelLoss>(rc::gen::element<std::string>("p-*", "clawcomm", "lobby", "*"), probability(),
                                 short_time())),
      construct<ActionBody>(construct<Burst>(probability(), probability(), probability(), short_time(),
                                             rc::gen::inRange<TimeMs>(0, 10'000), rc::gen::inRange<TimeMs>(0, 90'000))),
      construct<ActionBody>(construct<Spoof>(rc::gen::just<std::string>("mallory"), player_name(), repeat())),
      construct<ActionBody>(construct<Flood>(player_name(), repeat())),
      construct<ActionBody>(construct<Replay>(player_name(), repeat())),
      construct<ActionBody>(construct<JoinSpam>(player_name(), repeat())),
      construct<ActionBody>(
          construct<Crowd>(rc::gen::inRange<std::uint32_t>(1, 10'000), rc::gen::inRange<TimeMs>(0, 60'000), mode())),
      construct<ActionBody>(construct<Arrivals>(rc::gen::map(rc::gen::inRange(1, 100'000), [](int n) { return n / 7.0; }),
                                                short_time(), mode())),
      construct<ActionBody>(construct<Chaos>(short_time(), short_time())),
      construct<ActionBody>(construct<Admin>(
          rc::gen::element(AdminAction::pause, AdminAction::resume, AdminAction::skip, AdminAction::estop,
                           AdminAction::reset),
          rc::gen::just(std::string()))),
      construct<ActionBody>(construct<Admin>(rc::gen::just(AdminAction::kick), player_name())));
}

rc::Gen<ExpectationBody> expectation_body() {
  using rc::gen::construct;
  const auto players = rc::gen::container<std::vector<std::string>>(player_name());
  const auto some_players = rc::gen::nonEmpty(players);
  return rc::gen::oneOf(
      construct<ExpectationBody>(construct<ExpectController>(
          rc::gen::oneOf(rc::gen::just(std::optional<std::string>()),
                         rc::gen::map(player_name(), [](std::string p) { return std::optional<std::string>(p); })))),
      construct<ExpectationBody>(construct<ExpectQueue>(players)),
      construct<ExpectationBody>(construct<ExpectQueueLength>(rc::gen::inRange<std::uint64_t>(0, 1'000'000))),
      rc::gen::just<ExpectationBody>(ExpectMotorsOff{}),
      construct<ExpectationBody>(construct<ExpectPosition>(player_name(), rc::gen::inRange<std::uint64_t>(0, 1'000))),
      construct<ExpectationBody>(construct<ExpectState>(node_kind(), rc::gen::element<std::string>("ClawIdle", "Ready", "in_turn"))),
      construct<ExpectationBody>(construct<ExpectCounter>(
          rc::gen::element<std::string>("claw.rejected", "server.turns_completed"),
          rc::gen::element(Comparison::eq, Comparison::ge, Comparison::le), rc::gen::arbitrary<std::uint64_t>())),
      construct<ExpectationBody>(construct<ExpectQueueMode>(
          rc::gen::element(QueueMode::running, QueueMode::paused, QueueMode::stopped))),
      construct<ExpectationBody>(construct<ExpectPlayed>(some_players)));
}

RC_GTEST_PROP(ScenarioPrint, RandomScenariosParseBackUnchanged, ()) {
  auto parsed = parse_scenario(with_basics(""), "scenarios/test.scn");
  RC_ASSERT(std::holds_alternative<Scenario>(parsed));
  Scenario s = std::get<Scenario>(std::move(parsed));
  s.seed = *rc::gen::arbitrary<std::uint64_t>();
  s.network.loss = *probability();
  s.network.latency_ms_max = *rc::gen::inRange<TimeMs>(s.network.latency_ms_min, 5'000);
  s.server.turn_ms = *rc::gen::inRange<TimeMs>(1, 120'000);
  s.claw.deadman_ms = *rc::gen::inRange<TimeMs>(1, 2'000);
  s.cabinet.grab_radius_mm = *rc::gen::map(rc::gen::inRange(0, 100'000), [](int n) { return n / 3.0; });
  s.description = *rc::gen::element<std::string>("", "one line", "two\nlines", "gap\n\n  indented");
  const int action_count = *rc::gen::inRange(0, 20);
  for (int i = 0; i < action_count; ++i) {
    s.actions.push_back(Action{*rc::gen::inRange<TimeMs>(0, s.duration_ms + 1), *action_body(), 0});
  }
  std::stable_sort(s.actions.begin(), s.actions.end(),
                   [](const Action& a, const Action& b) { return a.at_ms < b.at_ms; });
  const int expectation_count = *rc::gen::inRange(0, 10);
  for (int i = 0; i < expectation_count; ++i) {
    const When when = *rc::gen::element(When::at, When::by, When::end);
    const TimeMs at_ms = when == When::end ? 0 : *rc::gen::inRange<TimeMs>(0, s.duration_ms + 1);
    s.expectations.push_back(Expectation{when, at_ms, *expectation_body(), 0});
  }

  const std::string printed = print_scenario(s);
  auto reparsed = parse_scenario(printed, "scenarios/test.scn");
  if (const auto* error = std::get_if<ParseError>(&reparsed)) {
    RC_FAIL("line " + std::to_string(error->line) + ": " + error->message + "\n" + printed);
  }
  RC_ASSERT(same(s, std::get<Scenario>(reparsed)));
}

// --- Errors ------------------------------------------------------------------------------------------
struct ErrorCase {
  std::string name;
  std::string text;
  int line;
  std::vector<std::string> message_parts;  // Each must appear in the message.
};

class ScenarioErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ScenarioErrors, NameTheLineAndTheProblem) {
  const ErrorCase& c = GetParam();
  const ParseError error = parse_error(c.text);
  EXPECT_EQ(error.file, "scenarios/bad.scn");
  EXPECT_EQ(error.line, c.line) << error.message;
  for (const std::string& part : c.message_parts) {
    EXPECT_NE(error.message.find(part), std::string::npos) << "message: " << error.message << "\nmissing: " << part;
  }
}

const std::string basics = with_basics("");  // Lines 1 and 2.

INSTANTIATE_TEST_SUITE_P(
    EveryClass, ScenarioErrors,
    ::testing::Values(
        ErrorCase{"missing_network_key",
                  "duration 1m\n# note\nnetwork latency 20ms..80ms loss 1% duplication 0 reorder 0 "
                  "heartbeat 20s link_detect 2s message_max 100\n",
                  3, {"missing \"reorder_max\""}},
        ErrorCase{"unknown_network_key", "duration 1m\nnetwork lag 5ms\n", 2,
                  {"unknown network key \"lag\"", "latency", "message_max"}},
        ErrorCase{"network_key_twice", basics + "network loss 0 loss 0\n", 3, {"second \"network\" line", "line 2"}},
        ErrorCase{"missing_network_line", "duration 1m\nat 1s join alice\n", 0, {"no \"network\" line"}},
        ErrorCase{"missing_duration_line", std::string(network_line), 0, {"no \"duration\" line"}},
        ErrorCase{"bad_duration", basics + "\nat 1s partition alice for ten\n", 4,
                  {"expected a duration above zero like 250ms or 2s after \"for\", found \"ten\""}},
        ErrorCase{"negative_duration", basics + "at -1s join alice\n", 3,
                  {"expected a duration like 250ms or 2s after \"at\", found \"-1s\""}},
        ErrorCase{"unknown_action", basics + "at 1s dance alice\n", 3,
                  {"unknown action \"dance\"", "join", "chaos", "heal"}},
        ErrorCase{"crash_after_too_many", basics + "at 1s crash server after 5000 effects\n", 3,
                  {"expected a number of effects (0 to 1000)", "found \"5000\""}},
        ErrorCase{"crash_after_needs_effects", basics + "at 1s crash server after 2\n", 3, {"effects"}},
        ErrorCase{"crash_in_unknown_state", basics + "at 1s crash claw in Flying\n", 3,
                  {"expected a claw state (", "Subscribing", "found \"Flying\""}},
        ErrorCase{"presence_unknown_key", basics + "at 1s presence jitter 5s for 1m\n", 3,
                  {"unknown presence key \"jitter\""}},
        ErrorCase{"player_has_no_state", basics + "at 1s partition alice for 2s in Ready\n", 3,
                  {"only the server and the claw have states, not \"alice\""}},
        ErrorCase{"clock_steps_back", basics + "at 1s clock claw step -2s\n", 3,
                  {"a forward step above zero", "never steps back", "\"-2s\""}},
        ErrorCase{"drift_too_large", basics + "at 1s clock server drift 5000ppm\n", 3, {"at most 1000ppm", "\"5000ppm\""}},
        ErrorCase{"clock_needs_a_change", basics + "at 1s clock server\n", 3, {"clock needs a drift"}},
        ErrorCase{"pause_needs_for", basics + "at 1s pause claw\n", 3, {"expected \"for\""}},
        ErrorCase{"power_cut_of_the_claw", basics + "at 1s power cut claw\n", 3, {"expected \"server\"", "\"claw\""}},
        ErrorCase{"unknown_keyword", basics + "sed 4\n", 3, {"unknown keyword \"sed\"", "seed", "expect"}},
        ErrorCase{"bad_name", basics + "at 1s join Alice\n", 3,
                  {"expected a player name", "after \"join\", found \"Alice\""}},
        ErrorCase{"long_name", basics + "at 1s join abcdefghijklmnopqrstuvwxyz0123456\n", 3,
                  {"expected a player name"}},
        ErrorCase{"reserved_name", basics + "at 1s join server\n", 3, {"\"server\" is reserved"}},
        ErrorCase{"time_after_duration", basics + "at 1s join alice\nat 11m leave alice\n", 4,
                  {"11m", "after the end", "10m"}},
        ErrorCase{"expectation_after_duration", basics + "expect by 1h queue\n", 3, {"after the end"}},
        ErrorCase{"bad_direction", basics + "at 1s press alice sideways\n", 3,
                  {"expected a direction (up, down, left or right) after \"alice\", found \"sideways\""}},
        ErrorCase{"probability_above_one", basics + "at 1s loss 1.5 on p-* for 1s\n", 3,
                  {"expected a probability", "after \"loss\", found \"1.5\""}},
        ErrorCase{"percent_above_hundred", basics + "at 1s burst loss 120% for 1s\n", 3, {"found \"120%\""}},
        ErrorCase{"network_probability_above_one", "duration 1m\nnetwork latency 20ms..80ms loss 2 duplication 0 "
                  "reorder 0 reorder_max 1ms heartbeat 20s link_detect 2s message_max 100\n", 2,
                  {"after \"loss\", found \"2\""}},
        ErrorCase{"invalid_server_config", basics + "server turn 10m\n", 3,
                  {"invalid server settings", "turn_ms must be 1..120000"}},
        ErrorCase{"invalid_claw_config", basics + "claw rate 0\n", 3, {"invalid claw settings"}},
        ErrorCase{"invalid_cabinet_config", basics + "cabinet width 100 chute 200\n", 3,
                  {"invalid cabinet settings", "chute_mm"}},
        ErrorCase{"invalid_network_config", "duration 1m\nnetwork latency 80ms..20ms loss 0 duplication 0 "
                  "reorder 0 reorder_max 1ms heartbeat 20s link_detect 2s message_max 100\n", 2,
                  {"invalid network settings", "latency_ms_max"}},
        ErrorCase{"trailing_token", basics + "at 1s drop alice now\n", 3, {"unexpected \"now\" after \"alice\""}},
        ErrorCase{"missing_for", basics + "at 1s partition alice\n", 3,
                  {"expected \"for\" after \"alice\", found the end of the line"}},
        ErrorCase{"bad_link", basics + "at 1s partition alice->Bob for 1s\n", 3, {"after \"->\", found \"Bob\""}},
        ErrorCase{"joinspam_needs_count", basics + "at 1s joinspam bob\n", 3, {"expected a count like x10"}},
        ErrorCase{"bad_expectation", basics + "expect at 1s winner alice\n", 3,
                  {"unknown expectation \"winner\"", "controller", "played"}},
        ErrorCase{"bad_when", basics + "expect soon queue\n", 3, {"expected at T, by T or end", "\"soon\""}},
        ErrorCase{"bad_comparison", basics + "expect end counter claw.rejected > 3\n", 3,
                  {"expected ==, >= or <=", "found \">\""}},
        ErrorCase{"bad_state_name", basics + "expect end state claw 9lives\n", 3,
                  {"expected a state name", "after \"claw\", found \"9lives\""}},
        ErrorCase{"bad_counter_name", basics + "expect end counter Claw.Rejected == 3\n", 3,
                  {"expected a counter name"}},
        ErrorCase{"empty_played", basics + "expect end played\n", 3, {"expected a player name"}},
        ErrorCase{"bad_mode", basics + "at 1s join alice sleepy\n", 3, {"expected a player mode", "\"sleepy\""}},
        ErrorCase{"second_seed", basics + "seed 1\nseed 2\n", 4, {"second \"seed\" line", "line 3"}},
        ErrorCase{"unprintable_token", basics + "at 1s join \x01x\n", 3, {"\"\\x01x\""}}),
    [](const ::testing::TestParamInfo<ErrorCase>& test) { return test.param.name; });

TEST(ScenarioErrors, GarbageNeverCrashes) {
  // Every prefix of the sample either parses or names a line inside the text.
  for (std::size_t length = 0; length <= sample.size(); length += 7) {
    auto result = parse_scenario(sample.substr(0, length), "prefix");
    if (const auto* error = std::get_if<ParseError>(&result)) {
      EXPECT_GE(error->line, 0);
      EXPECT_LE(error->line, 77);
      EXPECT_FALSE(error->message.empty());
    }
  }
}

}  // namespace
}  // namespace clawnet::sim
