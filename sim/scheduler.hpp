// Scheduler: a discrete-event loop on a virtual clock. The simulation's only
// notion of time; nothing in sim/ reads a wall clock.
//
// Contract:
//  1. run_next() runs the pending event with the smallest time. Events with
//     equal times run in the order they were scheduled (FIFO), unless ties are
//     shuffled (shuffle_ties): then they run in an order drawn from the shuffle
//     seed, except that events scheduled in one lane (new_lane()) keep their
//     FIFO order among themselves (the network is FIFO per subscription).
//     Ranks are a hash of (seed, lane or event id, time): no random stream is
//     drawn, so shuffling changes the order of ties and nothing else.
//  2. now() never goes backwards. It changes only in run_next() and
//     run_until(). An event scheduled in the past is clamped to now(): it runs
//     after everything already due (among them, in any order if shuffled),
//     never "before" the present.
//  3. At most events_pending_max events are pending; schedule() refuses more
//     (returns nullopt) instead of growing without bound.
//  4. An event may schedule and cancel events, including itself (a no-op, it
//     has already been removed when it runs).
// Not thread-safe.
#pragma once

#include "core/time.hpp"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

namespace clawnet::sim {

using EventId = std::uint64_t;
// Events in one lane due at one instant run in the order they were scheduled,
// even with shuffled ties. Lane 0 is no lane.
using Lane = std::uint64_t;
inline constexpr Lane no_lane = 0;

inline constexpr std::size_t scheduler_events_pending_max = 10'000'000;

class Scheduler {
 public:
  explicit Scheduler(std::size_t events_pending_max = scheduler_events_pending_max)
      : events_pending_max_(events_pending_max) {}

  // From now on, ties run in an order drawn from `seed` (contract 1).
  void shuffle_ties(std::uint64_t seed) {
    shuffled_ = true;
    shuffle_seed_ = seed;
  }
  bool ties_shuffled() const { return shuffled_; }
  // A fresh lane: its events keep their FIFO order at equal times.
  Lane new_lane() { return next_lane_++; }

  // Schedules `action` at `at_ms` (clamped to now()). Returns its id, or
  // nullopt iff events_pending_max events are already pending.
  [[nodiscard]] std::optional<EventId> schedule(TimeMs at_ms, std::function<void()> action, Lane lane = no_lane) {
    if (events_.size() >= events_pending_max_) return std::nullopt;
    const TimeMs at = at_ms < now_ms_ ? now_ms_ : at_ms;
    const EventId id = next_id_++;
    const Key key{at, tie_rank(at, lane == no_lane ? id : lane), id};
    events_.emplace(key, std::move(action));
    keys_.emplace(id, key);
    return id;
  }

  // Returns true iff `id` was pending (it is now removed).
  bool cancel(EventId id) {
    const auto found = keys_.find(id);
    if (found == keys_.end()) return false;
    events_.erase(found->second);
    keys_.erase(found);
    return true;
  }

  // Runs the earliest event. Returns false iff nothing was pending.
  bool run_next() {
    if (events_.empty()) return false;
    auto first = events_.begin();
    const Key key = first->first;
    std::function<void()> action = std::move(first->second);
    events_.erase(first);
    keys_.erase(key.id);
    now_ms_ = key.at_ms;  // >= now_ms_ by contract 2.
    action();
    return true;
  }

  // Runs every event due at or before `end_ms`, then moves now() to `end_ms`
  // (if it is later). Returns the number of events run.
  std::size_t run_until(TimeMs end_ms) {
    std::size_t ran = 0;
    while (!events_.empty() && events_.begin()->first.at_ms <= end_ms) {
      run_next();
      ++ran;
    }
    if (end_ms > now_ms_) now_ms_ = end_ms;
    return ran;
  }

  TimeMs now() const { return now_ms_; }
  // The time of the earliest pending event, or time_never.
  TimeMs next_time() const { return events_.empty() ? time_never : events_.begin()->first.at_ms; }
  bool empty() const { return events_.empty(); }
  std::size_t pending() const { return events_.size(); }
  std::size_t events_pending_max() const { return events_pending_max_; }

 private:
  // Ids grow, so equal (time, rank) run FIFO; unshuffled, every rank is 0.
  struct Key {
    TimeMs at_ms;
    std::uint64_t rank;
    EventId id;
    auto operator<=>(const Key&) const = default;
  };

  std::uint64_t tie_rank(TimeMs at_ms, std::uint64_t lane_or_id) const {
    if (!shuffled_) return 0;
    return mix(shuffle_seed_ ^ mix(lane_or_id ^ mix(static_cast<std::uint64_t>(at_ms))));
  }
  // SplitMix64's finalizer: every input bit moves every output bit.
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  }

  std::size_t events_pending_max_;
  TimeMs now_ms_ = 0;
  EventId next_id_ = 1;
  // Lanes and event ids hash into one rank space; lanes start high so a lane
  // never shares its rank with a lone event of the same number.
  Lane next_lane_ = Lane{1} << 63;
  bool shuffled_ = false;
  std::uint64_t shuffle_seed_ = 0;
  std::map<Key, std::function<void()>> events_;
  std::map<EventId, Key> keys_;
};

}  // namespace clawnet::sim
