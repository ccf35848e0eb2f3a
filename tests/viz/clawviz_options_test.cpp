#include "viz/clawviz_options.hpp"
#include "world_support.hpp"

#include <gtest/gtest.h>

namespace clawnet::viz {
namespace {

ParsedClawviz parse(const std::vector<std::string>& args) { return parse_clawviz_command(args); }

TEST(ClawvizOptions, WindowModeWithSeedAndPlayer) {
  const ParsedClawviz parsed = parse({"s.scenario", "--seed", "9", "--play", "dave", "--speed", "4"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.command.scenario_path, "s.scenario");
  EXPECT_EQ(parsed.command.seed, std::optional<std::uint64_t>(9));
  EXPECT_EQ(parsed.command.viz.play, "dave");
  EXPECT_EQ(parsed.command.viz.speed_exponent, 2);
  EXPECT_TRUE(parsed.command.viz.png_path.empty());
  EXPECT_TRUE(parsed.command.viz.frames_dir.empty());
}

TEST(ClawvizOptions, PngAtAnInstantWithASize) {
  const ParsedClawviz parsed = parse({"s.scenario", "--png", "out.png", "--at", "6.4s", "--size=800x450"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.command.viz.png_path, "out.png");
  EXPECT_EQ(parsed.command.viz.png_after_ms, 6400);
  EXPECT_EQ(parsed.command.viz.width, 800);
  EXPECT_EQ(parsed.command.viz.height, 450);
  EXPECT_FALSE(parsed.command.seed.has_value());
}

TEST(ClawvizOptions, ARecordedTurnInsteadOfAScenario) {
  const ParsedClawviz parsed = parse({"--turn", "turn-7.json", "--png", "out.png", "--at", "2s"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.command.turn_path, "turn-7.json");
  EXPECT_TRUE(parsed.command.scenario_path.empty());
  EXPECT_EQ(parsed.command.viz.png_after_ms, 2000);
  EXPECT_EQ(parse({"--turn", "t.json", "s.scenario"}).error.find("--turn and a scenario file ('s.scenario')"), 0U);
  EXPECT_EQ(parse({"--turn", "t.json", "--seed", "3"}).error.find("--seed: not with --turn"), 0U);
  EXPECT_EQ(parse({"--turn", "t.json", "--play", "dana"}).error.find("--play: not with --turn"), 0U);
  EXPECT_EQ(parse({"--turn="}).error, "--turn: expected a file path");
  EXPECT_EQ(parse({"--png", "out.png"}).error, "missing the scenario file (or --turn FILE)");
  ClawvizCommand late;
  late.turn_path = "t.json";
  late.viz.png_path = "out.png";
  late.viz.png_after_ms = 9'001;
  EXPECT_EQ(check_turn_command(late, "turn 7", 9'000).value_or("").find("--at: 9.001s is after the end of turn 7"),
            0U)
      << check_turn_command(late, "turn 7", 9'000).value_or("");
  late.viz.png_after_ms = 9'000;
  EXPECT_EQ(check_turn_command(late, "turn 7", 9'000), std::nullopt);
}

TEST(ClawvizOptions, FrameSeries) {
  const ParsedClawviz parsed = parse({"--frames", "out", "--every", "1m30s", "--until=2m", "s.scenario"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.command.viz.frames_dir, "out");
  EXPECT_EQ(parsed.command.viz.frame_every_ms, 90'000);
  EXPECT_EQ(parsed.command.viz.frames_until_ms, 120'000);
  EXPECT_EQ(parse({"s.scenario", "--frames", "out"}).command.viz.frame_every_ms, 1000);
}

TEST(ClawvizOptions, HelpWinsOverEverything) {
  EXPECT_TRUE(parse({"--bogus", "--help"}).command.help);
  EXPECT_TRUE(parse({"-h"}).command.help);
  EXPECT_TRUE(parse({"a.scenario", "--help", "--seed"}).command.help);
}

// Each bad command line gives an error naming the argument at fault.
TEST(ClawvizOptions, BadArgumentsNameWhatWasWrong) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "scenario file"},
      {{"a.scenario", "b.scenario"}, "b.scenario"},
      {{"a.scenario", "--bogus"}, "--bogus"},
      {{"a.scenario", "--seed", "-1"}, "--seed"},
      {{"a.scenario", "--seed", "x"}, "--seed"},
      {{"a.scenario", "--seed"}, "--seed"},
      {{"a.scenario", "--png", "o.png", "--at", "42"}, "--at"},
      {{"a.scenario", "--png", "o.png", "--at", "soon"}, "--at"},
      {{"a.scenario", "--png", "o.png", "--at", "-5s"}, "--at"},
      {{"a.scenario", "--png", "o.png", "--at", "9999h"}, "--at"},
      {{"a.scenario", "--at", "5s"}, "--at"},
      {{"a.scenario", "--png", "o.png", "--size", "1280"}, "--size"},
      {{"a.scenario", "--png", "o.png", "--size", "1280x"}, "--size"},
      {{"a.scenario", "--png", "o.png", "--size", "x720"}, "--size"},
      {{"a.scenario", "--png", "o.png", "--size", "12x720"}, "--size"},
      {{"a.scenario", "--png", "o.png", "--size", "1280x720x3"}, "--size"},
      {{"a.scenario", "--png", "o.png", "--size", "99999x720"}, "--size"},
      {{"a.scenario", "--png", "o.png", "--frames", "d"}, "--frames"},
      {{"a.scenario", "--frames", ""}, "--frames"},
      {{"a.scenario", "--every", "1s"}, "--every"},
      {{"a.scenario", "--frames", "d", "--every", "1ms"}, "--every"},
      {{"a.scenario", "--frames", "d", "--every", "0"}, "--every"},
      {{"a.scenario", "--until", "1m"}, "--until"},
      {{"a.scenario", "--frames", "d", "--until", "0"}, "--until"},
      {{"a.scenario", "--png", "o.png", "--at", "1s", "--png-after-ms", "5"}, "--png-after-ms"},
      {{"a.scenario", "--width", "5"}, "--width"},
      {{"--font=", "a.scenario"}, "--font: expected a file path"},  // An empty value, not the next argument.
  };
  for (const auto& [args, named] : cases) {
    const ParsedClawviz parsed = parse(args);
    EXPECT_NE(parsed.error.find(named), std::string::npos)
        << ::testing::PrintToString(args) << " -> '" << parsed.error << "'";
  }
}

TEST(ClawvizOptions, CheckedAgainstTheScenario) {
  const sim::Scenario scenario = testing::load("three_players.scenario");  // 3m long.
  ClawvizCommand command = parse({"a.scenario", "--png", "o.png", "--at", "3m"}).command;
  EXPECT_EQ(check_clawviz_command(command, scenario), std::nullopt);
  command.viz.png_after_ms = 180'001;
  const std::optional<std::string> late = check_clawviz_command(command, scenario);
  ASSERT_TRUE(late.has_value());
  EXPECT_NE(late->find("--at"), std::string::npos) << *late;

  command = parse({"a.scenario", "--frames", "d", "--until", "4m"}).command;
  const std::optional<std::string> until = check_clawviz_command(command, scenario);
  ASSERT_TRUE(until.has_value());
  EXPECT_NE(until->find("--until"), std::string::npos) << *until;

  command = parse({"a.scenario", "--frames", "d", "--every", "10ms"}).command;  // 18001 frames.
  const std::optional<std::string> many = check_clawviz_command(command, scenario);
  ASSERT_TRUE(many.has_value());
  EXPECT_NE(many->find("--every"), std::string::npos) << *many;
  command = parse({"a.scenario", "--frames", "d", "--every", "10ms", "--until", "90s"}).command;  // 9001 frames.
  EXPECT_EQ(check_clawviz_command(command, scenario), std::nullopt);

  command = parse({"a.scenario", "--font", "/nonexistent/font.ttf"}).command;
  const std::optional<std::string> font = check_clawviz_command(command, scenario);
  ASSERT_TRUE(font.has_value());
  EXPECT_NE(font->find("--font"), std::string::npos) << *font;
  EXPECT_NE(font->find("/nonexistent/font.ttf"), std::string::npos) << *font;
}

// The visualizer's own options (frame size, speed, player, headless, fonts).
TEST(VizOptions, DefaultsWithNoOptions) {
  const ParsedClawviz parsed = parse({"a.scenario"});
  EXPECT_EQ(parsed.error, "");
  const VizOptions& o = parsed.command.viz;
  EXPECT_EQ(o.width, 1280);
  EXPECT_EQ(o.height, 720);
  EXPECT_EQ(o.frames_max, 0U);
  EXPECT_EQ(o.speed_exponent, 0);
  EXPECT_FALSE(o.start_paused);
  EXPECT_EQ(o.fonts.sans, default_sans_font_path);
}

TEST(VizOptions, ParsesEveryOption) {
  const ParsedClawviz parsed = parse({"--seed", "7", "--width", "800", "--height=600", "--frames-max", "30", "--speed",
                                      "0.25", "--paused", "--play", "alice", "--png", "/tmp/x.png",
                                      "--png-after-ms=5000", "--font", "/f.ttf", "--mono-font", "/m.ttf",
                                      "scenario.txt"});
  ASSERT_EQ(parsed.error, "");
  const VizOptions& o = parsed.command.viz;
  EXPECT_EQ(o.width, 800);
  EXPECT_EQ(o.height, 600);
  EXPECT_EQ(o.frames_max, 30U);
  EXPECT_EQ(o.speed_exponent, -2);
  EXPECT_TRUE(o.start_paused);
  EXPECT_EQ(o.play, "alice");
  EXPECT_EQ(o.png_path, "/tmp/x.png");
  EXPECT_EQ(o.png_after_ms, 5000);
  EXPECT_EQ(o.fonts.sans, "/f.ttf");
  EXPECT_EQ(o.fonts.mono, "/m.ttf");
  EXPECT_EQ(parsed.command.seed, std::optional<std::uint64_t>(7));
  EXPECT_EQ(parsed.command.scenario_path, "scenario.txt");
}

TEST(VizOptions, AnOptionGivenTwiceKeepsItsLastValue) {
  const ParsedClawviz parsed = parse({"a.scenario", "--speed", "2", "--width=800", "--speed=4", "--width", "900"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.command.viz.speed_exponent, 2);
  EXPECT_EQ(parsed.command.viz.width, 900);
}

TEST(VizOptions, SpeedMustBeAPowerOfTwoInRange) {
  EXPECT_EQ(parse({"a.scenario", "--speed", "64"}).command.viz.speed_exponent, 6);
  EXPECT_EQ(parse({"a.scenario", "--speed", "0.5"}).command.viz.speed_exponent, -1);
  for (const char* bad : {"3", "128", "0.125", "0", "-2", "fast", "1x", "nan", "inf"}) {
    const ParsedClawviz parsed = parse({"a.scenario", "--speed", bad});
    EXPECT_NE(parsed.error.find("--speed"), std::string::npos) << bad;
    EXPECT_NE(parsed.error.find(bad), std::string::npos) << parsed.error;
  }
}

TEST(VizOptions, BadValuesNameTheOption) {
  const std::vector<std::vector<std::string>> cases = {
      {"--width", "10"},     {"--width", "abc"},       {"--height", "99999"}, {"--frames-max", "-1"},
      {"--play", "bad name"}, {"--play", ""},          {"--png", ""},         {"--png-after-ms", "1e3"},
      {"--font="},           {"--width", "800x"},
  };
  for (const auto& option : cases) {
    std::vector<std::string> args = {"a.scenario"};
    args.insert(args.end(), option.begin(), option.end());
    const ParsedClawviz parsed = parse(args);
    const std::string name = option[0].substr(0, option[0].find('='));
    EXPECT_NE(parsed.error.find(name), std::string::npos) << option[0] << " -> '" << parsed.error << "'";
  }
}

TEST(VizOptions, MissingValueIsAnError) {
  EXPECT_EQ(parse({"a.scenario", "--frames-max"}).error, "--frames-max: missing value");
}

}  // namespace
}  // namespace clawnet::viz
