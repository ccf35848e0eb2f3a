// clawsim: the deterministic simulation's command line.
//
//   clawsim run FILE [--seed N] [--tie-shuffle N] [--trace-out FILE.json] [--quiet]
//   clawsim bench FILE [--seed N] [--tie-shuffle N] [--repeat N]
//   clawsim explore [--base FILE] --seeds A..B | --count N [--jobs J] [--minutes M]
//                   [--out DIR] [--require-coverage] [--max-failures N] [--bench] [--verbose]
//   clawsim draw SEED [--base FILE]
//
// `run` prints the timeline (virtual time first), checks the file's
// expectations and the invariants, and exits 0 iff all hold. `bench` runs
// quietly and prints virtual seconds simulated per wall second and events per
// second. `explore` runs many seeded random worlds (docs/explore.md); `draw`
// prints the world one explorer seed draws, as a scenario file.
// Exit codes of run and bench: 0 passed, 1 failed, 2 bad usage or bad scenario
// file; explore's are in sim/explore/explorer.hpp.
#include "sim/explore/explorer.hpp"
#include "sim/explore/world_draw.hpp"
#include "sim/run.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace clawnet::sim;

constexpr const char* usage =
    "usage: clawsim run FILE [--seed N] [--tie-shuffle N] [--trace-out FILE.json] [--quiet]\n"
    "       clawsim bench FILE [--seed N] [--tie-shuffle N] [--repeat N]\n"
    "       clawsim explore [--base FILE] --seeds A..B | --count N [--jobs J] [--minutes M] [--out DIR]\n"
    "                       [--require-coverage] [--max-failures N] [--bench] [--verbose]\n"
    "       clawsim draw SEED [--base FILE]\n";

struct RunOptions {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> tie_shuffle;
  std::string trace_out;
  bool quiet = false;
  std::uint64_t repeat = 1;
};

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

const CLI::Validator whole_number(
    [](std::string& text) { return parse_number(text) ? std::string() : std::string("needs a non-negative integer"); },
    "N");

int run(const RunOptions& options, Scenario scenario) {
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  World world(std::move(scenario), seed);
  std::ofstream trace_file;
  std::optional<ChromeTrace> trace;
  if (!options.trace_out.empty()) {
    trace_file.open(options.trace_out, std::ios::binary);
    if (!trace_file) {
      std::cerr << fmt::format("clawsim: cannot write trace file {}\n", options.trace_out);
      return 2;
    }
    trace.emplace(trace_file);
    world.timeline().add_sink([&](const TimelineEntry& entry) { trace->record(entry); });
    world.on_turn_span = [&](const std::string& node, const std::string& name, clawnet::TimeMs start,
                             clawnet::TimeMs end) { trace->span(node, name, start, end); };
  }
  if (!options.quiet) {
    world.timeline().add_sink([](const TimelineEntry& entry) { std::fputs((format_entry(entry) + "\n").c_str(), stdout); });
  }
  run_guarded(world, wall_budget_default);
  if (trace) trace->finish();
  const std::string ties = world.scenario().tie_shuffle && options.tie_shuffle
                               ? fmt::format(" --tie-shuffle {}", *options.tie_shuffle)
                               : std::string();
  write_report(std::cout, world, fmt::format("clawsim run {} --seed {}{}", options.file, seed, ties));
  return world.passed() ? 0 : 1;
}

int bench(const RunOptions& options, const Scenario& scenario) {
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  double wall_s_total = 0;
  std::uint64_t events_total = 0;
  clawnet::TimeMs virtual_ms_total = 0;
  bool passed = true;
  for (std::uint64_t round = 0; round < options.repeat; round += 1) {
    World world(scenario, seed);
    const auto start = std::chrono::steady_clock::now();
    run_guarded(world, wall_budget_default);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    wall_s_total += wall.count();
    events_total += world.events_run();
    virtual_ms_total += world.now_ms();
    passed = passed && world.passed();
  }
  std::cout << fmt::format(
      "{} seed {}: {} run(s), {:.1f} virtual s per wall s, {:.0f} events per wall s ({} events, {:.2f} wall s)\n",
      scenario.name, seed, options.repeat, static_cast<double>(virtual_ms_total) / 1000.0 / wall_s_total,
      static_cast<double>(events_total) / wall_s_total, events_total, wall_s_total);
  return passed ? 0 : 1;
}

// Loads FILE or prints why not. Returns nullopt after printing.
std::optional<Scenario> load_or_report(const std::string& file) {
  auto loaded = load_scenario(file);
  if (const std::string* error = std::get_if<std::string>(&loaded)) {
    std::cerr << "clawsim: " << *error << "\n";
    return std::nullopt;
  }
  return std::move(std::get<Scenario>(loaded));
}

// "A..B" (both inclusive) -> {A, B - A + 1}.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_seed_range(std::string_view text) {
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  std::optional<std::uint64_t> first = parse_number(text.substr(0, dots));
  std::optional<std::uint64_t> last = parse_number(text.substr(dots + 2));
  if (!first || !last || *last < *first || *last - *first >= explore_seeds_max) return std::nullopt;
  return std::pair{*first, *last - *first + 1};
}

struct Commands {
  CLI::App* run = nullptr;
  CLI::App* bench = nullptr;
  CLI::App* explore = nullptr;
  CLI::App* draw = nullptr;
};

Commands add_commands(CLI::App& app, RunOptions& run_options, ExploreOptions& explore_options,
                      std::string& seed_range, std::string& draw_seed) {
  Commands commands;
  commands.run = app.add_subcommand("run", "run one scenario file, print its timeline, check it");
  commands.bench = app.add_subcommand("bench", "run one scenario file quietly and print its speed");
  for (CLI::App* command : {commands.run, commands.bench}) {
    command->add_option("FILE", run_options.file, "the scenario file")->required();
    command->add_option("--seed", run_options.seed, "replaces the file's seed")->check(whole_number);
    command->add_option("--tie-shuffle", run_options.tie_shuffle,
                        "run events due at one instant in an order drawn from this seed")
        ->check(whole_number);
    command->allow_extras();
  }
  commands.run->add_option("--trace-out", run_options.trace_out, "write a Chrome trace (JSON)");
  commands.run->add_flag("--quiet", run_options.quiet, "print only the report");
  commands.bench->add_option("--repeat", run_options.repeat, "runs to time")->check(whole_number);

  CLI::App* explore = commands.explore = app.add_subcommand("explore", "run many random worlds, one per seed");
  explore->add_option("--base", explore_options.base_file, "keep this scenario's settings and actions");
  explore->add_option("--seeds", seed_range, "the seeds A..B, both inclusive");
  explore->add_option("--count", explore_options.seed_count, "the seeds 0..N-1")->check(whole_number);
  explore->add_option("--jobs", explore_options.jobs, "parallel workers (default: the number of cores)")
      ->check(whole_number);
  explore->add_option("--minutes", explore_options.minutes, "stop starting seeds after this many wall minutes")
      ->check(whole_number);
  explore->add_option("--out", explore_options.out_dir, "where failing seeds and coverage.json go");
  explore->add_option("--max-failures", explore_options.failures_max, "stop after this many failing seeds")
      ->check(whole_number);
  explore->add_flag("--require-coverage", explore_options.require_coverage, "fail if a probe or row was never hit");
  explore->add_flag("--bench", explore_options.bench, "every fault kind on; print seeds per minute");
  explore->add_flag("--verbose", explore_options.verbose, "print each seed's world and outcome");
  explore->allow_extras();

  commands.draw = app.add_subcommand("draw", "print the world an explorer seed draws, as a scenario");
  commands.draw->add_option("SEED", draw_seed, "the seed")->required()->check(whole_number);
  commands.draw->add_option("--base", explore_options.base_file, "keep this scenario's settings and actions");
  commands.draw->allow_extras();
  return commands;
}

int usage_error(const std::string& message) {
  std::cerr << "clawsim: " << message << "\n" << usage;
  return 2;
}

int explore_main(ExploreOptions options, const std::string& seed_range) {
  if (!seed_range.empty() && options.seed_count > 0) return usage_error("give --seeds or --count, not both");
  if (!seed_range.empty()) {
    auto range = parse_seed_range(seed_range);
    if (!range) {
      return usage_error(fmt::format("--seeds needs A..B with A <= B and at most {} seeds, found \"{}\"",
                                     explore_seeds_max, seed_range));
    }
    std::tie(options.seed_first, options.seed_count) = *range;
  }
  if (options.seed_count == 0 || options.seed_count > explore_seeds_max) {
    return usage_error(fmt::format("give the seeds with --seeds A..B or --count N (1..{})", explore_seeds_max));
  }
  if (options.jobs == 0) options.jobs = std::max(1u, std::thread::hardware_concurrency());
  if (options.jobs > explore_jobs_max) return usage_error(fmt::format("--jobs must be 1..{}", explore_jobs_max));
  if (!options.base_file.empty()) {
    std::optional<Scenario> base = load_or_report(options.base_file);
    if (!base) return 2;
    options.base = std::move(*base);
  }
  return explore(options, std::cout, std::cerr);
}

int draw_main(const ExploreOptions& options, const std::string& seed_text) {
  std::optional<Scenario> base;
  if (!options.base_file.empty() && !(base = load_or_report(options.base_file))) return 2;
  DrawSettings settings;
  const DrawnWorld drawn = draw_world(*parse_number(seed_text), base ? &*base : nullptr, settings);
  std::cout << print_scenario(drawn.scenario);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command and scenario file");
  const std::string_view command = args[0];
  if (command != "run" && command != "bench" && command != "explore" && command != "draw" && command != "--help" &&
      command != "-h") {
    return usage_error(fmt::format("unknown command \"{}\" (expected run, bench, explore or draw)", command));
  }
  CLI::App app{"clawsim: the deterministic simulation of a claw cabinet"};
  app.require_subcommand(1);
  RunOptions run_options;
  ExploreOptions explore_options;
  std::string seed_range;
  std::string draw_seed;
  const Commands commands = add_commands(app, run_options, explore_options, seed_range, draw_seed);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& failure) {
    return usage_error(failure.what());
  }
  for (CLI::App* sub : {commands.run, commands.bench, commands.explore, commands.draw}) {
    if (sub->parsed() && !sub->remaining().empty()) {
      return usage_error(fmt::format("unknown option \"{}\"", sub->remaining().front()));
    }
  }
  try {
    if (commands.explore->parsed()) return explore_main(std::move(explore_options), seed_range);
    if (commands.draw->parsed()) return draw_main(explore_options, draw_seed);
    std::optional<Scenario> scenario = load_or_report(run_options.file);
    if (!scenario) return 2;
    if (run_options.tie_shuffle) scenario->tie_shuffle = run_options.tie_shuffle;
    return commands.run->parsed() ? run(run_options, std::move(*scenario)) : bench(run_options, *scenario);
  } catch (const std::exception& failure) {
    std::cerr << "clawsim: " << failure.what() << "\n";
    return 2;
  }
}
