// clawviz: watch a scenario run in an SDL2 window, steer a player in it, or
// render it headless to PNG. The same deterministic World as clawsim.
// Usage: viz/clawviz_options.hpp. Exit codes: 0 done, 1 a runtime failure
// (no display, a missing default font, an unwritable file), 2 bad arguments
// or a bad scenario file.
#include "sim/run.hpp"
#include "viz/clawviz_options.hpp"
#include "viz/turn_driver.hpp"
#include "viz/window.hpp"
#include "viz/world_driver.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <variant>
#include <vector>

namespace {

using namespace clawnet;

int fail(const std::string& message, int status) {
  const bool ends_line = !message.empty() && message.back() == '\n';
  std::fputs(fmt::format("clawviz: {}{}", message, ends_line ? "" : "\n").c_str(), stderr);
  return status;
}

int run(viz::Driver& driver, const viz::ClawvizCommand& command) {
  const viz::VizOptions& options = command.viz;
  if (!options.png_path.empty()) {
    if (auto error = viz::run_headless(driver, options)) return fail(*error, 1);
    return 0;
  }
  if (!options.frames_dir.empty()) {
    const viz::FrameSeriesResult series = viz::run_frame_series(driver, options);
    if (series.error) return fail(*series.error, 1);
    std::fputs(fmt::format("clawviz: wrote {} frames to {}\n", series.frames, options.frames_dir).c_str(), stdout);
    return 0;
  }
  const viz::WindowResult window = viz::run_window(driver, options);
  if (!window.error) return 0;
  if (window.frames == 0 && window.error->starts_with("SDL_")) {
    return fail(*window.error +
                    "\n  no display or renderer: run under a display (or xvfb-run), or render headless with"
                    " --png FILE --at T or --frames DIR",
                1);
  }
  return fail(*window.error, 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const viz::ParsedClawviz parsed = viz::parse_clawviz_command(args);
  if (parsed.command.help) {
    std::fputs(viz::clawviz_usage, stdout);
    return 0;
  }
  if (!parsed.error.empty()) return fail(parsed.error + "\n" + viz::clawviz_usage, 2);
  const viz::ClawvizCommand& command = parsed.command;
  if (!command.turn_path.empty()) {
    auto replay = viz::load_turn_replay(command.turn_path);
    if (const std::string* error = std::get_if<std::string>(&replay)) return fail(*error, 2);
    viz::TurnReplay& turn = std::get<viz::TurnReplay>(replay);
    const std::string name = fmt::format("turn {}", turn.record.turn);
    if (auto error = viz::check_turn_command(command, name, turn.record.ready_at_ms)) return fail(*error, 2);
    viz::TurnDriver driver(std::move(turn));
    return run(driver, command);
  }
  auto loaded = sim::load_scenario(command.scenario_path);
  if (const std::string* error = std::get_if<std::string>(&loaded)) return fail(*error, 2);
  sim::Scenario& scenario = std::get<sim::Scenario>(loaded);
  if (auto error = viz::check_clawviz_command(command, scenario)) return fail(*error, 2);
  const std::uint64_t seed = command.seed.value_or(scenario.seed);
  try {
    viz::WorldDriver driver(std::move(scenario), seed, command.viz.play);
    return run(driver, command);
  } catch (const std::exception& failure) {
    return fail(failure.what(), 1);
  }
}
