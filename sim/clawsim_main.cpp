// clawsim: run a scenario file through the deterministic simulation.
//
//   clawsim run FILE [--seed N] [--trace-out FILE.json] [--quiet]
//   clawsim bench FILE [--seed N] [--repeat N]
//
// `run` prints the timeline (virtual time first), checks the file's
// expectations and the invariants, and exits 0 iff all hold. `bench` runs
// quietly and prints virtual seconds simulated per wall second and events per
// second. Exit codes: 0 passed, 1 failed, 2 bad usage or bad scenario file.
#include "sim/run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace clawnet::sim;

struct Options {
  std::string command;
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string trace_out;
  bool quiet = false;
  std::uint64_t repeat = 1;
};

constexpr const char* usage =
    "usage: clawsim run FILE [--seed N] [--trace-out FILE.json] [--quiet]\n"
    "       clawsim bench FILE [--seed N] [--repeat N]\n";

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Returns the options, or an error message naming the bad argument.
std::variant<Options, std::string> parse_arguments(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.size() < 2) return std::string("missing command and scenario file");
  Options options;
  options.command = args[0];
  if (options.command != "run" && options.command != "bench") {
    return fmt::format("unknown command \"{}\" (expected run or bench)", options.command);
  }
  options.file = args[1];
  for (std::size_t index = 2; index < args.size(); index += 1) {
    const std::string_view arg = args[index];
    auto value = [&]() -> std::optional<std::string_view> {
      if (index + 1 >= args.size()) return std::nullopt;
      index += 1;
      return args[index];
    };
    if (arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "--seed" || arg == "--repeat") {
      std::optional<std::string_view> text = value();
      std::optional<std::uint64_t> number = text ? parse_number(*text) : std::nullopt;
      if (!number) return fmt::format("{} needs a non-negative integer", arg);
      (arg == "--seed" ? options.seed : std::optional<std::uint64_t>{}) = number;
      if (arg == "--repeat") options.repeat = std::max<std::uint64_t>(1, *number);
    } else if (arg == "--trace-out") {
      std::optional<std::string_view> text = value();
      if (!text) return std::string("--trace-out needs a file name");
      options.trace_out = *text;
    } else {
      return fmt::format("unknown option \"{}\"", arg);
    }
  }
  return options;
}

int run(const Options& options, Scenario scenario) {
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  ScratchDirectory scratch;
  World world(std::move(scenario), seed, scratch.path());
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
  world.run_to_end();
  if (trace) trace->finish();
  write_report(std::cout, world, options.file);
  return world.passed() ? 0 : 1;
}

int bench(const Options& options, const Scenario& scenario) {
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  double wall_s_total = 0;
  std::uint64_t events_total = 0;
  clawnet::TimeMs virtual_ms_total = 0;
  bool passed = true;
  for (std::uint64_t round = 0; round < options.repeat; round += 1) {
    ScratchDirectory scratch;
    World world(scenario, seed, scratch.path());
    const auto start = std::chrono::steady_clock::now();
    world.run_to_end();
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

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_arguments(argc, argv);
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "clawsim: " << *error << "\n" << usage;
    return 2;
  }
  const Options& options = std::get<Options>(parsed);
  auto loaded = load_scenario(options.file);
  if (const std::string* error = std::get_if<std::string>(&loaded)) {
    std::cerr << "clawsim: " << *error << "\n";
    return 2;
  }
  Scenario& scenario = std::get<Scenario>(loaded);
  try {
    return options.command == "run" ? run(options, std::move(scenario)) : bench(options, scenario);
  } catch (const std::exception& failure) {
    std::cerr << "clawsim: " << failure.what() << "\n";
    return 2;
  }
}
