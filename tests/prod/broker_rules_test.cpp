// The shipped broker rules (deploy/mosquitto.conf + deploy/dynsec-setup.sh) on a
// real mosquitto: only clawd and clawcab use the secure topic; each player reads
// and writes only its own channel; refusals are visible over MQTT 5 (0x87).
#include "prod/broker_accounts.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/os_random.hpp"
#include "prod/topics.hpp"

#include "tests/prod/broker_process.hpp"
#include "tests/prod/mqtt_test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <map>
#include <sstream>

namespace clawnet::prod {
namespace {

using testing::BrokerProcess;
using testing::run_until;

const std::string deploy_dir = CLAWNET_DEPLOY_DIR;

std::string shipped_rules(const std::filesystem::path& dynsec_file) {
  return testing::shipped_broker_rules(deploy_dir, dynsec_file);
}

struct Endpoint {
  std::vector<std::pair<std::string, std::string>> messages;
  std::map<std::string, bool> subscribed;
  std::map<int, int> publish_reasons;
  std::vector<bool> links;
  std::vector<std::string> errors;
  std::unique_ptr<MqttTransport> transport;

  Endpoint(boost::asio::io_context& io, std::uint16_t port, std::string username, std::string password,
           std::string client_id, std::optional<MqttWill> will = std::nullopt) {
    MqttOptions options;
    options.port = port;
    options.client_id = std::move(client_id);
    options.username = std::move(username);
    options.password = std::move(password);
    options.reconnect_min_ms = 50;
    options.reconnect_max_ms = 200;
    options.will = std::move(will);
    MqttCallbacks callbacks;
    callbacks.on_message = [this](std::string_view t, std::string_view p) { messages.emplace_back(t, p); };
    callbacks.on_link = [this](bool up) { links.push_back(up); };
    callbacks.on_subscribed = [this](std::string_view f, bool granted) { subscribed[std::string(f)] = granted; };
    callbacks.on_publish_result = [this](int id, int reason) { publish_reasons[id] = reason; };
    callbacks.on_error = [this](std::string_view text) { errors.emplace_back(text); };
    transport = std::make_unique<MqttTransport>(io, options, callbacks);
    transport->start();
  }
  bool received(std::string_view topic, std::string_view payload) const {
    for (const auto& [t, p] : messages) {
      if (t == topic && p == payload) return true;
    }
    return false;
  }
};

class BrokerRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::find_mosquitto().empty()) GTEST_SKIP() << "mosquitto binary not found: install mosquitto";
    const auto dynsec_file = broker_.directory() / "dynamic-security.json";
    admin_password_ = random_hex(16);
    const auto init = testing::run_process(
        {"mosquitto_ctrl", "dynsec", "init", dynsec_file.string(), "admin", admin_password_});
    ASSERT_EQ(init.exit_code, 0) << "mosquitto_ctrl dynsec init: " << init.output;
    const auto error = broker_.start(shipped_rules(dynsec_file));
    ASSERT_FALSE(error.has_value()) << *error;
    clawd_password_ = random_hex(16);
    clawcab_password_ = random_hex(16);
    const auto setup = testing::run_process(
        {deploy_dir + "/dynsec-setup.sh", "127.0.0.1", std::to_string(broker_.port())},
        {{"CLAWNET_ADMIN_PASSWORD", admin_password_},
         {"CLAWD_PASSWORD", clawd_password_},
         {"CLAWCAB_PASSWORD", clawcab_password_}});
    ASSERT_EQ(setup.exit_code, 0) << setup.output;

    clawd_ = std::make_unique<Endpoint>(io_, broker_.port(), "clawd", clawd_password_, "clawd");
    clawd_->transport->subscribe(control_response_topic(), 1);
    clawd_->transport->subscribe("clawnet/clawcomm", 1);
    clawcab_ = std::make_unique<Endpoint>(io_, broker_.port(), "clawcab", clawcab_password_, "clawcab",
                                          MqttWill{"clawnet/clawcomm/status", R"({"status":"CLAW_OFFLINE"})", 1, true});
    clawcab_->transport->subscribe("clawnet/clawcomm", 1);
    ASSERT_TRUE(run_until(io_, [&] { return clawd_->subscribed.size() == 2 && clawcab_->subscribed.size() == 1; }))
        << broker_.log();
  }

  // Creates a player account the way clawd does; returns its credentials.
  PlayerCredentials create_player() {
    const std::string channel = new_player_channel();
    PlayerCredentials credentials{channel, random_hex(16), channel};
    const std::string correlation = "join-" + channel;
    const std::size_t before = clawd_->messages.size();
    clawd_->transport->publish(control_topic(), create_player_request(topics_, credentials, correlation), 1, false);
    const bool answered = run_until(io_, [&] { return clawd_->messages.size() > before; });
    EXPECT_TRUE(answered) << "no dynamic-security response";
    if (!answered) return credentials;
    const auto parsed = parse_control_response(clawd_->messages.back().second);
    const auto* answers = std::get_if<std::vector<ControlAnswer>>(&parsed);
    EXPECT_NE(answers, nullptr) << clawd_->messages.back().second;
    if (answers == nullptr) return credentials;
    EXPECT_EQ(answers->size(), 2u);
    for (const ControlAnswer& answer : *answers) {
      EXPECT_FALSE(answer.error.has_value()) << answer.command << ": " << *answer.error;
      EXPECT_TRUE(answer.correlation.starts_with(correlation));
    }
    return credentials;
  }

  std::unique_ptr<Endpoint> connect_player(const PlayerCredentials& player) {
    auto endpoint = std::make_unique<Endpoint>(io_, broker_.port(), player.username, player.password, player.client_id);
    EXPECT_TRUE(run_until(io_, [&] { return endpoint->transport->link_up(); })) << broker_.log();
    return endpoint;
  }

  // Publishes at QoS 1 and returns the broker's PUBACK reason. Below 0x80 is
  // success (0x10 "no matching subscribers" included).
  int publish_reason(Endpoint& from, const std::string& topic, const std::string& payload) {
    const auto id = from.transport->publish(topic, payload, 1, false);
    EXPECT_TRUE(id.has_value());
    if (!id.has_value()) return -1;
    EXPECT_TRUE(run_until(io_, [&] { return from.publish_reasons.contains(*id); }));
    return from.publish_reasons.contains(*id) ? from.publish_reasons.at(*id) : -1;
  }

  bool subscribe_granted(Endpoint& who, const std::string& filter) {
    who.transport->subscribe(filter, 1);
    EXPECT_TRUE(run_until(io_, [&] { return who.subscribed.contains(filter); }));
    return who.subscribed.contains(filter) && who.subscribed.at(filter);
  }

  boost::asio::io_context io_;
  BrokerProcess broker_;
  TopicMap topics_{"clawnet"};
  std::string admin_password_;
  std::string clawd_password_;
  std::string clawcab_password_;
  std::unique_ptr<Endpoint> clawd_;
  std::unique_ptr<Endpoint> clawcab_;
};

TEST_F(BrokerRulesTest, DaemonsShareTheSecureTopic) {
  EXPECT_LT(publish_reason(*clawd_, "clawnet/clawcomm", "from clawd"), 0x80);
  EXPECT_TRUE(run_until(io_, [&] { return clawcab_->received("clawnet/clawcomm", "from clawd"); }));
  EXPECT_LT(publish_reason(*clawcab_, "clawnet/clawcomm", "from clawcab"), 0x80);
  EXPECT_TRUE(run_until(io_, [&] { return clawd_->received("clawnet/clawcomm", "from clawcab"); }));
  EXPECT_LT(publish_reason(*clawcab_, "clawnet/clawcomm/status", R"({"status":"CLAW_READY","turn":0})"), 0x80);
}

TEST_F(BrokerRulesTest, APlayerUsesItsOwnChannel) {
  const PlayerCredentials credentials = create_player();
  const std::string own = *topics_.topic_of(credentials.username);
  ASSERT_TRUE(subscribe_granted(*clawcab_, own));
  auto player = connect_player(credentials);
  ASSERT_TRUE(subscribe_granted(*player, own));
  EXPECT_TRUE(subscribe_granted(*player, "clawnet/lobby"));
  EXPECT_LT(publish_reason(*player, own, R"({"command":"upOn","turn":1,"seq":1})"), 0x80);
  EXPECT_TRUE(run_until(io_, [&] { return clawcab_->received(own, R"({"command":"upOn","turn":1,"seq":1})"); }));
  EXPECT_LT(publish_reason(*clawcab_, own, R"({"control":true,"turn":1,"turn_ms":30000})"), 0x80);
  EXPECT_TRUE(run_until(io_, [&] { return player->received(own, R"({"control":true,"turn":1,"turn_ms":30000})"); }));
  EXPECT_LT(publish_reason(*player, topics_.presence_topic(credentials.username), "join"), 0x80);
}

// The ready check: clawd reads the answer on the player's own channel.
TEST_F(BrokerRulesTest, ClawdReadsAPlayersReadyAnswer) {
  const PlayerCredentials credentials = create_player();
  const std::string own = *topics_.topic_of(credentials.username);
  ASSERT_TRUE(subscribe_granted(*clawd_, own));
  auto player = connect_player(credentials);
  EXPECT_LT(publish_reason(*player, own, R"({"ready":true})"), 0x80);
  EXPECT_TRUE(run_until(io_, [&] { return clawd_->received(own, R"({"ready":true})"); }));
}

// clawd may clear a departed player's retained presence (an empty message on its topic).
TEST_F(BrokerRulesTest, ClawdClearsAPlayersPresence) {
  const PlayerCredentials credentials = create_player();
  EXPECT_LT(publish_reason(*clawd_, topics_.presence_topic(credentials.username), ""), 0x80);
}

TEST_F(BrokerRulesTest, APlayerIsRefusedTheSecureTopic) {
  auto player = connect_player(create_player());
  EXPECT_EQ(publish_reason(*player, "clawnet/clawcomm", R"({"status":"CLAW_READY","turn":0})"),
            mqtt_reason_not_authorized);
  EXPECT_EQ(publish_reason(*player, "clawnet/clawcomm/status", R"({"status":"CLAW_OFFLINE"})"),
            mqtt_reason_not_authorized);
  EXPECT_EQ(publish_reason(*player, "clawnet/lobby", R"({"claw":"CLAW_OFFLINE"})"), mqtt_reason_not_authorized);
  EXPECT_FALSE(subscribe_granted(*player, "clawnet/clawcomm"));
  EXPECT_FALSE(subscribe_granted(*player, "clawnet/#"));
  EXPECT_FALSE(subscribe_granted(*player, "#"));
}

TEST_F(BrokerRulesTest, APlayerIsRefusedAnotherPlayersChannel) {
  const PlayerCredentials first = create_player();
  const PlayerCredentials second = create_player();
  auto player = connect_player(first);
  const std::string other = *topics_.topic_of(second.username);
  EXPECT_EQ(publish_reason(*player, other, R"({"command":"drop","turn":1,"seq":1})"), mqtt_reason_not_authorized);
  EXPECT_EQ(publish_reason(*player, topics_.presence_topic(second.username), "leave"), mqtt_reason_not_authorized);
  EXPECT_FALSE(subscribe_granted(*player, other));
  EXPECT_FALSE(subscribe_granted(*player, "clawnet/player/+"));
}

TEST_F(BrokerRulesTest, CredentialsAreBoundToTheChannel) {
  PlayerCredentials credentials = create_player();
  // Wrong password.
  Endpoint wrong_password(io_, broker_.port(), credentials.username, "not-the-password", credentials.client_id);
  // Right password, another client id (for example a daemon's, to take its session over).
  Endpoint wrong_id(io_, broker_.port(), credentials.username, credentials.password, "clawcab");
  EXPECT_TRUE(run_until(io_, [&] { return !wrong_password.errors.empty() && !wrong_id.errors.empty(); }));
  EXPECT_TRUE(wrong_password.links.empty());
  EXPECT_TRUE(wrong_id.links.empty());
  EXPECT_TRUE(clawcab_->transport->link_up());
}

TEST_F(BrokerRulesTest, AKilledPlayersWillTellsClawdItIsGone) {
  const PlayerCredentials credentials = create_player();
  const std::string presence = topics_.presence_topic(credentials.username);
  ASSERT_TRUE(subscribe_granted(*clawd_, topics_.presence_filter()));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int quiet = ::open("/dev/null", O_WRONLY);
    if (quiet >= 0) ::dup2(quiet, STDOUT_FILENO);
    ::setenv("CLAWNET_TEST_USERNAME", credentials.username.c_str(), 1);
    ::setenv("CLAWNET_TEST_PASSWORD", credentials.password.c_str(), 1);
    const std::string port = std::to_string(broker_.port());
    ::execl(CLAWNET_WILL_CLIENT, CLAWNET_WILL_CLIENT, port.c_str(), credentials.client_id.c_str(), presence.c_str(),
            "timeout", "join", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const bool joined = run_until(io_, [&] { return clawd_->received(presence, "join"); });
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(joined) << broker_.log();
  EXPECT_TRUE(run_until(io_, [&] { return clawd_->received(presence, "timeout"); }));
}

TEST_F(BrokerRulesTest, DeletingAPlayerDisconnectsIt) {
  const PlayerCredentials credentials = create_player();
  auto player = connect_player(credentials);
  clawd_->transport->publish(control_topic(), delete_player_request(credentials.username, "leave"), 1, false);
  EXPECT_TRUE(run_until(io_, [&] { return player->links == std::vector<bool>{true, false}; }));
}

}  // namespace
}  // namespace clawnet::prod
