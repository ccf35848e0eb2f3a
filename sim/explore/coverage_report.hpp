// Coverage over a whole exploration: each probe's hits and the first (lowest)
// seed that hit it, each (machine, state, event) pair's count, and the pairs
// no run can reach, each with the reason (docs/explore.md lists them too).
// Totals do not depend on the order results arrive in.
#pragma once

#include "core/probes.hpp"
#include "sim/explore/seed_run.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

namespace clawnet::sim {

using PairKey = std::tuple<coverage::MachineKind, std::string_view, std::string_view>;

struct Hits {
  std::uint64_t count = 0;
  std::optional<std::uint64_t> first_seed;
};

struct UnreachablePair {
  coverage::MachineKind machine;
  std::string_view state;
  std::string_view event;
  std::string_view why;
};
// The table pairs that no simulation can reach, and why.
const std::vector<UnreachablePair>& unreachable_pairs();

class CoverageTotals {
 public:
  CoverageTotals();
  void add(const SeedResult& result);

  // Probes never hit, and reachable pairs never taken.
  std::vector<coverage::Probe> missing_probes() const;
  std::vector<PairKey> missing_pairs() const;

  void write_table(std::ostream& out) const;
  std::string to_json() const;

 private:
  std::array<Hits, coverage::probe_count> probes_{};
  std::map<PairKey, Hits> pairs_;  // Every pair of both tables, hit or not.
};

}  // namespace clawnet::sim
