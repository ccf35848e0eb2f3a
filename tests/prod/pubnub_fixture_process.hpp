// PubnubFixtureProcess: the PubNub-protocol test server (tests/pubnub/fixture.js)
// as a child process of a test, on a free loopback port.
//
// start() writes the key sets to a keys file in a fresh temporary directory, runs
// `node fixture.js --port 0 --port-file F --keys-file K ...`, and returns once the
// fixture printed the port it listens on. stop() ends it by its PID (SIGTERM, then
// SIGKILL); the destructor stops it. find_node() returns an empty string when Node
// is missing: tests then GTEST_SKIP with that message.
#pragma once

#include "tests/e2e/child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::prod::testing {

// One PubNub key set. The keys are random at every test run: none is ever stored.
struct PubnubKeySet {
  std::string publish_key;
  std::string subscribe_key;
  std::string secret_key;
  bool access_manager = true;  // Requests need a token or a signature.
};

PubnubKeySet random_pubnub_keyset(bool access_manager = true);
std::string find_node();

class PubnubFixtureProcess {
 public:
  PubnubFixtureProcess() = default;
  ~PubnubFixtureProcess();
  PubnubFixtureProcess(const PubnubFixtureProcess&) = delete;
  PubnubFixtureProcess& operator=(const PubnubFixtureProcess&) = delete;

  // Returns an error text, or nullopt once the fixture listens. `extra_args` go
  // to fixture.js as they are (for example {"--presence-timeout-s", "2"}).
  std::optional<std::string> start(const std::vector<PubnubKeySet>& keysets,
                                   const std::vector<std::string>& extra_args = {});
  void stop();

  std::uint16_t port() const { return port_; }
  std::string output() const { return process_.output(); }
  // The fixture's process, to freeze or kill.
  e2e::ChildProcess& process() { return process_; }

 private:
  e2e::ChildProcess process_;
  std::filesystem::path directory_;
  std::uint16_t port_ = 0;
};

}  // namespace clawnet::prod::testing
