// Scheduler: a discrete-event loop on a virtual clock. The simulation's only
// notion of time; nothing in sim/ reads a wall clock.
//
// Contract:
//  1. run_next() runs the pending event with the smallest time; events with
//     equal times run in the order they were scheduled (FIFO).
//  2. now() never goes backwards. It changes only in run_next() and
//     run_until(). An event scheduled in the past is clamped to now(): it runs
//     after everything already due, never "before" the present.
//  3. At most events_pending_max events are pending; schedule() refuses more
//     (returns nullopt) instead of growing without bound.
//  4. An event may schedule and cancel events, including itself (a no-op, it
//     has already been removed when it runs).
// Not thread-safe.
#pragma once

#include "core/time.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

namespace clawnet::sim {

using EventId = std::uint64_t;

inline constexpr std::size_t scheduler_events_pending_max = 10'000'000;

class Scheduler {
 public:
  explicit Scheduler(std::size_t events_pending_max = scheduler_events_pending_max)
      : events_pending_max_(events_pending_max) {}

  // Schedules `action` at `at_ms` (clamped to now()). Returns its id, or
  // nullopt iff events_pending_max events are already pending.
  [[nodiscard]] std::optional<EventId> schedule(TimeMs at_ms, std::function<void()> action) {
    if (events_.size() >= events_pending_max_) return std::nullopt;
    const TimeMs at = at_ms < now_ms_ ? now_ms_ : at_ms;
    const EventId id = next_id_++;
    events_.emplace(Key{at, id}, std::move(action));
    times_.emplace(id, at);
    return id;
  }

  // Returns true iff `id` was pending (it is now removed).
  bool cancel(EventId id) {
    const auto found = times_.find(id);
    if (found == times_.end()) return false;
    events_.erase(Key{found->second, id});
    times_.erase(found);
    return true;
  }

  // Runs the earliest event. Returns false iff nothing was pending.
  bool run_next() {
    if (events_.empty()) return false;
    auto first = events_.begin();
    const Key key = first->first;
    std::function<void()> action = std::move(first->second);
    events_.erase(first);
    times_.erase(key.second);
    now_ms_ = key.first;  // >= now_ms_ by contract 2.
    action();
    return true;
  }

  // Runs every event due at or before `end_ms`, then moves now() to `end_ms`
  // (if it is later). Returns the number of events run.
  std::size_t run_until(TimeMs end_ms) {
    std::size_t ran = 0;
    while (!events_.empty() && events_.begin()->first.first <= end_ms) {
      run_next();
      ++ran;
    }
    if (end_ms > now_ms_) now_ms_ = end_ms;
    return ran;
  }

  TimeMs now() const { return now_ms_; }
  // The time of the earliest pending event, or time_never.
  TimeMs next_time() const { return events_.empty() ? time_never : events_.begin()->first.first; }
  bool empty() const { return events_.empty(); }
  std::size_t pending() const { return events_.size(); }
  std::size_t events_pending_max() const { return events_pending_max_; }

 private:
  using Key = std::pair<TimeMs, EventId>;  // Ids grow, so equal times run FIFO.

  std::size_t events_pending_max_;
  TimeMs now_ms_ = 0;
  EventId next_id_ = 1;
  std::map<Key, std::function<void()>> events_;
  std::map<EventId, TimeMs> times_;
};

}  // namespace clawnet::sim
