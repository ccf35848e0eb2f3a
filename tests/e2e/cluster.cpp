#include "tests/e2e/cluster.hpp"

#include "tests/prod/http_client.hpp"

#include "prod/os_random.hpp"
#include "tests/prod/broker_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace clawnet::e2e {

namespace {

const std::string deploy_dir = CLAWNET_DEPLOY_DIR;

std::string shipped_rules(const std::filesystem::path& dynsec_file) {
  return prod::testing::shipped_broker_rules(deploy_dir, dynsec_file);
}

bool port_accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

std::optional<HttpAnswer> http_request(std::uint16_t port, const std::string& method, const std::string& path,
                                       const std::string& body, const std::string& extra_headers) {
  const std::string request = method + " " + path + " HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n" +
                              extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::optional<prod::testing::HttpReply> reply = prod::testing::try_exchange(port, request);
  if (!reply) return std::nullopt;
  return HttpAnswer{reply->status, reply->body, reply->head};
}

std::optional<std::size_t> Player::wait_control(std::size_t from, std::chrono::milliseconds limit) {
  const std::string prefix = "msg " + topic() + " ";
  return process->wait_for_line(
      [&](const std::string& line) { return line.starts_with(prefix) && contains(line, R"("control":true)"); }, limit,
      from);
}

std::optional<int> Player::wait_puback(const std::string& topic_name, std::size_t from) {
  const std::string prefix = "puback " + topic_name + " ";
  const auto index =
      process->wait_for_line([&](const std::string& line) { return line.starts_with(prefix); }, wait_limit, from);
  if (!index.has_value()) return std::nullopt;
  return std::stoi(process->lines().at(*index).text.substr(prefix.size()));
}

Cluster::Cluster(ClusterOptions options) : options_(options) {
  std::string pattern = (std::filesystem::temp_directory_path() / "clawnet-e2e-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
}

Cluster::~Cluster() {
  // Players first, then the daemons, the broker last: each by its PID.
  for (auto& player : players_) player->stop();
  if (clawcab_) clawcab_->stop();
  if (clawd_) clawd_->stop();
  if (broker_) broker_->stop();
  if (pubnub_) pubnub_->stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string Cluster::write_file(const std::string& name, const std::string& text) const {
  const auto path = directory_ / name;
  std::ofstream file(path);
  file << text;
  return path.string();
}

std::optional<std::string> Cluster::start_broker() {
  if (options_.transport == ClusterTransport::pubnub) return start_pubnub();
  const std::string binary = prod::testing::find_mosquitto();
  if (binary.empty()) return "mosquitto binary not found";
  const auto dynsec_file = directory_ / "dynamic-security.json";
  const std::string admin_password = prod::random_hex(16);
  const auto init = prod::testing::run_process(
      {"mosquitto_ctrl", "dynsec", "init", dynsec_file.string(), "admin", admin_password});
  if (init.exit_code != 0) return "mosquitto_ctrl dynsec init: " + init.output;
  broker_port_ = prod::testing::free_loopback_port();
  std::string config;
  // Started as root, mosquitto would drop to user mosquitto and lose our files.
  if (::geteuid() == 0) config += "user root\n";
  config += "listener " + std::to_string(broker_port_) + " 127.0.0.1\n" + shipped_rules(dynsec_file);
  const std::string config_path = write_file("mosquitto.conf", config);
  broker_ = std::make_unique<ChildProcess>();
  if (auto error = broker_->start("mosquitto", {binary, "-c", config_path})) return error;
  if (!poll_until([&] { return port_accepts(broker_port_); }, wait_limit)) return "mosquitto never listened";
  clawd_password_ = prod::random_hex(16);
  clawcab_password_ = prod::random_hex(16);
  const auto setup = prod::testing::run_process(
      {deploy_dir + "/dynsec-setup.sh", "127.0.0.1", std::to_string(broker_port_)},
      {{"CLAWNET_ADMIN_PASSWORD", admin_password}, {"CLAWD_PASSWORD", clawd_password_},
       {"CLAWCAB_PASSWORD", clawcab_password_}});
  if (setup.exit_code != 0) return "dynsec-setup.sh: " + setup.output;
  return std::nullopt;
}

// The fixture with the two key sets, and the keys file the daemons read them from.
std::optional<std::string> Cluster::start_pubnub() {
  const prod::testing::PubnubKeySet players = prod::testing::random_pubnub_keyset(true);
  const prod::testing::PubnubKeySet secure = prod::testing::random_pubnub_keyset(false);
  pubnub_ = std::make_unique<prod::testing::PubnubFixtureProcess>();
  if (auto error = pubnub_->start({players, secure}, {"--presence-min-s", "1", "--subscribe-timeout-s",
                                                      std::to_string(pubnub_subscribe_timeout_s)})) {
    return error;
  }
  broker_port_ = pubnub_->port();
  pubnub_keys_file_ = write_file("pubnub.keys", "players.publish_key = " + players.publish_key +
                                                    "\nplayers.subscribe_key = " + players.subscribe_key +
                                                    "\nplayers.secret_key = " + players.secret_key +
                                                    "\nsecure.publish_key = " + secure.publish_key +
                                                    "\nsecure.subscribe_key = " + secure.subscribe_key + "\n");
  std::filesystem::permissions(pubnub_keys_file_,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return std::nullopt;
}

std::string Cluster::transport_lines(const std::string& daemon) const {
  if (options_.transport == ClusterTransport::pubnub) {
    const std::string heartbeat = std::to_string(pubnub_heartbeat_s);
    return "broker.kind = pubnub\npubnub.origin = 127.0.0.1\npubnub.port = " + std::to_string(broker_port_) +
           "\npubnub.tls = false\npubnub.heartbeat_s = " + heartbeat + "\npubnub.player_heartbeat_s = " + heartbeat +
           "\npubnub.reconnect_min_ms = 100\npubnub.reconnect_max_ms = 1000\npubnub.keys_file = " +
           pubnub_keys_file_ + "\n";
  }
  std::string lines = "broker.host = 127.0.0.1\nbroker.port = " + std::to_string(broker_port_) +
                      "\nbroker.username = " + daemon + "\nbroker.client_id = " + daemon +
                      "\nbroker.keepalive_s = 5\nbroker.reconnect_min_ms = 100\nbroker.reconnect_max_ms = 1000\n";
  if (daemon == "clawd") lines += "broker.player_accounts = dynsec\nbroker.player_keepalive_s = 10\n";
  return lines;
}

std::optional<std::string> Cluster::start_clawd() {
  if (admin_token_.empty()) admin_token_ = prod::random_hex(16);
  const std::string token_path = write_file("admin.token", admin_token_ + "\n");
  std::filesystem::permissions(token_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string config_path = write_file(
      "clawd.conf",
      "server.turn_ms = " + std::to_string(options_.turn_ms) +
          "\nserver.turn_slack_ms = 5000\nserver.grace_ms = 10000\nserver.resend_ms = 500\nserver.ready_ms = " +
          std::to_string(options_.ready_ms) + "\n" + transport_lines("clawd") +
          "http.address = 127.0.0.1\nhttp.port = 0\nhttp.join_rate_per_s = " + std::to_string(options_.join_rate_per_s) +
          "\nhttp.join_burst = " + std::to_string(options_.join_burst) + "\nhttp.admin_token_file = " + token_path +
          "\nserver.queue_length_max = " + std::to_string(options_.queue_length_max) +
          (options_.web_dir.empty() ? "" : "\nweb.dir = " + options_.web_dir) +
          "\nstore.path = " + (directory_ / "queue.sqlite3").string() + "\n");
  if (clawd_) retired_.push_back(std::move(clawd_));
  clawd_ = std::make_unique<ChildProcess>();
  if (auto error = clawd_->start("clawd", {CLAWNET_CLAWD, "--config", config_path},
                                 {{"CLAWNET_BROKER_PASSWORD", clawd_password_}})) {
    return error;
  }
  const std::string marker = "listening for joins on port ";
  const auto line = clawd_->wait_for_line([&](const std::string& text) { return contains(text, marker); }, wait_limit);
  if (!line.has_value()) return "clawd did not listen:\n" + clawd_->output();
  const std::string text = clawd_->lines().at(*line).text;
  http_port_ = static_cast<std::uint16_t>(std::stoi(text.substr(text.find(marker) + marker.size())));
  if (!wait_status([](const boost::json::object& s) { return s.at("broker_link").as_bool(); })) {
    return "clawd never reached the broker:\n" + clawd_->output();
  }
  return std::nullopt;
}

std::optional<std::string> Cluster::start_clawcab() {
  std::string metrics_lines;
  if (options_.clawcab_metrics) {
    if (clawcab_metrics_port_ == 0) clawcab_metrics_port_ = prod::testing::free_loopback_port();
    metrics_lines = "metrics.address = 127.0.0.1\nmetrics.port = " + std::to_string(clawcab_metrics_port_) + "\n";
  }
  const std::string config_path = write_file(
      "clawcab.conf", "claw.deadman_ms = " + std::to_string(options_.deadman_ms) + "\n" +
                          transport_lines("clawcab") + "gpio.backend = simulated\ngpio.sim_seed = 1\n" + metrics_lines);
  if (clawcab_) retired_.push_back(std::move(clawcab_));
  clawcab_ = std::make_unique<ChildProcess>();
  if (auto error = clawcab_->start("clawcab", {CLAWNET_CLAWCAB, "--config", config_path},
                                   {{"CLAWNET_BROKER_PASSWORD", clawcab_password_}})) {
    return error;
  }
  if (!wait_status([](const boost::json::object& s) { return s.at("claw_online").as_bool(); })) {
    return "clawd never saw the claw online:\n" + logs();
  }
  return std::nullopt;
}

std::optional<std::string> Cluster::start_all() {
  if (auto error = start_broker()) return error;
  if (auto error = start_clawd()) return error;
  return start_clawcab();
}

Player Cluster::join_only(const std::string& body) {
  Player player;
  const auto answer = http_request(http_port_, "POST", "/v1/join", body);
  if (!answer.has_value() || answer->status != 200) {
    ADD_FAILURE() << "join failed: " << (answer ? answer->body : "no answer");
    return player;
  }
  boost::system::error_code ec;
  const boost::json::value reply = boost::json::parse(answer->body, ec);
  if (ec || !reply.is_object()) {
    ADD_FAILURE() << "join reply is not JSON: " << answer->body;
    return player;
  }
  player.channel = std::string(reply.at("channel").as_string());
  player.position = reply.at("position").to_number<std::uint64_t>();
  player.player_topic = std::string(reply.at("topics").at("player").as_string());
  player.lobby = std::string(reply.at("topics").at("lobby").as_string());
  player.join_reply = answer->body;
  if (options_.transport == ClusterTransport::pubnub) {
    EXPECT_EQ(reply.at("broker").at("uuid").as_string(), player.channel);
    return player;
  }
  player.password = std::string(reply.at("broker").at("password").as_string());
  EXPECT_EQ(reply.at("broker").at("username").as_string(), player.channel);
  return player;
}

void Cluster::connect(Player& player) {
  if (player.channel.empty()) return;
  auto process = std::make_unique<ChildProcess>();
  const std::string name = "player-" + player.channel.substr(2, 6);
  const auto error =
      options_.transport == ClusterTransport::pubnub
          ? process->start(name, {prod::testing::find_node(), CLAWNET_SDK_PLAYER, player.join_reply})
          : process->start(name, {CLAWNET_E2E_PLAYER, std::to_string(broker_port_), player.channel},
                           {{"E2E_PLAYER_PASSWORD", player.password}});
  EXPECT_FALSE(error.has_value()) << *error;
  player.process = process.get();
  players_.push_back(std::move(process));
  EXPECT_TRUE(player.process->wait_for_line([](const std::string& line) { return line == "up"; }, wait_limit))
      << player.process->output();
}

Player Cluster::join() {
  Player player = join_only();
  connect(player);
  return player;
}

std::optional<HttpAnswer> Cluster::admin(const std::string& method, const std::string& path, const std::string& body,
                                         std::optional<std::string> token) const {
  return http_request(http_port_, method, path, body, "Authorization: Bearer " + token.value_or(admin_token_) + "\r\n");
}

std::optional<boost::json::object> Cluster::admin_queue() const {
  const auto answer = admin("GET", "/v1/admin/queue");
  if (!answer || answer->status != 200) {
    ADD_FAILURE() << "GET /v1/admin/queue: " << (answer ? answer->body : "no answer");
    return std::nullopt;
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(answer->body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return value.as_object();
}

std::optional<boost::json::object> Cluster::status() const {
  if (!clawd_ || !clawd_->running() || http_port_ == 0) return std::nullopt;
  const auto answer = http_request(http_port_, "GET", "/v1/status");
  if (!answer.has_value() || answer->status != 200) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(answer->body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return value.as_object();
}

bool Cluster::wait_status(const std::function<bool(const boost::json::object&)>& holds,
                          std::chrono::milliseconds limit) const {
  return poll_until(
      [&] {
        const auto current = status();
        return current.has_value() && holds(*current);
      },
      limit);
}

std::string Cluster::logs() const {
  std::string text;
  if (broker_) text += broker_->output();
  if (pubnub_) text += pubnub_->output();
  for (const auto& old : retired_) text += old->output();
  if (clawd_) text += clawd_->output();
  if (clawcab_) text += clawcab_->output();
  for (const auto& player : players_) text += player->output();
  return text;
}

std::set<std::string> motors_on(const std::vector<OutputLine>& clawcab_lines, std::size_t until) {
  static const std::map<std::string, std::string> motor_into = {
      {"limit_up", "gantry_up"},     {"limit_down", "gantry_down"},  {"limit_left", "gantry_left"},
      {"limit_right", "gantry_right"}, {"claw_bottom", "claw_lower"}, {"claw_top", "claw_raise"}};
  std::set<std::string> on;
  for (std::size_t i = 0; i < until && i < clawcab_lines.size(); ++i) {
    std::istringstream words(clawcab_lines[i].text);
    std::string program, gpio, kind, name, state;
    words >> program >> gpio >> kind >> name >> state;
    if (gpio != "gpio:") continue;
    if (kind == "motor" && state == "on" && words.eof()) on.insert(name);  // "... refused: ..." is not on.
    if (kind == "motor" && state == "off") on.erase(name);
    if (kind == "switch" && state == "pressed" && motor_into.contains(name)) on.erase(motor_into.at(name));
  }
  return on;
}

}  // namespace clawnet::e2e
