// Cluster: the whole clawnet deployment on one machine, for the end-to-end tests.
//
// On MQTT: a real mosquitto on a free loopback port with the shipped rules
// (deploy/mosquitto.conf's rule lines + deploy/dynsec-setup.sh), and players as
// e2e_player processes. On PubNub: the PubNub-protocol fixture (tests/pubnub)
// with two random key sets (the players', Access Manager on; the secure one),
// and players on the official PubNub SDK (tests/pubnub/sdk_player.js). Both: the
// real clawd and clawcab binaries (simulated GPIO) with configs in a temporary
// directory; players join through clawd's HTTP API and connect with what it
// returns. Every process is a ChildProcess: stopped by its PID
// (SIGTERM, then SIGKILL) when the Cluster is destroyed, also after a failure.
// Waits are bounded: each returns as soon as its condition holds.
#pragma once

#include "tests/e2e/child_process.hpp"
#include "tests/prod/pubnub_fixture_process.hpp"

#include <boost/json.hpp>

#include <functional>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clawnet::e2e {

// Guard against a hang, not a timing assertion.
inline constexpr auto wait_limit = std::chrono::seconds(20);

enum class ClusterTransport : std::uint8_t { mqtt, pubnub };

// The PubNub presence timeout of players and daemons in a PubNub cluster (the
// fixture takes values below PubNub's 20 s), and how long it holds an idle poll.
inline constexpr std::int64_t pubnub_heartbeat_s = 4;
inline constexpr std::int64_t pubnub_subscribe_timeout_s = 5;

struct ClusterOptions {
  ClusterTransport transport = ClusterTransport::mqtt;
  std::int64_t turn_ms = 5000;
  std::int64_t deadman_ms = 600;
  std::int64_t ready_ms = 0;     // clawd's server.ready_ms: 0, no ready check.
  std::int64_t join_rate_per_s = 1;  // clawd's per-IP join limit (every test joins from 127.0.0.1)...
  std::int64_t join_burst = 20;      // ... and its burst.
  bool clawcab_metrics = false;  // clawcab's metrics.port on a free loopback port.
  std::int64_t queue_length_max = 100'000;  // clawd's server.queue_length_max.
  std::string web_dir{};  // clawd's web.dir; empty: no pages.
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string head;  // The status line and headers, as sent.
};
// One request on a fresh connection; nullopt if nothing answered.
std::optional<HttpAnswer> http_request(std::uint16_t port, const std::string& method, const std::string& path,
                                       const std::string& body = "", const std::string& extra_headers = "");

struct Player {
  std::string channel;
  std::uint64_t position = 0;  // As told in the join reply.
  std::string password;       // Its broker password, from the join reply (MQTT).
  std::string player_topic;   // Its own topic (MQTT) or PubNub channel, from the join reply.
  std::string lobby;          // The lobby's, likewise.
  std::string join_reply;     // The whole reply (what sdk_player.js connects with).
  ChildProcess* process = nullptr;  // Owned by the Cluster.

  const std::string& topic() const { return player_topic; }
  // The index of its next {"control":true} line from `from` on, within `limit`.
  std::optional<std::size_t> wait_control(std::size_t from = 0, std::chrono::milliseconds limit = wait_limit);
  // The REASON of its next "puback TOPIC REASON" line for `topic`: MQTT's reason
  // code, or PubNub's HTTP status.
  std::optional<int> wait_puback(const std::string& topic, std::size_t from);
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options = {});
  ~Cluster();

  // Each returns an error text, or nullopt when the piece is up.
  std::optional<std::string> start_broker();
  std::optional<std::string> start_clawd();    // Ready: /v1/status says broker_link.
  std::optional<std::string> start_clawcab();  // Ready: clawd says claw_online.
  std::optional<std::string> start_all();

  // Joins through POST /v1/join with `body` (the player stays absent until connected).
  Player join_only(const std::string& body = "");
  // Starts the player's process and waits for "up" (connected, subscribed, present).
  void connect(Player& player);
  Player join();
  std::optional<boost::json::object> status() const;
  // A request to clawd's admin API (/v1/admin/...) with the cluster's bearer token,
  // or with `token` instead when given.
  std::optional<HttpAnswer> admin(const std::string& method, const std::string& path, const std::string& body = "",
                                  std::optional<std::string> token = std::nullopt) const;
  // GET /v1/admin/queue, parsed; nullopt (and a test failure) if it does not answer 200.
  std::optional<boost::json::object> admin_queue() const;
  // Polls /v1/status until `holds` or the limit passes.
  bool wait_status(const std::function<bool(const boost::json::object&)>& holds,
                   std::chrono::milliseconds limit = wait_limit) const;

  std::uint16_t http_port() const { return http_port_; }
  // The broker's port, or the PubNub fixture's.
  std::uint16_t broker_port() const { return broker_port_; }
  std::uint16_t clawcab_metrics_port() const { return clawcab_metrics_port_; }
  // Mosquitto, or the PubNub fixture.
  ChildProcess& broker() { return pubnub_ ? pubnub_->process() : *broker_; }
  ChildProcess& clawd() { return *clawd_; }
  ChildProcess& clawcab() { return *clawcab_; }
  const ClusterOptions& options() const { return options_; }
  // Every process's output, for failure messages.
  std::string logs() const;

 private:
  std::string write_file(const std::string& name, const std::string& text) const;
  std::optional<std::string> start_pubnub();
  // The broker.* (or pubnub.*) config lines of `daemon` ("clawd" or "clawcab").
  std::string transport_lines(const std::string& daemon) const;

  ClusterOptions options_;
  std::filesystem::path directory_;
  std::uint16_t broker_port_ = 0;
  std::uint16_t http_port_ = 0;
  std::uint16_t clawcab_metrics_port_ = 0;
  std::string clawd_password_;
  std::string admin_token_;  // clawd's http.admin_token_file holds it.
  std::string clawcab_password_;
  std::unique_ptr<ChildProcess> broker_;
  std::unique_ptr<prod::testing::PubnubFixtureProcess> pubnub_;
  std::string pubnub_keys_file_;
  std::unique_ptr<ChildProcess> clawd_;
  std::unique_ptr<ChildProcess> clawcab_;
  std::vector<std::unique_ptr<ChildProcess>> retired_;  // Earlier runs of restarted daemons, for the logs.
  std::vector<std::unique_ptr<ChildProcess>> players_;
};

// Motor states as clawcab's simulated GPIO reports them ("gpio: motor M on|off";
// "gpio: switch S pressed" stops the motor running into S).
std::set<std::string> motors_on(const std::vector<OutputLine>& clawcab_lines, std::size_t until);

}  // namespace clawnet::e2e
