#include "sim/explore/shrink.hpp"

#include <algorithm>
#include <vector>

namespace clawnet::sim {
namespace {

class Shrinker {
 public:
  Shrinker(Scenario scenario, const Reproduces& reproduces, std::size_t runs_max)
      : best_(std::move(scenario)), reproduces_(reproduces), runs_max_(runs_max) {}

  // Keeps `candidate` iff it still reproduces (and the budget allows a run).
  bool try_candidate(Scenario candidate) {
    if (runs_ >= runs_max_) return false;
    runs_ += 1;
    if (!reproduces_(candidate)) return false;
    best_ = std::move(candidate);
    return true;
  }

  bool try_actions(std::vector<Action> actions) {
    Scenario candidate = best_;
    candidate.actions = std::move(actions);
    return try_candidate(std::move(candidate));
  }

  // ddmin: remove chunks of actions, halving the chunk size when none can go.
  void minimize_actions() {
    std::size_t chunks = 2;
    while (best_.actions.size() >= 2 && runs_ < runs_max_) {
      const std::vector<Action>& actions = best_.actions;
      const std::size_t chunk = (actions.size() + chunks - 1) / chunks;
      bool removed = false;
      for (std::size_t start = 0; start < actions.size(); start += chunk) {
        std::vector<Action> without(actions.begin(), actions.begin() + static_cast<std::ptrdiff_t>(start));
        const std::size_t end = std::min(start + chunk, actions.size());
        without.insert(without.end(), actions.begin() + static_cast<std::ptrdiff_t>(end), actions.end());
        if (try_actions(std::move(without))) {
          chunks = std::max<std::size_t>(chunks - 1, 2);
          removed = true;
          break;
        }
      }
      if (removed) continue;
      if (chunk == 1) break;
      chunks = std::min(chunks * 2, best_.actions.size());
    }
  }

  // One line at a time, until no single line can go.
  void remove_single_actions() {
    for (bool progress = true; progress && runs_ < runs_max_;) {
      progress = false;
      for (std::size_t index = 0; index < best_.actions.size(); index += 1) {
        std::vector<Action> without = best_.actions;
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(index));
        if (try_actions(std::move(without))) {
          progress = true;
          break;
        }
      }
    }
  }

  // Lines after the failure cannot have caused it: try without them first.
  void drop_after(TimeMs failed_at_ms) {
    std::vector<Action> kept;
    for (const Action& action : best_.actions) {
      if (action.at_ms <= failed_at_ms) kept.push_back(action);
    }
    if (kept.size() < best_.actions.size()) try_actions(std::move(kept));
  }

  void cut_duration(TimeMs failed_at_ms) {
    constexpr TimeMs margin_ms = 1'000;
    const TimeMs last_action_ms = best_.actions.empty() ? 0 : best_.actions.back().at_ms;
    const TimeMs cut_ms = std::max(failed_at_ms, last_action_ms) + margin_ms;
    if (cut_ms >= best_.duration_ms) return;
    Scenario candidate = best_;
    candidate.duration_ms = cut_ms;
    try_candidate(std::move(candidate));
  }

  Shrunk result() && { return Shrunk{std::move(best_), runs_}; }

 private:
  Scenario best_;
  const Reproduces& reproduces_;
  std::size_t runs_max_;
  std::size_t runs_ = 0;
};

}  // namespace

Shrunk shrink(Scenario scenario, TimeMs failed_at_ms, const Reproduces& reproduces, std::size_t runs_max) {
  Shrinker shrinker(std::move(scenario), reproduces, runs_max);
  shrinker.drop_after(failed_at_ms);
  shrinker.minimize_actions();
  shrinker.remove_single_actions();
  shrinker.cut_duration(failed_at_ms);
  return std::move(shrinker).result();
}

}  // namespace clawnet::sim
