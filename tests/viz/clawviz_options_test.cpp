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

}  // namespace
}  // namespace clawnet::viz
