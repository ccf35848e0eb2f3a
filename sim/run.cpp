#include "sim/run.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
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

ScratchDirectory::ScratchDirectory() {
  static std::atomic<std::uint64_t> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          fmt::format("clawsim-{}-{}", static_cast<long>(::getpid()), counter.fetch_add(1));
  std::filesystem::create_directories(path_);
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_report(std::ostream& out, const World& world, const std::string& scenario_path) {
  std::size_t passed = 0;
  for (const ExpectationResult& result : world.results()) passed += result.passed ? 1 : 0;
  const RunCounters counters = world.counters();
  out << fmt::format(
      "\n== {} seed {}: {} events, {} virtual\n"
      "   turns played {}, prizes won {}, joins {} accepted / {} refused\n"
      "   claw: {} commands accepted, {} rejected, {} dead-man stops, {} on-time trips\n"
      "   network: {} published, {} delivered, {} lost, {} denied\n",
      world.scenario().name, world.seed(), world.events_run(), format_duration(world.now_ms()),
      counters.turns_played, world.cabinet().prizes_won(), counters.server.joins_accepted,
      counters.server.joins_refused, counters.claw.commands_accepted, counters.claw.rejected_messages,
      counters.claw.deadman_trips, counters.claw.motor_limit_trips, world.network().counters().published,
      world.network().counters().delivered, world.network().counters().lost, world.network().counters().denied);
  for (const ExpectationResult& result : world.results()) {
    if (!result.passed) out << "   " << result.text << "\n";
  }
  out << fmt::format("   expectations: {} passed, {} failed\n", passed, world.results().size() - passed);
  if (const std::optional<Violation>& violation = world.violation()) {
    out << fmt::format("\nINVARIANT {} VIOLATED ({}) at {}: {}\nlast events:\n", violation->invariant,
                       violation->name, format_duration(violation->at_ms), violation->detail);
    for (const std::string& line : world.timeline().recent()) out << "  " << line << "\n";
    out << fmt::format("reproduce: clawsim run {} --seed {}\n", scenario_path, world.seed());
  }
}

}  // namespace clawnet::sim
