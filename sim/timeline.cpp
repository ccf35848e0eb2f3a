#include "sim/timeline.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>

namespace clawnet::sim {

std::string format_entry(const TimelineEntry& entry) {
  return fmt::format("{:>6}.{:03}s {:<9} {}", entry.at_ms / 1000, entry.at_ms % 1000, entry.node, entry.text);
}

void Timeline::record(TimeMs at_ms, std::string node, std::string text) {
  TimelineEntry entry{at_ms, std::move(node), std::move(text)};
  for (const Sink& sink : sinks_) sink(entry);
  recent_.push_back(format_entry(entry));
  if (recent_.size() > recent_max) recent_.pop_front();
  line_count_ += 1;
}

ChromeTrace::ChromeTrace(std::ostream& out) : out_(out) { out_ << "[\n"; }

int ChromeTrace::thread_of(const std::string& node) {
  for (std::size_t index = 0; index < threads_.size(); index += 1) {
    if (threads_[index] == node) return static_cast<int>(index) + 1;
  }
  threads_.push_back(node);
  const int thread = static_cast<int>(threads_.size());
  write_event(fmt::format(R"({{"name":"thread_name","ph":"M","pid":1,"tid":{},"args":{{"name":{}}}}})", thread,
                          boost::json::serialize(boost::json::string(node))));
  return thread;
}

void ChromeTrace::record(const TimelineEntry& entry) {
  const int thread = thread_of(entry.node);
  write_event(fmt::format(R"({{"name":{},"ph":"i","s":"t","pid":1,"tid":{},"ts":{}}})",
                          boost::json::serialize(boost::json::string(entry.text)), thread, entry.at_ms * 1000));
}

void ChromeTrace::span(const std::string& node, const std::string& name, TimeMs start_ms, TimeMs end_ms) {
  const int thread = thread_of(node);
  write_event(fmt::format(R"({{"name":{},"ph":"X","pid":1,"tid":{},"ts":{},"dur":{}}})",
                          boost::json::serialize(boost::json::string(name)), thread, start_ms * 1000,
                          (end_ms - start_ms) * 1000));
}

void ChromeTrace::write_event(const std::string& body) {
  if (finished_) return;
  out_ << (first_ ? "" : ",\n") << body;
  first_ = false;
}

void ChromeTrace::finish() {
  if (finished_) return;
  out_ << "\n]\n";
  finished_ = true;
}

}  // namespace clawnet::sim
