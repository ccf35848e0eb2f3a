// MqttTransport against a real mosquitto on a free loopback port.
#include "prod/mqtt_transport.hpp"

#include "tests/prod/broker_process.hpp"
#include "tests/prod/mqtt_test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace clawnet::prod {
namespace {

using testing::BrokerProcess;
using testing::run_until;

constexpr const char* anonymous_broker = "allow_anonymous true\n";

struct Received {
  std::string topic;
  std::string payload;
};

// One transport plus everything its callbacks reported.
struct Client {
  Client(boost::asio::io_context& io, std::uint16_t port, std::string client_id,
         std::optional<MqttWill> will = std::nullopt) {
    MqttOptions options;
    options.port = port;
    options.client_id = std::move(client_id);
    options.reconnect_min_ms = 20;
    options.reconnect_max_ms = 200;
    options.will = std::move(will);
    MqttCallbacks callbacks;
    callbacks.on_message = [this](std::string_view topic, std::string_view payload) {
      messages.push_back({std::string(topic), std::string(payload)});
    };
    callbacks.on_link = [this](bool up) { links.push_back(up); };
    callbacks.on_subscribed = [this](std::string_view filter, bool granted) {
      subscribed.push_back(std::string(filter) + (granted ? "" : " refused"));
    };
    callbacks.on_publish_result = [this](int id, int reason) { publish_results.emplace_back(id, reason); };
    transport = std::make_unique<MqttTransport>(io, options, callbacks);
  }
  bool has_message(std::string_view topic, std::string_view payload) const {
    for (const Received& m : messages) {
      if (m.topic == topic && m.payload == payload) return true;
    }
    return false;
  }
  std::vector<Received> messages;
  std::vector<bool> links;
  std::vector<std::string> subscribed;
  std::vector<std::pair<int, int>> publish_results;
  std::unique_ptr<MqttTransport> transport;
};

class MqttTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::find_mosquitto().empty()) GTEST_SKIP() << "mosquitto binary not found: install mosquitto";
    const auto error = broker_.start(anonymous_broker);
    ASSERT_FALSE(error.has_value()) << *error;
  }
  boost::asio::io_context io_;
  BrokerProcess broker_;
};

TEST_F(MqttTransportTest, SubscribesPublishesAndReceives) {
  Client client(io_, broker_.port(), "t-self");
  ASSERT_TRUE(client.transport->subscribe("clawnet/test/#", 1));
  EXPECT_FALSE(client.transport->publish("clawnet/test/a", "early", 1, false).has_value());
  client.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return !client.subscribed.empty(); }));
  EXPECT_EQ(client.links, std::vector<bool>{true});
  EXPECT_EQ(client.subscribed, std::vector<std::string>{"clawnet/test/#"});
  const auto id = client.transport->publish("clawnet/test/a", "hello", 1, false);
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(run_until(io_, [&] { return client.has_message("clawnet/test/a", "hello"); }));
  ASSERT_TRUE(run_until(io_, [&] { return !client.publish_results.empty(); }));
  EXPECT_EQ(client.publish_results.front(), std::make_pair(*id, 0));
}

TEST_F(MqttTransportTest, NoLocalSubscriptionsSkipOwnMessages) {
  Client client(io_, broker_.port(), "t-nolocal");
  client.transport->subscribe("clawnet/test/secure", 1, true);
  client.transport->subscribe("clawnet/test/marker", 1);
  client.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return client.subscribed.size() == 2; }));
  client.transport->publish("clawnet/test/secure", "own", 1, false);
  client.transport->publish("clawnet/test/marker", "after", 1, false);
  // One client's messages are delivered in order: once the marker is here, "own"
  // would have been too.
  ASSERT_TRUE(run_until(io_, [&] { return client.has_message("clawnet/test/marker", "after"); }));
  EXPECT_FALSE(client.has_message("clawnet/test/secure", "own"));

  Client other(io_, broker_.port(), "t-other");
  other.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return other.transport->link_up(); }));
  other.transport->publish("clawnet/test/secure", "theirs", 1, false);
  EXPECT_TRUE(run_until(io_, [&] { return client.has_message("clawnet/test/secure", "theirs"); }));
}

TEST_F(MqttTransportTest, ReconnectsAndRenewsSubscriptionsAfterBrokerRestart) {
  Client listener(io_, broker_.port(), "t-listener");
  listener.transport->subscribe("clawnet/test/x", 1);
  listener.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return listener.subscribed.size() == 1; }));

  const std::uint16_t port = broker_.port();
  broker_.stop();
  ASSERT_TRUE(run_until(io_, [&] { return listener.links.size() == 2; }));
  EXPECT_FALSE(listener.transport->link_up());
  EXPECT_FALSE(listener.transport->publish("clawnet/test/x", "lost", 1, false).has_value());

  const auto error = broker_.start(anonymous_broker, port);
  ASSERT_FALSE(error.has_value()) << *error;
  ASSERT_TRUE(run_until(io_, [&] { return listener.subscribed.size() == 2; }));
  EXPECT_EQ(listener.links, (std::vector<bool>{true, false, true}));

  Client talker(io_, port, "t-talker");
  talker.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return talker.transport->link_up(); }));
  talker.transport->publish("clawnet/test/x", "after restart", 1, false);
  EXPECT_TRUE(run_until(io_, [&] { return listener.has_message("clawnet/test/x", "after restart"); }));
}

TEST_F(MqttTransportTest, StartsBeforeTheBrokerAndConnectsWhenItComes) {
  const std::uint16_t port = broker_.port();
  broker_.stop();
  Client client(io_, port, "t-early");
  client.transport->start();
  // Let a few connection attempts fail first.
  run_until(io_, [] { return false; }, std::chrono::milliseconds(300));
  EXPECT_TRUE(client.links.empty());
  const auto error = broker_.start(anonymous_broker, port);
  ASSERT_FALSE(error.has_value()) << *error;
  EXPECT_TRUE(run_until(io_, [&] { return client.transport->link_up(); }));
}

TEST_F(MqttTransportTest, StopSendsDisconnectAndReportsLinkDown) {
  Client client(io_, broker_.port(), "t-stop");
  client.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return client.transport->link_up(); }));
  client.transport->stop();
  EXPECT_EQ(client.links, (std::vector<bool>{true, false}));
  EXPECT_FALSE(client.transport->link_up());
}

TEST_F(MqttTransportTest, RetainedWillIsPublishedWhenTheClientIsKilled) {
  Client observer(io_, broker_.port(), "t-observer");
  observer.transport->subscribe("clawnet/clawcomm/status", 1);
  observer.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return observer.subscribed.size() == 1; }));

  int output[2];
  ASSERT_EQ(::pipe(output), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(output[1], STDOUT_FILENO);
    const std::string port = std::to_string(broker_.port());
    ::execl(CLAWNET_WILL_CLIENT, CLAWNET_WILL_CLIENT, port.c_str(), "t-claw", "clawnet/clawcomm/status",
            R"({"status":"CLAW_OFFLINE"})", "online", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(output[1]);
  ASSERT_TRUE(run_until(io_, [&] { return observer.has_message("clawnet/clawcomm/status", "online"); }));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(output[0]);
  EXPECT_TRUE(run_until(io_, [&] {
    return observer.has_message("clawnet/clawcomm/status", R"({"status":"CLAW_OFFLINE"})");
  }));

  // Retained: a client arriving later still learns the claw is offline.
  Client late(io_, broker_.port(), "t-late");
  late.transport->subscribe("clawnet/clawcomm/status", 1);
  late.transport->start();
  EXPECT_TRUE(run_until(io_, [&] {
    return late.has_message("clawnet/clawcomm/status", R"({"status":"CLAW_OFFLINE"})");
  }));
}

}  // namespace
}  // namespace clawnet::prod
