// Timeline: the readable record of a simulation run, one line per event with
// the virtual time first. Lines go to sinks as they happen (stdout, a Chrome
// trace, a test's buffer), and the last few are kept for violation reports and
// the visualizer. Deterministic: a line holds only virtual time and values
// derived from the scenario and seed.
#pragma once

#include "core/time.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace clawnet::sim {

struct TimelineEntry {
  TimeMs at_ms = 0;
  std::string node;  // "server", "claw", "net", "scenario", "oracle", or a player name.
  std::string text;
};

// "   12.345s server   text"
std::string format_entry(const TimelineEntry& entry);

class Timeline {
 public:
  using Sink = std::function<void(const TimelineEntry&)>;
  static constexpr std::size_t recent_max = 40;

  void add_sink(Sink sink) { sinks_.push_back(std::move(sink)); }
  void record(TimeMs at_ms, std::string node, std::string text);
  // The last recent_max lines, formatted, oldest first.
  const std::deque<std::string>& recent() const { return recent_; }
  std::uint64_t line_count() const { return line_count_; }

 private:
  std::vector<Sink> sinks_;
  std::deque<std::string> recent_;
  std::uint64_t line_count_ = 0;
};

// Writes Chrome trace-event JSON (opens in Perfetto / chrome://tracing): one
// instant event per timeline line, one thread per node, and complete events
// for turns. Streams; finish() closes the JSON array.
class ChromeTrace {
 public:
  explicit ChromeTrace(std::ostream& out);
  void record(const TimelineEntry& entry);
  void span(const std::string& node, const std::string& name, TimeMs start_ms, TimeMs end_ms);
  void finish();

 private:
  int thread_of(const std::string& node);
  void write_event(const std::string& body);

  std::ostream& out_;
  std::vector<std::string> threads_;
  bool first_ = true;
  bool finished_ = false;
};

}  // namespace clawnet::sim
