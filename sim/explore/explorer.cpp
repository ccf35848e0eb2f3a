#include "sim/explore/explorer.hpp"

#include "sim/explore/coverage_report.hpp"
#include "sim/explore/seed_run.hpp"
#include "sim/explore/shrink.hpp"
#include "sim/explore/worker_pool.hpp"
#include "sim/explore/world_draw.hpp"
#include "sim/run.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

namespace clawnet::sim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds progress_every{1'000};
constexpr TimeMs bench_chaos_ms = 5 * 60'000;  // With the heal, about ten virtual minutes a seed.
constexpr std::size_t crash_shrink_runs_max = 300;  // Each candidate is a forked process.

DrawSettings draw_settings(const ExploreOptions& options) {
  DrawSettings settings;
  if (options.bench) {
    settings.every_fault = true;
    settings.chaos_ms_min = bench_chaos_ms;
    settings.chaos_ms_max = bench_chaos_ms;
  }
  return settings;
}

DrawnWorld draw(const ExploreOptions& options, std::uint64_t seed) {
  return draw_world(seed, options.base ? &*options.base : nullptr, draw_settings(options));
}

std::string world_summary(const DrawnWorld& drawn) {
  std::string faults;
  for (std::size_t index = 0; index < fault_kind_count; index += 1) {
    if (drawn.mix.faults[index].on) faults += fmt::format(" {}", to_string(static_cast<FaultKind>(index)));
  }
  return fmt::format("{} players, heal at {}, faults:{}", drawn.players, format_duration(drawn.heal_at_ms),
                     faults.empty() ? " none" : faults);
}

std::filesystem::path seed_path(const ExploreOptions& options, std::uint64_t seed, bool shrunk) {
  return std::filesystem::path(options.out_dir) / fmt::format("seed-{}{}.scenario", seed, shrunk ? ".min" : "");
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) throw std::runtime_error(fmt::format("explore: cannot write {}", path.string()));
}

std::string describe_failure(const SeedResult& result) {
  return result.invariant > 0 ? fmt::format("{}, invariant {} ({})", to_string(result.outcome), result.invariant,
                                            result.name)
                              : fmt::format("{} ({})", to_string(result.outcome), result.name);
}

// Writes the failing world and its shrunk form. The shrunk file says what it
// replays, so it can be read (and kept in scenarios/) on its own.
void write_failure_files(const ExploreOptions& options, const DrawnWorld& drawn, const SeedResult& failed,
                         const Reproduces& reproduces, std::size_t runs_max) {
  write_file(seed_path(options, failed.seed, false), print_scenario(drawn.scenario));
  Shrunk shrunk = shrink(drawn.scenario, failed.at_ms, reproduces, runs_max);
  shrunk.scenario.description = fmt::format(
      "explore seed {}, shrunk from {} to {} lines in {} runs. It fails: {}.", failed.seed,
      drawn.scenario.actions.size(), shrunk.scenario.actions.size(), shrunk.runs, describe_failure(failed));
  write_file(seed_path(options, failed.seed, true), print_scenario(shrunk.scenario));
}

// One seed, in a worker process: draw, run, and on a failure write its files.
SeedResult explore_seed(const ExploreOptions& options, std::uint64_t seed) {
  const DrawnWorld drawn = draw(options, seed);
  SeedResult result = run_scenario(drawn.scenario, seed, explore_seed_wall_budget);
  result.summary = world_summary(drawn);
  if (result.outcome == Outcome::passed) return result;
  const Reproduces same_failure_again = [&](const Scenario& candidate) {
    return same_failure(run_scenario(candidate, seed, explore_seed_wall_budget), result);
  };
  write_failure_files(options, drawn, result, same_failure_again, shrink_runs_max);
  return result;
}

// A candidate for a seed that killed its process: does it kill a fresh one too?
bool kills_a_process(const Scenario& candidate, std::uint64_t seed) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    run_scenario(candidate, seed, explore_seed_wall_budget);
    ::_exit(0);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0) return false;
  return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

// A seed whose worker died or was killed: reported, written, and (if it died
// rather than hung) shrunk with a process per candidate.
SeedResult worker_failure(const ExploreOptions& options, const WorkerPool::Finished& finished) {
  const DrawnWorld drawn = draw(options, finished.seed);
  SeedResult result;
  result.seed = finished.seed;
  result.outcome = finished.overran ? Outcome::livelock : Outcome::crash;
  result.name = finished.overran ? "livelock" : "process died";
  result.detail = finished.death;
  result.summary = world_summary(drawn);
  result.at_ms = drawn.scenario.duration_ms;
  if (finished.overran) {
    write_file(seed_path(options, finished.seed, false), print_scenario(drawn.scenario));
    return result;
  }
  const Reproduces dies = [&](const Scenario& candidate) { return kills_a_process(candidate, finished.seed); };
  write_failure_files(options, drawn, result, dies, crash_shrink_runs_max);
  return result;
}

}  // namespace

int explore_exit_code(Outcome worst) {
  switch (worst) {
    case Outcome::passed: return explore_exit_passed;
    case Outcome::liveness: return explore_exit_liveness;
    case Outcome::safety: return explore_exit_safety;
    case Outcome::livelock:
    case Outcome::crash: return explore_exit_crash;
  }
  return explore_exit_crash;
}

namespace {

std::string format_wall(double seconds) {
  return seconds < 60 ? fmt::format("{:.0f}s", seconds)
                      : fmt::format("{}m{:02.0f}s", static_cast<int>(seconds) / 60, seconds - 60 * (static_cast<int>(seconds) / 60));
}

class Progress {
 public:
  Progress(std::ostream& out, std::uint64_t total)
      : out_(out), total_(total), terminal_(&out == &std::cerr && ::isatty(STDERR_FILENO)) {}

  void maybe_print(std::uint64_t done, std::uint64_t failed, bool last = false) {
    const auto now = Clock::now();
    if (!last && now - printed_ < progress_every) return;
    printed_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    constexpr int bar_width = 24;
    const int filled = static_cast<int>(bar_width * done / std::max<std::uint64_t>(total_, 1));
    const std::string bar = terminal_ ? fmt::format("[{}{}] ", std::string(static_cast<std::size_t>(filled), '#'),
                                                    std::string(static_cast<std::size_t>(bar_width - filled), '.'))
                                      : std::string();
    out_ << fmt::format("{}explore: {}{}/{} seeds, {} failed, {:.1f} seeds/s, ETA {}", terminal_ ? "\r" : "", bar,
                        done, total_, failed, rate, format_wall(eta))
         << (terminal_ && !last ? "" : "\n") << std::flush;
  }

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  std::ostream& out_;
  std::uint64_t total_;
  bool terminal_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point printed_ = Clock::now();
};

void print_failure(std::ostream& out, const ExploreOptions& options, const SeedResult& result) {
  out << fmt::format("FAIL seed {}: {} at {}: {}\n", result.seed, describe_failure(result),
                     format_duration(result.at_ms), result.detail);
  const std::filesystem::path full = seed_path(options, result.seed, false);
  const std::filesystem::path shrunk = seed_path(options, result.seed, true);
  out << fmt::format("  world:  {}\n", full.string());
  if (std::filesystem::exists(shrunk)) {
    auto loaded = load_scenario(shrunk);
    const std::size_t lines = std::holds_alternative<Scenario>(loaded) ? std::get<Scenario>(loaded).actions.size() : 0;
    out << fmt::format("  shrunk: {} ({} action lines)\n  replay: {} run {}\n", shrunk.string(), lines,
                       options.program, shrunk.string());
  } else {
    out << fmt::format("  replay: {} run {}\n", options.program, full.string());
  }
}

void print_summary(std::ostream& out, const ExploreOptions& options, const std::map<std::uint64_t, SeedResult>& results,
                   double seconds) {
  std::map<Outcome, std::uint64_t> by_outcome;
  std::map<std::string, std::uint64_t> by_invariant;
  TimeMs virtual_ms = 0;
  for (const auto& [seed, result] : results) {
    by_outcome[result.outcome] += 1;
    virtual_ms += result.virtual_ms;
    if (result.outcome != Outcome::passed) {
      by_invariant[result.invariant > 0 ? fmt::format("{} {}", result.invariant, result.name) : result.name] += 1;
    }
  }
  const auto seeds = results.size();
  const double per_minute = seconds > 0 ? static_cast<double>(seeds) * 60 / seconds : 0;
  out << fmt::format("\nexplore: {} seeds in {:.1f} s on {} jobs ({:.0f} seeds per minute), {} failed\n", seeds,
                     seconds, options.jobs, per_minute, seeds - by_outcome[Outcome::passed]);
  out << fmt::format("  {:<10} {:>8}\n", "outcome", "seeds");
  for (Outcome outcome : {Outcome::passed, Outcome::safety, Outcome::liveness, Outcome::livelock, Outcome::crash}) {
    out << fmt::format("  {:<10} {:>8}\n", to_string(outcome), by_outcome[outcome]);
  }
  if (!by_invariant.empty()) {
    out << "  failures by invariant:\n";
    for (const auto& [name, count] : by_invariant) out << fmt::format("    {:<30} {:>6}\n", name, count);
  }
  if (options.bench && seeds > 0) {
    out << fmt::format("bench: {:.0f} seeds per minute, every fault kind on, {:.1f} virtual minutes per seed on "
                       "average, {} jobs\n",
                       per_minute, static_cast<double>(virtual_ms) / 60'000.0 / static_cast<double>(seeds),
                       options.jobs);
  }
}

}  // namespace

int explore(const ExploreOptions& options, std::ostream& out, std::ostream& progress_out) {
  std::filesystem::create_directories(options.out_dir);
  const std::uint64_t seed_end = options.seed_first + options.seed_count;
  std::map<std::uint64_t, SeedResult> results;  // By seed: reports do not depend on arrival order.
  CoverageTotals coverage;
  std::uint64_t failures = 0;
  std::uint64_t next_seed = options.seed_first;
  Progress progress(progress_out, options.seed_count);
  const auto stop_at = Clock::now() + std::chrono::minutes(options.minutes);
  {
    WorkerPool pool(options.jobs, [&](std::uint64_t seed) { return encode_result(explore_seed(options, seed)); },
                    explore_worker_deadline);
    auto starting = [&] {
      const bool out_of_time = options.minutes > 0 && Clock::now() >= stop_at;
      const bool enough_failures = options.failures_max > 0 && failures >= options.failures_max;
      return next_seed < seed_end && !out_of_time && !enough_failures;
    };
    while (starting() || pool.busy() > 0) {
      while (starting() && pool.has_idle()) pool.submit(next_seed++);
      for (const WorkerPool::Finished& finished : pool.wait(std::chrono::milliseconds(200))) {
        std::optional<SeedResult> result =
            finished.answer ? decode_result(*finished.answer) : std::optional<SeedResult>(worker_failure(options, finished));
        if (!result) throw std::runtime_error(fmt::format("explore: a worker's answer for seed {} is garbled", finished.seed));
        if (options.verbose) {
          out << fmt::format("seed {}: {} ({})\n", result->seed,
                             result->outcome == Outcome::passed ? "passed" : describe_failure(*result), result->summary);
        }
        failures += result->outcome == Outcome::passed ? 0 : 1;
        coverage.add(*result);
        results.emplace(result->seed, std::move(*result));
      }
      progress.maybe_print(results.size(), failures);
    }
  }
  progress.maybe_print(results.size(), failures, true);
  const double seconds = progress.seconds();

  Outcome worst = Outcome::passed;
  for (const auto& [seed, result] : results) {
    if (result.outcome == Outcome::passed) continue;
    worst = std::max(worst, result.outcome);
    print_failure(out, options, result);
  }
  write_file(std::filesystem::path(options.out_dir) / "coverage.json", coverage.to_json());
  coverage.write_table(out);
  print_summary(out, options, results, seconds);
  if (worst != Outcome::passed) return explore_exit_code(worst);
  if (options.require_coverage) {
    const auto missing_probes = coverage.missing_probes();
    const auto missing_pairs = coverage.missing_pairs();
    for (coverage::Probe probe : missing_probes) out << fmt::format("never hit: probe {}\n", to_string(probe));
    for (const PairKey& pair : missing_pairs) {
      out << fmt::format("never taken: {} {} + {}\n", to_string(std::get<0>(pair)), std::get<1>(pair),
                         std::get<2>(pair));
    }
    if (!missing_probes.empty() || !missing_pairs.empty()) return explore_exit_coverage;
  }
  return explore_exit_passed;
}

}  // namespace clawnet::sim
