// Config: the one configuration file of clawd and clawcab (docs/config.md is its spec).
//
// Format: UTF-8 text, one `key = value` per line; `#` starts a comment line; blank
// lines are ignored; whitespace around key and value is trimmed. Every key is known
// (an unknown key is an error), appears at most once, and has a documented default.
//
// Contract:
//  - parse_config() never throws; an invalid line yields a ConfigError naming the
//    key (when there is one), the line number and what was wrong.
//  - Secrets are never read from the file itself: `broker.password` and
//    `http.admin_token` are refused; resolve_secrets() takes the broker password from
//    the environment variable CLAWNET_BROKER_PASSWORD, else from the file named by
//    `broker.password_file`, the admin token from `http.admin_token_file`, and
//    PubNub's keys from `pubnub.keys_file`.
//  - The `server.*` and `claw.*` keys are the rows of core's field tables
//    (core/machine_config.hpp): each is refused outside its range as it is read.
//  - validate_config() (config_validate.cpp) applies the core machines' own
//    validate() to the server and claw sections (for the rules between fields)
//    and names the key of the field it refuses.
// Not thread-safe (plain values).
#pragma once

#include "core/claw_machine.hpp"
#include "core/effects.hpp"
#include "core/machine_config.hpp"
#include "core/server_machine.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace clawnet::prod {

// Which network carries the channels (prod/transport.hpp).
enum class TransportKind : std::uint8_t { mqtt, pubnub };

struct BrokerConfig {
  TransportKind kind = TransportKind::mqtt;
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  std::string client_id;      // Empty: the daemon's name ("clawd" / "clawcab").
  std::string username;       // Empty: connect without credentials.
  std::string password_file;  // Read by resolve_secrets(); never the secret itself.
  std::string password;       // Filled by resolve_secrets() only.
  std::int64_t keepalive_s = 10;
  std::int64_t reconnect_min_ms = 250;
  std::int64_t reconnect_max_ms = 10'000;
  std::string topic_prefix = "clawnet";
  // Players must connect with a keepalive of at most this (the broker's
  // max_keepalive); their presence times out after 1.5 x this.
  std::int64_t player_keepalive_s = 10;
  // clawd creates a broker account per player (dynsec), or none (an open
  // development broker; join replies then carry no password).
  bool player_accounts = true;
};

// One PubNub key set.
struct PubnubKeys {
  std::string publish_key;
  std::string subscribe_key;
  std::string secret_key;  // Empty: none (only the secure key set may go without).
};

// The PubNub transport, with broker.kind = pubnub (docs/deploy.md, "PubNub").
struct PubnubConfig {
  std::string origin = "ps.pndsn.com";  // Host name or address, no scheme.
  std::uint16_t port = 443;
  bool tls = true;      // With certificate verification, always.
  std::string ca_file;  // Empty: the system's roots.
  // Where players' clients reach PubNub ("host" or "host:port"); empty: origin,
  // with the port unless it is the scheme's own.
  std::string client_origin;
  std::string channel_prefix = "clawnet.";  // Before every channel name.
  std::string uuid;                         // Empty: the daemon's name ("clawd" / "clawcab").
  std::string claw_uuid = "clawcab";        // clawd: whose presence on the secure channel is the claw's.
  std::int64_t heartbeat_s = 20;            // The daemons' presence timeout (PubNub's least is 20).
  std::int64_t player_heartbeat_s = 20;     // The players' (told in the join reply).
  std::int64_t grant_ttl_minutes = 120;     // A player's token lasts this long.
  std::int64_t reconnect_min_ms = 250;
  std::int64_t reconnect_max_ms = 10'000;
  // `players.*` and `secure.*` keys, one `name = value` per line; read by
  // resolve_secrets(), never the keys themselves.
  std::string keys_file;
  PubnubKeys players;  // Filled by resolve_secrets() only: the lobby and player channels.
  PubnubKeys secure;   // Filled by resolve_secrets() only: the secure channel.
};

struct HttpConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t body_bytes_max = 1024;
  std::size_t header_bytes_max = 8192;
  std::int64_t request_timeout_ms = 5'000;
  // Open connections at once; more get 503 and are closed.
  std::size_t connections_max = 1'000;
  // Token bucket per client IP address: `join_burst` joins at once, then one
  // every 1000 / join_rate_per_s ms.
  std::int64_t join_rate_per_s = 1;
  std::int64_t join_burst = 5;
  std::size_t clients_tracked_max = 10'000;
  // The operators' bearer token for /v1/admin/* is read from this file by
  // resolve_secrets() (never from the config itself). Empty: no admin API.
  std::string admin_token_file;
  std::string admin_token;  // Filled by resolve_secrets() only.
};

enum class GpioBackend : std::uint8_t { simulated, libgpiod };

struct GpioLine {
  std::optional<std::uint32_t> offset;  // Unset: not connected.
  bool active_low = false;
};

struct GpioConfig {
  GpioBackend backend = GpioBackend::simulated;
  std::string chip = "gpiochip0";
  std::string consumer = "clawcab";
  std::int64_t debounce_ms = 5;
  std::uint64_t sim_seed = 1;  // The simulated cabinet's prize placement and grabs.
  std::array<GpioLine, motor_count> motors{};
  std::array<GpioLine, switch_count> switches{};
};

// clawcab's own HTTP port for GET /metrics; port 0 (the default) switches it off.
struct MetricsConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
};

// What a browser needs to show the camera (prod/web_routes.hpp): an MJPEG stream in an
// <img>, a video file or stream a <video> plays, or a player page (WebRTC/WHEP, HLS) in
// an <iframe>. Streaming itself is not clawnet's.
enum class CameraKind : std::uint8_t { none, mjpeg, video, page };
std::string_view to_string(CameraKind kind);

// clawd's web pages for players and spectators (docs/web.md).
struct WebConfig {
  std::string dir;  // The web app's files (the repository's web/); empty: no pages, the API only.
  // The broker's websockets URL for browsers; "{host}" stands for the host the page
  // was loaded from.
  std::string broker_url = "ws://{host}:8083";
  CameraKind camera_kind = CameraKind::none;
  std::string camera_url;  // http:// or https://; required unless camera_kind is none.
};

struct StoreConfig {
  std::string path = "/var/lib/clawnet/queue.sqlite3";
  // Group commit (prod/group_commit.hpp): at most this many writes share a commit...
  std::size_t commit_writes_max = 1'000;
  // ... which waits this long after its first write for more; 0: until the event loop
  // has run what is already ready (no added latency when quiet).
  std::int64_t commit_wait_us = 0;
  // The claw's records of the newest this-many turns are kept; older ones are pruned.
  std::size_t turn_records_kept = 1'000;
  // Finished players, ended turns and admin actions kept (the newest); older ones are pruned.
  std::size_t history_kept = 10'000;
};

struct Config {
  ServerConfig server;
  ClawConfig claw;
  BrokerConfig broker;
  PubnubConfig pubnub;
  HttpConfig http;
  GpioConfig gpio;
  StoreConfig store;
  MetricsConfig metrics;
  WebConfig web;
  std::string origin;  // Where the text came from, for error messages.
  // The line each key was set on, for error messages found after parsing.
  std::map<std::string, int, std::less<>> key_lines;
};

struct ConfigError {
  std::string origin;  // File name, or what the text came from.
  int line = 0;        // 0: not tied to a line.
  std::string key;     // Empty: not tied to a key.
  std::string message;
  // "origin:line: key 'k': message"
  std::string describe() const;
};

using ConfigResult = std::variant<Config, ConfigError>;

// Parses `text`; `origin` names it in errors.
ConfigResult parse_config(std::string_view text, std::string_view origin);
// Reads and parses the file at `path`.
ConfigResult load_config_file(const std::string& path);

// Reads the broker password: `environment_password` (the value of
// CLAWNET_BROKER_PASSWORD, if set) wins; else broker.password_file if set. Then the
// admin token from http.admin_token_file, if set: at least 16 bytes. Then, with
// broker.kind = pubnub, the key sets from pubnub.keys_file (players.publish_key,
// players.subscribe_key, players.secret_key, secure.publish_key,
// secure.subscribe_key and, if it has one, secure.secret_key). A secret file must
// not be readable by others (mode & 0004); a trailing newline is dropped.
std::optional<ConfigError> resolve_secrets(Config& config,
                                           std::optional<std::string> environment_password);

// Applies the core validate() functions and cross-key checks.
std::optional<ConfigError> validate_config(const Config& config, std::string_view origin);

// Names used in keys: gpio.motor.<name>, gpio.switch.<name>.
std::string_view motor_key_name(Motor motor);
std::string_view switch_key_name(Switch which);

}  // namespace clawnet::prod
