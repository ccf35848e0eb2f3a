// ClusterTest: the fixture of the end-to-end suites. Each test starts its own
// Cluster (start()); the test skips when the mosquitto binary is missing, and a
// failing test prints every process's output.
#pragma once

#include "tests/e2e/cluster.hpp"
#include "tests/prod/broker_process.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace clawnet::e2e {

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (prod::testing::find_mosquitto().empty()) GTEST_SKIP() << "mosquitto binary not found: install mosquitto";
  }
  void TearDown() override {
    if (HasFailure() && cluster_) std::cout << "---- process output ----\n" << cluster_->logs();
  }

  void start(ClusterOptions options = {}) {
    cluster_ = std::make_unique<Cluster>(options);
    const auto error = cluster_->start_all();
    ASSERT_FALSE(error.has_value()) << *error << "\n" << cluster_->logs();
  }

  // A clawcab log line containing `text`, from line `from` on.
  std::optional<std::size_t> clawcab_line(const std::string& text, std::size_t from = 0,
                                          std::chrono::milliseconds limit = wait_limit) {
    return cluster_->clawcab().wait_for_line(
        [&](const std::string& line) { return line.find(text) != std::string::npos; }, limit, from);
  }

  // A line from `player` on its own topic that contains `text`, from line `from` on.
  std::optional<std::size_t> player_line(Player& player, const std::string& text, std::size_t from = 0,
                                         std::chrono::milliseconds limit = wait_limit) {
    const std::string prefix = "msg " + player.topic() + " ";
    return player.process->wait_for_line(
        [&](const std::string& line) { return line.starts_with(prefix) && line.find(text) != std::string::npos; },
        limit, from);
  }

  std::unique_ptr<Cluster> cluster_;
};

}  // namespace clawnet::e2e
