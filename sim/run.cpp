#include "sim/run.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace clawnet::sim {

std::variant<Scenario, std::string> load_scenario(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return fmt::format("{}: cannot open the scenario file", path.string());
  std::ostringstream text;
  text << file.rdbuf();
  auto parsed = parse_scenario(text.str(), path.string());
  if (const ParseError* error = std::get_if<ParseError>(&parsed)) {
    return fmt::format("{}:{}: {}", error->file, error->line, error->message);
  }
  Scenario scenario = std::move(std::get<Scenario>(parsed));
  scenario.name = path.filename().string();
  return scenario;
}

bool run_guarded(World& world, std::chrono::milliseconds wall_budget) {
  // Reading the clock every step would cost more than many steps do.
  constexpr std::uint64_t steps_between_clock_reads = 4'096;
  const auto deadline = std::chrono::steady_clock::now() + wall_budget;
  for (std::uint64_t steps = 1; world.step(); steps += 1) {
    if (steps % steps_between_clock_reads != 0 || std::chrono::steady_clock::now() < deadline) continue;
    world.stop_as_livelock(fmt::format("the run took more than {} s of wall time", wall_budget.count() / 1000));
    return true;
  }
  return false;
}

// "2 win, 5 loss, 1 abandoned": the results the server stored, none left out but zeros.
std::string describe_results(const std::array<std::uint64_t, turn_result_count>& by_result) {
  std::string text;
  for (int index = 0; index < turn_result_count; index += 1) {
    const std::uint64_t count = by_result[static_cast<std::size_t>(index)];
    if (count == 0) continue;
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", count, to_string(static_cast<TurnResult>(index)));
  }
  return text.empty() ? "none" : text;
}

void write_report(std::ostream& out, const World& world, const std::string& reproduce) {
  std::size_t passed = 0;
  for (const ExpectationResult& result : world.results()) passed += result.passed ? 1 : 0;
  const RunCounters counters = world.counters();
  out << fmt::format(
      "\n== {} seed {}: {} events, {} virtual\n"
      "   turns played {}, prizes won {}, joins {} accepted / {} refused\n"
      "   results: {}\n"
      "   claw: {} commands accepted, {} rejected, {} dead-man stops, {} on-time trips\n"
      "   network: {} published, {} delivered, {} lost, {} denied\n",
      world.scenario().name, world.seed(), world.events_run(), format_duration(world.now_ms()),
      counters.turns_played, world.cabinet().prizes_won(), counters.server.joins_accepted,
      counters.server.joins_refused, describe_results(counters.server.turns_by_result), counters.claw.commands_accepted, counters.claw.rejected_messages,
      counters.claw.deadman_trips, counters.claw.motor_limit_trips, world.network().counters().published,
      world.network().counters().delivered, world.network().counters().lost, world.network().counters().denied);
  for (const ExpectationResult& result : world.results()) {
    if (!result.passed) out << "   " << result.text << "\n";
  }
  const HistoryCounts history = world.oracle().history(world);
  out << fmt::format("   history: {} joins acknowledged, {} served; {} lost, {} duplicated, {} unexpected\n",
                     history.acknowledged, history.served, history.lost, history.duplicated, history.unexpected);
  out << fmt::format("   expectations: {} passed, {} failed\n", passed, world.results().size() - passed);
  if (const std::optional<Violation>& violation = world.violation()) {
    out << fmt::format("\nINVARIANT {} VIOLATED ({}) at {}: {}\nlast events:\n", violation->invariant,
                       violation->name, format_duration(violation->at_ms), violation->detail);
    for (const std::string& line : world.timeline().recent()) out << "  " << line << "\n";
    out << "reproduce: " << reproduce << "\n";
  }
}

}  // namespace clawnet::sim
