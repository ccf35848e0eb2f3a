#include "sim/explore/seed_run.hpp"

#include "sim/run.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace clawnet::sim {
namespace {

Outcome outcome_of(const Violation& violation) {
  switch (violation.kind) {
    case ViolationKind::safety: return Outcome::safety;
    case ViolationKind::liveness: return Outcome::liveness;
    case ViolationKind::livelock: return Outcome::livelock;
    case ViolationKind::simulation: return Outcome::crash;
  }
  return Outcome::crash;
}

// Fields are tab-separated; text fields escape backslash, tab and newline.
std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 1) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    i += 1;
    out += text[i] == 't' ? '\t' : text[i] == 'n' ? '\n' : text[i];
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); i += 1) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

template <class Number>
std::optional<Number> number(std::string_view text) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The pair names on a line are looked up in the machines' own tables, so the
// decoded string_views point at the same static names as a live Recorder's.
std::optional<std::tuple<coverage::MachineKind, std::string_view, std::string_view>> table_key(
    std::string_view machine, std::string_view state, std::string_view event) {
  static const auto server = ServerMachine::table_pairs();
  static const auto claw = ClawMachine::table_pairs();
  const bool is_server = machine == "server";
  for (const coverage::TablePair& pair : is_server ? server : claw) {
    if (pair.state == state && pair.event == event) {
      return std::tuple{is_server ? coverage::MachineKind::server : coverage::MachineKind::claw, pair.state,
                        pair.event};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::passed: return "passed";
    case Outcome::liveness: return "liveness";
    case Outcome::safety: return "safety";
    case Outcome::livelock: return "livelock";
    case Outcome::crash: return "crash";
  }
  return "?";
}

std::optional<Outcome> outcome_named(std::string_view name) {
  for (Outcome outcome : {Outcome::passed, Outcome::liveness, Outcome::safety, Outcome::livelock, Outcome::crash}) {
    if (to_string(outcome) == name) return outcome;
  }
  return std::nullopt;
}

SeedResult run_scenario(const Scenario& scenario, std::uint64_t seed, std::chrono::milliseconds wall_budget) {
  SeedResult result;
  result.seed = seed;
  coverage::Recording recording(result.coverage);
  try {
    World world(scenario, seed);
    run_guarded(world, wall_budget);
    result.events = world.events_run();
    result.virtual_ms = world.now_ms();
    if (const std::optional<Violation>& violation = world.violation()) {
      result.outcome = outcome_of(*violation);
      result.invariant = violation->invariant;
      result.name = violation->name;
      result.detail = violation->detail;
      result.at_ms = violation->at_ms;
    } else if (!world.passed()) {
      result.outcome = Outcome::safety;
      result.name = "expectation";
      for (const ExpectationResult& expectation : world.results()) {
        if (!expectation.passed) result.detail = fmt::format("line {}: {}", expectation.line, expectation.text);
      }
    }
  } catch (const std::exception& failure) {
    result.outcome = Outcome::crash;
    result.name = "exception";
    result.detail = failure.what();
  }
  return result;
}

bool same_failure(const SeedResult& a, const SeedResult& b) {
  return a.outcome == b.outcome && a.invariant == b.invariant && (a.outcome != Outcome::crash || a.name == b.name);
}

std::string encode_result(const SeedResult& result) {
  std::string probes;
  for (std::size_t index = 0; index < coverage::probe_count; index += 1) {
    if (result.coverage.probes[index] == 0) continue;
    probes += fmt::format("{}{}={}", probes.empty() ? "" : ",", index, result.coverage.probes[index]);
  }
  std::string pairs;
  for (const auto& [key, count] : result.coverage.pairs) {
    const auto& [machine, state, event] = key;
    pairs += fmt::format("{}{}/{}/{}={}", pairs.empty() ? "" : ",", to_string(machine), state, event, count);
  }
  return fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}", result.seed, to_string(result.outcome),
                     result.invariant, result.at_ms, result.events, result.virtual_ms, escape(result.name),
                     escape(result.detail), escape(result.summary), probes, pairs);
}

std::optional<SeedResult> decode_result(std::string_view line) {
  const std::vector<std::string_view> fields = split(line, '\t');
  if (fields.size() != 11) return std::nullopt;
  SeedResult result;
  const auto seed = number<std::uint64_t>(fields[0]);
  const auto outcome = outcome_named(fields[1]);
  const auto invariant = number<int>(fields[2]);
  const auto at_ms = number<TimeMs>(fields[3]);
  const auto events = number<std::uint64_t>(fields[4]);
  const auto virtual_ms = number<TimeMs>(fields[5]);
  if (!seed || !outcome || !invariant || !at_ms || !events || !virtual_ms) return std::nullopt;
  result.seed = *seed;
  result.outcome = *outcome;
  result.invariant = *invariant;
  result.at_ms = *at_ms;
  result.events = *events;
  result.virtual_ms = *virtual_ms;
  result.name = unescape(fields[6]);
  result.detail = unescape(fields[7]);
  result.summary = unescape(fields[8]);
  for (std::string_view entry : split(fields[9], ',')) {
    if (entry.empty()) continue;
    const std::vector<std::string_view> parts = split(entry, '=');
    const auto index = parts.size() == 2 ? number<std::size_t>(parts[0]) : std::nullopt;
    const auto count = parts.size() == 2 ? number<std::uint64_t>(parts[1]) : std::nullopt;
    if (!index || !count || *index >= coverage::probe_count) return std::nullopt;
    result.coverage.probes[*index] = *count;
  }
  for (std::string_view entry : split(fields[10], ',')) {
    if (entry.empty()) continue;
    const std::vector<std::string_view> parts = split(entry, '=');
    const std::vector<std::string_view> names = split(parts[0], '/');
    const auto count = parts.size() == 2 ? number<std::uint64_t>(parts[1]) : std::nullopt;
    if (!count || names.size() != 3) return std::nullopt;
    const auto key = table_key(names[0], names[1], names[2]);
    if (!key) return std::nullopt;
    result.coverage.pairs[*key] = *count;
  }
  return result;
}

}  // namespace clawnet::sim
