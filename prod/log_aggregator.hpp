// LogAggregator: bounds the log lines of repeated rejections, so that a flood of
// bad messages (a hostile controller, a broken peer) cannot flood the log.
//
// A rejection's reason is its log text without the variable parts
// (rejection_reason()). The first rejection of a reason is logged at once, in
// full, and opens an interval of aggregation_interval_ms for that reason; later
// ones in the interval are counted. When the interval ends with a count N > 0,
// one line "N more rejected: <reason>" is logged and a new interval opens; when
// it ends with none, the reason is forgotten (its next rejection is logged at once).
// So a reason costs at most one line per interval, plus the first.
//
// Contract:
//  - Time is injected (`now_ms`, any monotonic clock); flush(now) emits the
//    summaries of every interval ended by `now`; log() flushes first. Call
//    flush() at next_flush_ms() (a timer) so a flood's last summary is not late.
//  - At most reasons_max reasons are tracked, other_reason included: once
//    reasons_max - 1 others are, a new reason counts under other_reason.
// Not thread-safe (one daemon thread).
#pragma once

#include "core/time.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet::prod {

inline constexpr TimeMs aggregation_interval_ms = 10'000;

// The reason of a machine's rejection log line, or nullopt if `text` is not one.
// A rejection starts with "rejected" (core's "rejected: ...", "rejected secure
// message: ..."). The reason is what follows, up to its first ": ", with each word
// that holds a digit (a number, a channel, a seq) replaced by "#", at most
// reason_bytes_max bytes: "rejected: player message: not JSON" -> "player message".
std::optional<std::string> rejection_reason(std::string_view text);

class LogAggregator {
 public:
  using Sink = std::function<void(std::string_view line)>;
  static constexpr std::size_t reasons_max = 64;
  static constexpr std::size_t reason_bytes_max = 80;
  static constexpr std::string_view other_reason = "(other reasons)";

  explicit LogAggregator(Sink sink, TimeMs interval_ms = aggregation_interval_ms);

  // Logs `text` now if its reason has no open interval, else counts it.
  void log(std::string_view reason, std::string_view text, TimeMs now_ms);
  // Logs `text` through the aggregator if it is a rejection, else at once.
  void log_line(std::string_view text, TimeMs now_ms);
  void flush(TimeMs now_ms);
  // When the earliest open interval ends; time_never when none is open.
  TimeMs next_flush_ms() const;
  std::size_t reasons_tracked() const { return reasons_.size(); }

 private:
  struct Interval {
    TimeMs end_ms = 0;
    std::uint64_t suppressed = 0;
  };

  Sink sink_;
  TimeMs interval_ms_;
  std::map<std::string, Interval, std::less<>> reasons_;
};

}  // namespace clawnet::prod
