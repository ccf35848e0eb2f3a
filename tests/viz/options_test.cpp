#include "viz/options.hpp"

#include <gtest/gtest.h>

namespace clawnet::viz {
namespace {

TEST(VizOptions, DefaultsWithNoArguments) {
  const ParsedVizOptions parsed = parse_viz_options({});
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.options.width, 1280);
  EXPECT_EQ(parsed.options.height, 720);
  EXPECT_EQ(parsed.options.frames_max, 0U);
  EXPECT_EQ(parsed.options.speed_exponent, 0);
  EXPECT_EQ(parsed.options.fonts.sans, default_sans_font_path);
}

TEST(VizOptions, ParsesEveryOptionAndPassesTheRestThrough) {
  const ParsedVizOptions parsed = parse_viz_options({"--seed", "7", "--width", "800", "--height=600",
                                                     "--frames-max", "30", "--speed", "0.25", "--paused", "--play",
                                                     "alice", "--png", "/tmp/x.png", "--png-after-ms=5000",
                                                     "--font", "/f.ttf", "--mono-font", "/m.ttf", "scenario.txt"});
  ASSERT_EQ(parsed.error, "");
  const VizOptions& o = parsed.options;
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
  EXPECT_EQ(parsed.rest, (std::vector<std::string>{"--seed", "7", "scenario.txt"}));
}

TEST(VizOptions, SpeedMustBeAPowerOfTwoInRange) {
  EXPECT_EQ(parse_viz_options({"--speed", "64"}).options.speed_exponent, 6);
  EXPECT_EQ(parse_viz_options({"--speed", "0.5"}).options.speed_exponent, -1);
  for (const char* bad : {"3", "128", "0.125", "0", "-2", "fast", "1x", "nan", "inf"}) {
    const ParsedVizOptions parsed = parse_viz_options({"--speed", bad});
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
  for (const auto& args : cases) {
    const ParsedVizOptions parsed = parse_viz_options(args);
    const std::string name = args[0].substr(0, args[0].find('='));
    EXPECT_NE(parsed.error.find(name), std::string::npos) << args[0] << " -> '" << parsed.error << "'";
  }
}

TEST(VizOptions, MissingValueIsAnError) {
  const ParsedVizOptions parsed = parse_viz_options({"--frames-max"});
  EXPECT_EQ(parsed.error, "--frames-max: missing value");
}

}  // namespace
}  // namespace clawnet::viz
