// PubnubClient against the PubNub-protocol fixture (tests/pubnub/fixture.js) on a
// free loopback port: the REST calls as the official SDK makes them, Access
// Manager tokens and signatures, presence, and the subscribe cursor.
#include "prod/pubnub_client.hpp"

#include "tests/prod/mqtt_test_support.hpp"
#include "tests/prod/pubnub_fixture_process.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace clawnet::prod {
namespace {

using testing::PubnubFixtureProcess;
using testing::PubnubKeySet;
using testing::run_until;

struct Received {
  std::string channel;
  std::string json;
  std::string publisher;
};

// One client plus everything its callbacks reported.
struct Client {
  Client(boost::asio::io_context& io, std::uint16_t port, const PubnubKeySet& keys, std::string uuid,
         bool with_secret) {
    PubnubOptions options;
    options.origin = "127.0.0.1";
    options.port = port;
    options.tls = false;
    options.identity = {keys.publish_key, keys.subscribe_key, with_secret ? keys.secret_key : "", std::move(uuid), ""};
    options.heartbeat_s = 20;
    options.request_timeout_ms = 2'000;
    options.poll_timeout_ms = 5'000;
    options.reconnect_min_ms = 20;
    options.reconnect_max_ms = 200;
    PubnubCallbacks callbacks;
    callbacks.on_message = [this](std::string_view channel, std::string_view json, std::string_view publisher) {
      messages.push_back({std::string(channel), std::string(json), std::string(publisher)});
    };
    callbacks.on_presence = [this](const pubnub::PresenceEvent& event) { presence.push_back(event); };
    callbacks.on_link = [this](bool up) { links.push_back(up); };
    callbacks.on_subscribed = [this](std::string_view channel) { subscribed.emplace_back(channel); };
    callbacks.on_publish_result = [this](int id, int status, std::string_view) { results.emplace_back(id, status); };
    callbacks.on_error = [this](std::string_view text) { errors.emplace_back(text); };
    client = std::make_unique<PubnubClient>(io, options, callbacks);
  }

  bool has_message(std::string_view channel, std::string_view json) const {
    for (const Received& m : messages) {
      if (m.channel == channel && m.json == json) return true;
    }
    return false;
  }
  bool has_presence(std::string_view channel, std::string_view action, std::string_view uuid) const {
    for (const pubnub::PresenceEvent& e : presence) {
      if (e.channel == channel && e.action == action && e.uuid == uuid) return true;
    }
    return false;
  }
  // The HTTP status of publish `id`, -1 until it is answered.
  int result_of(int id) const {
    for (const auto& [result_id, status] : results) {
      if (result_id == id) return status;
    }
    return -1;
  }
  bool subscribed_to(std::string_view channel) const {
    return std::find(subscribed.begin(), subscribed.end(), channel) != subscribed.end();
  }

  std::vector<Received> messages;
  std::vector<pubnub::PresenceEvent> presence;
  std::vector<bool> links;
  std::vector<std::string> subscribed;
  std::vector<std::pair<int, int>> results;
  std::vector<std::string> errors;
  std::unique_ptr<PubnubClient> client;
};

class PubnubClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::find_node().empty()) GTEST_SKIP() << "node not found: install Node.js";
    // The fixture closes idle kept-alive connections after 200 ms (+ Node's 1 s),
    // as servers do (later, but at any time): every test may meet it.
    const auto error = fixture_.start({keys_}, {"--subscribe-timeout-s", "2", "--keep-alive-ms", "200"});
    ASSERT_FALSE(error.has_value()) << *error;
  }

  Client client(std::string uuid, bool with_secret = true) {
    return Client(io_, fixture_.port(), keys_, std::move(uuid), with_secret);
  }

  boost::asio::io_context io_;
  PubnubKeySet keys_ = testing::random_pubnub_keyset();
  PubnubFixtureProcess fixture_;
};

TEST_F(PubnubClientTest, PublishesAndReceivesOnASubscribedChannelInOrder) {
  Client reader = client("reader");
  Client writer = client("writer");
  reader.client->subscribe("room");
  reader.client->start();
  writer.client->start();
  ASSERT_TRUE(run_until(io_, [&] { return reader.subscribed_to("room"); })) << fixture_.output();
  std::vector<int> ids;
  for (int i = 0; i < 20; ++i) {
    const auto id = writer.client->publish("room", fmt::format(R"({{"n":{}}})", i));
    ASSERT_TRUE(id.has_value());
    ids.push_back(*id);
  }
  // The reader may see the last message before the writer sees its answer.
  const auto all_answered = [&] {
    return std::all_of(ids.begin(), ids.end(), [&](int id) { return writer.result_of(id) > 0; });
  };
  ASSERT_TRUE(run_until(io_, [&] { return reader.messages.size() == 20 && all_answered(); })) << reader.messages.size();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(reader.messages[static_cast<std::size_t>(i)].json, fmt::format(R"({{"n":{}}})", i));
    EXPECT_EQ(reader.messages[static_cast<std::size_t>(i)].publisher, "writer");
    EXPECT_EQ(writer.result_of(ids[static_cast<std::size_t>(i)]), 200);
  }
  EXPECT_EQ(reader.links, std::vector<bool>{true});
}

// A changed channel set cancels the poll in flight and shakes hands again; the
// messages published meanwhile on the first channel still arrive (the old cursor).
TEST_F(PubnubClientTest, ANewChannelLosesNothingOnTheChannelsAlreadySubscribed) {
  Client reader = client("reader");
  Client writer = client("writer");
  reader.client->subscribe("first");
  reader.client->start();
  writer.client->start();
  ASSERT_TRUE(run_until(io_, [&] { return reader.subscribed_to("first"); }));
  for (int i = 0; i < 5; ++i) writer.client->publish("first", fmt::format(R"({{"before":{}}})", i));
  reader.client->subscribe("second");
  for (int i = 0; i < 5; ++i) writer.client->publish("first", fmt::format(R"({{"after":{}}})", i));
  ASSERT_TRUE(run_until(io_, [&] { return reader.subscribed_to("second"); }));
  writer.client->publish("second", R"({"second":true})");
  ASSERT_TRUE(run_until(io_, [&] { return reader.has_message("second", R"({"second":true})"); }));
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(reader.has_message("first", fmt::format(R"({{"before":{}}})", i))) << i;
    EXPECT_TRUE(reader.has_message("first", fmt::format(R"({{"after":{}}})", i))) << i;
  }
  EXPECT_EQ(reader.messages.size(), 11U) << "each message once";
}

TEST_F(PubnubClientTest, PresenceJoinAndLeaveArriveAndHereNowListsWhoIsThere) {
  Client watcher = client("watcher");
  Client player = client("player-1");
  watcher.client->subscribe("room", PubnubClient::Watch::presence_only);
  watcher.client->start();
  ASSERT_TRUE(run_until(io_, [&] { return watcher.subscribed_to("room"); }));
  player.client->subscribe("room");
  player.client->start();
  ASSERT_TRUE(run_until(io_, [&] { return watcher.has_presence("room", "join", "player-1"); }));
  std::optional<std::vector<std::string>> present;
  watcher.client->here_now("room", [&](PubnubClient::Result<std::vector<std::string>> result) {
    if (auto* uuids = std::get_if<std::vector<std::string>>(&result)) present = *uuids;
  });
  ASSERT_TRUE(run_until(io_, [&] { return present.has_value(); }));
  EXPECT_NE(std::find(present->begin(), present->end(), "player-1"), present->end());
  player.client->unsubscribe("room");
  EXPECT_TRUE(run_until(io_, [&] { return watcher.has_presence("room", "leave", "player-1"); }));
}

// clawd's grants: a token for one channel and one uuid lets that client publish
// and subscribe there, is refused with Access Manager's 403 elsewhere, and stops
// working once revoked.
TEST_F(PubnubClientTest, AGrantedTokenOpensItsChannelOnlyUntilRevoked) {
  Client server = client("clawd");
  server.client->start();
  std::optional<std::string> token;
  server.client->grant({{"p-1", pubnub::right_read | pubnub::right_write}}, 5, "p-1", [&](PubnubClient::Result<std::string> result) {
    if (result.index() == 0) token = std::get<0>(result);  // The token, or what went wrong.
    else ADD_FAILURE() << std::get<1>(result);
  });
  ASSERT_TRUE(run_until(io_, [&] { return token.has_value(); })) << fixture_.output();

  Client player = client("p-1", false);
  player.client->set_auth(*token);
  player.client->subscribe("p-1");
  player.client->start();
  ASSERT_TRUE(run_until(io_, [&] { return player.subscribed_to("p-1"); })) << fixture_.output();
  const auto own = player.client->publish("p-1", R"({"command":"upOn"})");
  const auto other = player.client->publish("p-2", R"({"command":"upOn"})");
  ASSERT_TRUE(own.has_value() && other.has_value());
  ASSERT_TRUE(run_until(io_, [&] { return player.result_of(*own) > 0 && player.result_of(*other) > 0; }));
  EXPECT_EQ(player.result_of(*own), 200);
  EXPECT_EQ(player.result_of(*other), 403);

  std::optional<std::optional<std::string>> revoked;
  server.client->revoke(*token, [&](std::optional<std::string> error) { revoked = error; });
  ASSERT_TRUE(run_until(io_, [&] { return revoked.has_value(); }));
  EXPECT_FALSE(revoked->has_value()) << **revoked;
  const auto after = player.client->publish("p-1", R"({"command":"upOff"})");
  ASSERT_TRUE(after.has_value());
  ASSERT_TRUE(run_until(io_, [&] { return player.result_of(*after) > 0; }));
  EXPECT_EQ(player.result_of(*after), 403);
}

TEST_F(PubnubClientTest, WithoutATokenOrTheSecretEverythingIsRefused) {
  Client stranger = client("stranger", false);
  stranger.client->start();
  const auto id = stranger.client->publish("room", R"({"hello":1})");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(run_until(io_, [&] { return stranger.result_of(*id) > 0; }));
  EXPECT_EQ(stranger.result_of(*id), 403);

  PubnubKeySet forged = keys_;
  forged.secret_key = "sec-test-not-the-secret";
  Client forger(io_, fixture_.port(), forged, "forger", true);
  forger.client->start();
  std::optional<std::string> refusal;
  forger.client->grant({{"p-1", pubnub::right_read}}, 5, "forger", [&](PubnubClient::Result<std::string> result) {
    refusal = result.index() == 1 ? std::get<1>(result) : "granted";
  });
  ASSERT_TRUE(run_until(io_, [&] { return refusal.has_value(); }));
  EXPECT_NE(*refusal, "granted");
  EXPECT_NE(refusal->find("403"), std::string::npos) << *refusal;
}

// The fixture closes idle kept-alive connections after 200 ms (and the second
// Node adds): the next request on one goes again on a new connection instead of
// failing.
TEST_F(PubnubClientTest, AConnectionTheServerClosedWhileIdleIsNotAFailure) {
  Client server = client("clawd");
  server.client->start();
  for (int round = 0; round < 2; ++round) {
    std::optional<PubnubClient::Result<std::vector<std::string>>> answer;
    server.client->here_now("room", [&](PubnubClient::Result<std::vector<std::string>> result) { answer = result; });
    ASSERT_TRUE(run_until(io_, [&] { return answer.has_value(); }));
    EXPECT_EQ(answer->index(), 0U) << "round " << round << ": " << std::get<1>(*answer);
    const auto idle_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1'500);
    run_until(io_, [&] { return std::chrono::steady_clock::now() >= idle_until; });
  }
}

TEST_F(PubnubClientTest, AMessageOverPubnubsSizeLimitIsRefusedBeforeSending) {
  Client writer = client("writer");
  writer.client->start();
  const std::string big = R"({"pad":")" + std::string(40 * 1024, 'x') + R"("})";
  EXPECT_FALSE(writer.client->publish("room", big).has_value());
  ASSERT_FALSE(writer.errors.empty());
}

}  // namespace
}  // namespace clawnet::prod
