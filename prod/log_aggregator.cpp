#include "prod/log_aggregator.hpp"

#include "core/assert.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace clawnet::prod {

std::optional<std::string> rejection_reason(std::string_view text) {
  constexpr std::string_view prefix = "rejected";
  if (!text.starts_with(prefix)) return std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  if (rest.starts_with(":")) rest.remove_prefix(1);
  while (rest.starts_with(" ")) rest.remove_prefix(1);
  rest = rest.substr(0, rest.find(": "));
  std::string reason;
  std::size_t start = 0;
  while (start <= rest.size() && reason.size() < LogAggregator::reason_bytes_max) {
    const std::size_t end = std::min(rest.find(' ', start), rest.size());
    const std::string_view word = rest.substr(start, end - start);
    const bool has_digit = std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!reason.empty()) reason.push_back(' ');
    reason += has_digit ? std::string_view("#") : word;
    start = end + 1;
  }
  if (reason.size() > LogAggregator::reason_bytes_max) reason.resize(LogAggregator::reason_bytes_max);
  return reason;
}

LogAggregator::LogAggregator(Sink sink, TimeMs interval_ms) : sink_(std::move(sink)), interval_ms_(interval_ms) {
  CLAWNET_ASSERT(interval_ms_ > 0);
}

void LogAggregator::log(std::string_view reason, std::string_view text, TimeMs now_ms) {
  flush(now_ms);
  // The last place is other_reason's.
  if (!reasons_.contains(reason) && reasons_.size() >= reasons_max - 1) reason = other_reason;
  if (auto it = reasons_.find(reason); it != reasons_.end()) {
    it->second.suppressed += 1;
    return;
  }
  reasons_.emplace(std::string(reason), Interval{now_ms + interval_ms_, 0});
  sink_(text);
}

void LogAggregator::log_line(std::string_view text, TimeMs now_ms) {
  if (std::optional<std::string> reason = rejection_reason(text)) return log(*reason, text, now_ms);
  sink_(text);
}

void LogAggregator::flush(TimeMs now_ms) {
  for (auto it = reasons_.begin(); it != reasons_.end();) {
    Interval& interval = it->second;
    if (interval.end_ms > now_ms) {
      ++it;
      continue;
    }
    if (interval.suppressed == 0) {
      it = reasons_.erase(it);
      continue;
    }
    sink_(fmt::format("{} more rejected: {} (in {} s)", interval.suppressed, it->first, interval_ms_ / 1000));
    interval = Interval{now_ms + interval_ms_, 0};
    ++it;
  }
}

TimeMs LogAggregator::next_flush_ms() const {
  TimeMs earliest = time_never;
  for (const auto& [reason, interval] : reasons_) earliest = std::min(earliest, interval.end_ms);
  return earliest;
}

}  // namespace clawnet::prod
