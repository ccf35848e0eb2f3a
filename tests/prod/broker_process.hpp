// BrokerProcess: a real mosquitto on a free loopback port, for tests.
//
// start() writes a config (the listener line plus the caller's lines) into a fresh
// temporary directory, starts `mosquitto -c` as a child process, and returns once
// an MQTT CONNECT gets a CONNACK (any reason: the broker is serving). stop() sends
// SIGTERM to that PID (SIGKILL after 5 s) and reaps it. The destructor stops it.
// find_mosquitto() returns an empty string when the binary is missing: tests then
// GTEST_SKIP with that message.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clawnet::prod::testing {

std::string find_mosquitto();
// The rule lines of the shipped broker config (deploy/mosquitto.conf), its
// listeners and state paths left out: tests add their own (a free loopback
// port, a temporary directory) and point the plugin at `dynsec_file`.
std::string shipped_broker_rules(const std::filesystem::path& deploy_dir, const std::filesystem::path& dynsec_file);
// A port that was free on 127.0.0.1 a moment ago.
std::uint16_t free_loopback_port();

struct ProcessResult {
  int exit_code = -1;  // -1: did not exit normally.
  std::string output;  // stdout and stderr together.
};
// Runs `argv` (argv[0] looked up in PATH) with `environment` added, waits for it.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& environment = {});

class BrokerProcess {
 public:
  BrokerProcess();
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Returns an error text, or nullopt once the broker answers CONNECT.
  // `port` 0 picks a free one; a restart may reuse the previous port.
  std::optional<std::string> start(const std::string& config_lines, std::uint16_t port = 0);
  void stop();

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& directory() const { return directory_; }
  std::string log() const;

 private:
  std::filesystem::path directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace clawnet::prod::testing
