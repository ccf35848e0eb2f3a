// TimerTable<Timer>: a machine's timers as one deadline per value of a closed enum
// (which must end in `count`), time_never when disarmed; next() is the earliest,
// which is what the machine's next_deadline() returns (quinn-proto's TimerTable).
// Machines never ask a driver to start or stop a timer: a driver only wakes the
// machine at next_deadline().
#pragma once

#include "core/time.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace clawnet::kernel {

// One deadline per timer; time_never when disarmed.
template <class Timer, std::size_t count = static_cast<std::size_t>(Timer::count)>
class TimerTable {
 public:
  TimerTable() { deadlines_.fill(time_never); }

  void set(Timer timer, TimeMs deadline_ms) { deadlines_[index(timer)] = deadline_ms; }
  void clear(Timer timer) { deadlines_[index(timer)] = time_never; }
  bool armed(Timer timer) const { return deadlines_[index(timer)] != time_never; }
  TimeMs deadline(Timer timer) const { return deadlines_[index(timer)]; }
  // True, and disarms it, when `timer` is due at `now_ms`.
  bool take_due(Timer timer, TimeMs now_ms) {
    if (deadlines_[index(timer)] > now_ms) return false;
    clear(timer);
    return true;
  }
  TimeMs next() const { return *std::min_element(deadlines_.begin(), deadlines_.end()); }

 private:
  static std::size_t index(Timer timer) { return static_cast<std::size_t>(timer); }
  std::array<TimeMs, count> deadlines_{};
};

}  // namespace clawnet::kernel
