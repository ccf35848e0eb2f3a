// GET /metrics end to end: the real daemons' Prometheus text, parsed by the
// official Python client's parser (tests/e2e/parse_metrics.py, Debian
// python3-prometheus-client), before and after a turn. Skips only when the
// mosquitto binary is missing.
#include "tests/e2e/cluster_test.hpp"
#include "tests/prod/broker_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <thread>

namespace clawnet::e2e {
namespace {

namespace json = boost::json;

// The families as the parser names them (counters without "_total").
using Families = json::object;

// Scrapes `port` and parses the answer with the real parser; fails the test if
// either step fails.
Families scrape(std::uint16_t port, const std::filesystem::path& directory) {
  const std::optional<HttpAnswer> answer = http_request(port, "GET", "/metrics");
  if (!answer.has_value() || answer->status != 200) {
    ADD_FAILURE() << "GET /metrics on port " << port << " did not answer 200";
    return {};
  }
  const std::filesystem::path file = directory / "metrics.txt";
  std::ofstream(file) << answer->body;
  const prod::testing::ProcessResult parsed = prod::testing::run_process({CLAWNET_SYSTEM_PYTHON, CLAWNET_PARSE_METRICS, file});
  if (parsed.exit_code != 0) {
    ADD_FAILURE() << "the Prometheus parser refused the text: " << parsed.output << "\n" << answer->body;
    return {};
  }
  boost::system::error_code ec;
  json::value value = json::parse(parsed.output, ec);
  if (ec || !value.is_object()) {
    ADD_FAILURE() << "parse_metrics.py printed no JSON object: " << parsed.output;
    return {};
  }
  return value.as_object();
}

// The value of the sample `name` with `labels` (a subset), or nullopt.
std::optional<double> sample(const Families& families, const std::string& family, const std::string& name,
                             const json::object& labels = {}) {
  const auto it = families.find(family);
  if (it == families.end()) return std::nullopt;
  for (const json::value& entry : it->value().at("samples").as_array()) {
    if (entry.at("name").as_string() != name) continue;
    bool matches = true;
    for (const auto& [key, value] : labels) {
      const json::object& have = entry.at("labels").as_object();
      matches = matches && have.contains(key) && have.at(key) == value;
    }
    if (matches) return entry.at("value").to_number<double>();
  }
  return std::nullopt;
}

std::string type_of(const Families& families, const std::string& family) {
  const auto it = families.find(family);
  return it == families.end() ? "(missing)" : std::string(it->value().at("type").as_string());
}

class MetricsEndToEndTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (IsSkipped()) return;
    directory_ = std::filesystem::temp_directory_path() / ("clawnet-metrics-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    ClusterTest::TearDown();
    std::error_code ignored;
    if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
  }

  std::filesystem::path directory_;
};

TEST_F(MetricsEndToEndTest, ClawdMetricsParseAndMoveAfterATurn) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 4000}));

  const Families before = scrape(cluster_->http_port(), directory_);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(type_of(before, "clawnet_queue_length"), "gauge");
  EXPECT_EQ(type_of(before, "clawnet_players_present"), "gauge");
  EXPECT_EQ(type_of(before, "clawnet_broker_link"), "gauge");
  EXPECT_EQ(type_of(before, "clawnet_joins"), "counter");
  EXPECT_EQ(type_of(before, "clawnet_turns"), "counter");
  EXPECT_EQ(type_of(before, "clawnet_rejected_messages"), "counter");
  EXPECT_EQ(type_of(before, "clawnet_position_messages"), "counter");
  EXPECT_EQ(type_of(before, "clawnet_wait_seconds"), "histogram");
  EXPECT_EQ(type_of(before, "clawnet_turn_duration_seconds"), "histogram");
  EXPECT_EQ(type_of(before, "clawnet_store_commit_seconds"), "histogram");
  EXPECT_EQ(sample(before, "clawnet_broker_link", "clawnet_broker_link"), 1.0);
  EXPECT_EQ(sample(before, "clawnet_queue_length", "clawnet_queue_length"), 0.0);
  for (const char* result : {"win", "loss", "timeout", "ended_by_server", "abandoned"}) {
    EXPECT_EQ(sample(before, "clawnet_turns", "clawnet_turns_total", {{"result", result}}), 0.0) << result;
  }

  // Two players: the second waits in the queue while the first plays.
  Player first = cluster_->join();
  Player second = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  ASSERT_TRUE(cluster_->wait_status([](const json::object& s) { return s.at("queue_length").as_int64() == 1; }));
  const Families waiting = scrape(cluster_->http_port(), directory_);
  EXPECT_EQ(sample(waiting, "clawnet_queue_length", "clawnet_queue_length"), 1.0);
  EXPECT_EQ(sample(waiting, "clawnet_joins", "clawnet_joins_total", {{"outcome", "accepted"}}), 2.0);

  // The first turn runs out (turn_ms); it has ended before the second is granted.
  ASSERT_TRUE(second.wait_control().has_value()) << cluster_->logs();
  const Families after = scrape(cluster_->http_port(), directory_);
  ASSERT_FALSE(HasFailure());
  double turns = 0;
  for (const char* result : {"win", "loss", "timeout", "ended_by_server", "abandoned"}) {
    turns += sample(after, "clawnet_turns", "clawnet_turns_total", {{"result", result}}).value_or(0);
  }
  EXPECT_GE(turns, 1.0);
  EXPECT_EQ(sample(after, "clawnet_queue_length", "clawnet_queue_length"), 0.0);
  EXPECT_GE(sample(after, "clawnet_wait_seconds", "clawnet_wait_seconds_count").value_or(0), 2.0);
  EXPECT_GE(sample(after, "clawnet_turn_duration_seconds", "clawnet_turn_duration_seconds_count").value_or(0), 1.0);
  EXPECT_GE(sample(after, "clawnet_store_commit_seconds", "clawnet_store_commit_seconds_count").value_or(0), 4.0);
}

TEST_F(MetricsEndToEndTest, ClawcabMetricsCountAFloodThatTheLogAggregates) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 30000, .clawcab_metrics = true}));
  const Families before = scrape(cluster_->clawcab_metrics_port(), directory_);
  ASSERT_FALSE(HasFailure());
  for (const char* family : {"clawnet_claw_deadman_trips", "clawnet_claw_motor_limit_trips",
                             "clawnet_claw_prizes_detected", "clawnet_claw_chute_faults", "clawnet_claw_rejected"}) {
    EXPECT_EQ(type_of(before, family), "counter") << family;
  }
  EXPECT_EQ(type_of(before, "clawnet_claw_command_gpio_seconds"), "histogram");
  EXPECT_EQ(sample(before, "clawnet_broker_link", "clawnet_broker_link"), 1.0);
  EXPECT_EQ(sample(before, "clawnet_claw_rejected", "clawnet_claw_rejected_total", {{"reason", "invalid"}}), 0.0);
  // Only GET /metrics is served there.
  EXPECT_EQ(http_request(cluster_->clawcab_metrics_port(), "POST", "/v1/join")->status, 404);

  // A hostile controller floods its own channel with messages that are not JSON.
  Player mallory = cluster_->join();
  ASSERT_TRUE(mallory.wait_control().has_value()) << cluster_->logs();
  const std::size_t log_from = cluster_->clawcab().line_count();
  constexpr int flood_count = 300;
  for (int i = 0; i < flood_count; ++i) mallory.process->write_line("pub " + mallory.topic() + " garbage");
  // Every one was counted (bounded wait on the raw text; then the real parser).
  const std::string counted = "clawnet_claw_rejected_total{reason=\"invalid\"} " + std::to_string(flood_count);
  const auto deadline = Clock::now() + wait_limit;
  bool all_counted = false;
  while (!all_counted && Clock::now() < deadline) {
    const auto answer = http_request(cluster_->clawcab_metrics_port(), "GET", "/metrics");
    all_counted = answer.has_value() && answer->body.find(counted) != std::string::npos;
    if (!all_counted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(all_counted) << cluster_->logs();
  const Families after = scrape(cluster_->clawcab_metrics_port(), directory_);
  EXPECT_EQ(sample(after, "clawnet_claw_rejected", "clawnet_claw_rejected_total", {{"reason", "invalid"}}),
            double{flood_count});
  // The log has the first rejection, not three hundred (the summary comes after the interval).
  std::size_t rejection_lines = 0;
  const std::vector<OutputLine> lines = cluster_->clawcab().lines();
  for (std::size_t i = log_from; i < lines.size(); ++i) {
    if (lines[i].text.find("rejected") != std::string::npos) ++rejection_lines;
  }
  EXPECT_GE(rejection_lines, 1u);
  EXPECT_LE(rejection_lines, 2u) << cluster_->logs();
}

}  // namespace
}  // namespace clawnet::e2e
