#include "sim/explore/coverage_report.hpp"

#include "core/claw_machine.hpp"
#include "core/server_machine.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace clawnet::sim {
namespace {

using coverage::MachineKind;

void merge(Hits& hits, std::uint64_t count, std::uint64_t seed) {
  if (count == 0) return;
  hits.count += count;
  hits.first_seed = hits.first_seed ? std::min(*hits.first_seed, seed) : seed;
}

const UnreachablePair* unreachable(const PairKey& key) {
  for (const UnreachablePair& pair : unreachable_pairs()) {
    if (pair.machine == std::get<0>(key) && pair.state == std::get<1>(key) && pair.event == std::get<2>(key)) {
      return &pair;
    }
  }
  return nullptr;
}

std::string pair_name(const PairKey& key) {
  return fmt::format("{} {} + {}", to_string(std::get<0>(key)), std::get<1>(key), std::get<2>(key));
}

std::string first_seed_text(const Hits& hits) { return hits.first_seed ? fmt::format("{}", *hits.first_seed) : "-"; }

}  // namespace

const std::vector<UnreachablePair>& unreachable_pairs() {
  // None today. The claw's drop-cycle StepTimeout rows, once out of reach of a
  // cabinet that never fails, are reached by clock steps and slow controllers.
  // A pair listed here is one no world can take, with the reason.
  static const std::vector<UnreachablePair> pairs;
  return pairs;
}

CoverageTotals::CoverageTotals() {
  for (const coverage::TablePair& pair : ServerMachine::table_pairs()) {
    pairs_.emplace(PairKey{MachineKind::server, pair.state, pair.event}, Hits{});
  }
  for (const coverage::TablePair& pair : ClawMachine::table_pairs()) {
    pairs_.emplace(PairKey{MachineKind::claw, pair.state, pair.event}, Hits{});
  }
}

void CoverageTotals::add(const SeedResult& result) {
  for (std::size_t index = 0; index < coverage::probe_count; index += 1) {
    merge(probes_[index], result.coverage.probes[index], result.seed);
  }
  for (const auto& [key, count] : result.coverage.pairs) merge(pairs_[key], count, result.seed);
}

std::vector<coverage::Probe> CoverageTotals::missing_probes() const {
  std::vector<coverage::Probe> missing;
  for (std::size_t index = 0; index < coverage::probe_count; index += 1) {
    if (probes_[index].count == 0) missing.push_back(static_cast<coverage::Probe>(index));
  }
  return missing;
}

std::vector<PairKey> CoverageTotals::missing_pairs() const {
  std::vector<PairKey> missing;
  for (const auto& [key, hits] : pairs_) {
    if (hits.count == 0 && unreachable(key) == nullptr) missing.push_back(key);
  }
  return missing;
}

void CoverageTotals::write_table(std::ostream& out) const {
  std::size_t probes_hit = 0;
  for (const Hits& hits : probes_) probes_hit += hits.count > 0 ? 1 : 0;
  out << fmt::format("\ncoverage: {} of {} probes hit\n  {:<32} {:>12} {:>11}\n", probes_hit, coverage::probe_count,
                     "probe", "hits", "first seed");
  for (std::size_t index = 0; index < coverage::probe_count; index += 1) {
    out << fmt::format("  {:<32} {:>12} {:>11}\n", to_string(static_cast<coverage::Probe>(index)),
                       probes_[index].count, first_seed_text(probes_[index]));
  }
  std::size_t reachable = 0;
  std::size_t taken = 0;
  for (const auto& [key, hits] : pairs_) {
    reachable += unreachable(key) ? 0 : 1;
    taken += hits.count > 0 ? 1 : 0;
  }
  out << fmt::format("coverage: {} of {} reachable (state, event) pairs taken ({} unreachable)\n  {:<44} {:>12} {:>11}\n",
                     taken, reachable, pairs_.size() - reachable, "machine state + event", "count", "first seed");
  for (const auto& [key, hits] : pairs_) {
    const UnreachablePair* never = unreachable(key);
    out << fmt::format("  {:<44} {:>12} {:>11}{}\n", pair_name(key), hits.count, first_seed_text(hits),
                       never ? "  (unreachable)" : "");
  }
}

std::string CoverageTotals::to_json() const {
  boost::json::array probes;
  for (std::size_t index = 0; index < coverage::probe_count; index += 1) {
    boost::json::object probe;
    probe["name"] = to_string(static_cast<coverage::Probe>(index));
    probe["hits"] = probes_[index].count;
    probe["first_seed"] = probes_[index].first_seed ? boost::json::value(*probes_[index].first_seed) : nullptr;
    probes.push_back(std::move(probe));
  }
  boost::json::array pairs;
  for (const auto& [key, hits] : pairs_) {
    boost::json::object pair;
    pair["machine"] = to_string(std::get<0>(key));
    pair["state"] = std::get<1>(key);
    pair["event"] = std::get<2>(key);
    pair["count"] = hits.count;
    pair["first_seed"] = hits.first_seed ? boost::json::value(*hits.first_seed) : nullptr;
    if (const UnreachablePair* never = unreachable(key)) pair["unreachable"] = never->why;
    pairs.push_back(std::move(pair));
  }
  boost::json::object root;
  root["probes"] = std::move(probes);
  root["pairs"] = std::move(pairs);
  return boost::json::serialize(root) + "\n";
}

}  // namespace clawnet::sim
