// NodeClock: the time one simulated node's machine reads, derived from the
// world's true (virtual) time. Machines get time as data, so a skewed clock is
// only a different number handed to them.
//
// The model is that of a monotonic clock (what prod reads: steady_clock):
//  - a drift in parts per million, |drift| <= clock_drift_ppm_max (a cheap
//    crystal is within 100 ppm; the bound is ten times that);
//  - steps forward only, up to clock_step_ms_max each (a host that resumed
//    from suspend; a monotonic clock never steps back, and nothing here reads
//    a wall clock). A step at 0 s is an offset: the node booted earlier.
// Contract:
//  1. local(t) never decreases as t grows, across drift changes and steps.
//  2. true_at(L) is the earliest true time t >= anchor with local(t) >= L, so a
//     timer a machine asks for at local time L is due at true_at(L) and the
//     machine then reads at least L.
#pragma once

#include "core/time.hpp"

#include <cstdint>

namespace clawnet::sim {

inline constexpr std::int64_t clock_drift_ppm_max = 1'000;
inline constexpr TimeMs clock_step_ms_max = 24 * 60 * 60 * 1000;

class NodeClock {
 public:
  TimeMs local(TimeMs true_ms) const {
    const TimeMs elapsed = true_ms - anchor_true_ms_;
    return anchor_local_ms_ + elapsed * (1'000'000 + drift_ppm_) / 1'000'000;
  }

  TimeMs true_at(TimeMs local_ms) const {
    if (local_ms == time_never) return time_never;
    if (local_ms <= anchor_local_ms_) return anchor_true_ms_;
    const TimeMs rate = 1'000'000 + drift_ppm_;
    TimeMs at = anchor_true_ms_ + ((local_ms - anchor_local_ms_) * 1'000'000 + rate - 1) / rate;
    while (local(at) < local_ms) at += 1;  // Integer rounding: at most a step or two.
    return at;
  }

  // From `now_true_ms` on the clock runs at the new drift (no jump).
  void set_drift(std::int64_t drift_ppm, TimeMs now_true_ms) {
    rebase(now_true_ms);
    drift_ppm_ = drift_ppm;
  }
  // The clock jumps forward by `forward_ms` at `now_true_ms`.
  void step(TimeMs forward_ms, TimeMs now_true_ms) {
    rebase(now_true_ms);
    anchor_local_ms_ += forward_ms;
  }

  std::int64_t drift_ppm() const { return drift_ppm_; }

 private:
  void rebase(TimeMs now_true_ms) {
    anchor_local_ms_ = local(now_true_ms);
    anchor_true_ms_ = now_true_ms;
  }

  TimeMs anchor_true_ms_ = 0;
  TimeMs anchor_local_ms_ = 0;
  std::int64_t drift_ppm_ = 0;
};

}  // namespace clawnet::sim
