// PubNub's REST protocol as data (prod/pubnub_wire.hpp): encoding, signing, and
// the parsers on good and malformed answers. The expected signatures were
// computed apart from this code, with
//   printf '%s' "$message" | openssl dgst -sha256 -hmac KEY -binary | base64 | tr '+/' '-_' | tr -d '='
#include "prod/pubnub_wire.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clawnet::prod::pubnub {
namespace {

constexpr std::string_view signing_key = "signing-key-for-tests";  // Not a PubNub key.

Identity identity(std::string secret = {}) {
  return Identity{"pub-test", "sub-test", std::move(secret), "clawd", ""};
}

TEST(PubnubWire, PercentEncodingKeepsOnlyLettersDigitsAndDashUnderscoreDot) {
  EXPECT_EQ(percent_encode("~user/1_2.3-4"), "%7Euser%2F1_2.3-4");  // PubNub's own example.
  EXPECT_EQ(percent_encode("a b"), "a%20b");
  EXPECT_EQ(percent_encode("{\"a\":1}"), "%7B%22a%22%3A1%7D");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
}

TEST(PubnubWire, SignatureV2SignsVerbKeyPathSortedQueryAndBody) {
  // Given out of order: signing sorts.
  const Query query{{"uuid", "clawd"}, {"timestamp", "1700000000"}, {"heartbeat", "20"}};
  EXPECT_EQ(signature_v2(signing_key, "pub-test", Verb::get,
                         "/v2/presence/sub-key/sub-test/channel/my%20channel/heartbeat", query, ""),
            "v2.o_gpKJIpAtb1-FqlL0pCSnKxEHdfwy9MB0A_338zl5U");
  EXPECT_EQ(signature_v2(signing_key, "pub-test", Verb::post, "/v3/pam/sub-test/grant",
                         {{"uuid", "clawd"}, {"timestamp", "1700000000"}}, "{\"ttl\":15}"),
            "v2.rgTP34KJzH_a7Tozs4uLJTUt3WqjSXNPfqOQ9fxHLVA");
}

TEST(PubnubWire, RequestsCarryUuidAuthAndWithASecretTimestampAndSignatureLast) {
  Identity plain = identity();
  plain.auth = "tok/en";
  const Request unsigned_request = make_request(plain, Verb::get, "/x", {{"tt", "0"}}, "", 1700000000);
  EXPECT_EQ(unsigned_request.target, "/x?auth=tok%2Fen&tt=0&uuid=clawd");

  const Request heartbeat =
      make_request(identity(std::string(signing_key)), Verb::get,
                   heartbeat_path(identity(), {"my channel"}), {{"heartbeat", "20"}}, "", 1700000000);
  EXPECT_EQ(heartbeat.target,
            "/v2/presence/sub-key/sub-test/channel/my%20channel/heartbeat?heartbeat=20&timestamp=1700000000&uuid=clawd"
            "&signature=v2.o_gpKJIpAtb1-FqlL0pCSnKxEHdfwy9MB0A_338zl5U");
}

TEST(PubnubWire, PathsEncodeChannelsAndJoinThemWithCommas) {
  EXPECT_EQ(subscribe_path(identity(), {"clawcomm", "clawcomm-pnpres", "p-1"}),
            "/v2/subscribe/sub-test/clawcomm,clawcomm-pnpres,p-1/0");
  EXPECT_EQ(subscribe_path(identity(), {}), "/v2/subscribe/sub-test/,/0");
  EXPECT_EQ(publish_path(identity(), "lobby", "{\"a\":1}"), "/publish/pub-test/sub-test/0/lobby/0/%7B%22a%22%3A1%7D");
  EXPECT_EQ(leave_path(identity(), {"a", "b"}), "/v2/presence/sub-key/sub-test/channel/a,b/leave");
  EXPECT_EQ(here_now_path(identity(), "clawcomm"), "/v2/presence/sub-key/sub-test/channel/clawcomm");
  EXPECT_EQ(grant_path(identity()), "/v3/pam/sub-test/grant");
  EXPECT_EQ(revoke_path(identity(), "a+b="), "/v3/pam/sub-test/grant/a%2Bb%3D");
}

TEST(PubnubWire, GrantBodyGivesEachChannelItsRightsForOneUuid) {
  const boost::json::value body =
      boost::json::parse(grant_body({{"p-ab", right_read | right_write}, {"lobby", right_read}}, 15, "p-ab"));
  EXPECT_EQ(body.at("ttl").as_int64(), 15);
  const auto& permissions = body.at("permissions").as_object();
  EXPECT_EQ(permissions.at("uuid").as_string(), "p-ab");
  const auto& channels = permissions.at("resources").at("channels").as_object();
  ASSERT_EQ(channels.size(), 2U);
  EXPECT_EQ(channels.at("p-ab").as_int64(), 3);         // read | write
  EXPECT_EQ(channels.at("lobby").as_int64(), 1);  // read
  EXPECT_TRUE(permissions.at("patterns").at("channels").as_object().empty());
}

TEST(PubnubWire, SubscribeAnswersSplitMessagesFromPresenceEvents) {
  const auto parsed = parse_subscribe(
      R"({"t":{"t":"17000000000000001","r":12},"m":[)"
      R"({"a":"1","f":0,"i":"p-1","p":{"t":"17000000000000001","r":12},"k":"sub-test","c":"p-1","d":{"left":"on"}},)"
      R"({"c":"clawcomm-pnpres","d":{"action":"timeout","uuid":"clawcab","timestamp":1700000000,"occupancy":1}}]})");
  ASSERT_EQ(parsed.index(), 0U) << std::get<1>(parsed);
  const SubscribeAnswer& answer = std::get<0>(parsed);
  EXPECT_EQ(answer.timetoken, "17000000000000001");
  EXPECT_EQ(answer.region, 12);
  ASSERT_EQ(answer.messages.size(), 1U);
  EXPECT_EQ(answer.messages[0].channel, "p-1");
  EXPECT_EQ(answer.messages[0].payload, R"({"left":"on"})");
  EXPECT_EQ(answer.messages[0].publisher, "p-1");
  ASSERT_EQ(answer.presence.size(), 1U);
  EXPECT_EQ(answer.presence[0].channel, "clawcomm");
  EXPECT_EQ(answer.presence[0].action, "timeout");
  EXPECT_EQ(answer.presence[0].uuid, "clawcab");
  EXPECT_EQ(answer.presence[0].occupancy, 1);

  const auto handshake = parse_subscribe(R"({"t":{"t":"17000000000000002","r":1},"m":[]})");
  ASSERT_EQ(handshake.index(), 0U);
  EXPECT_TRUE(std::get<0>(handshake).messages.empty());
}

TEST(PubnubWire, MalformedSubscribeAnswersAreNamedNotThrown) {
  for (std::string_view body : {"", "[]", "{", R"({"m":[]})", R"({"t":{"t":17}})", R"({"t":{"t":"12a"}})",
                                R"({"t":{"t":"1"},"m":{}})"}) {
    const auto parsed = parse_subscribe(body);
    ASSERT_EQ(parsed.index(), 1U) << body;
    EXPECT_FALSE(std::get<1>(parsed).empty());
  }
}

// A poison envelope must not stall the subscriber: the answer keeps its cursor and
// good messages, and names what it left out.
TEST(PubnubWire, BadOrForeignEnvelopesAreSkippedAndNamed) {
  const auto parsed = parse_subscribe(
      R"({"t":{"t":"17000000000000009","r":1},"m":[1,{"c":"x"},{"c":"x-pnpres","d":{}},)"
      R"({"c":"x-pnpres","d":{"action":"join"}},{"c":"x","d":"a signal","e":1},)"
      R"({"c":"x","d":{"ok":1},"i":"u","p":{"t":"17000000000000009"}}]})");
  ASSERT_EQ(parsed.index(), 0U) << std::get<1>(parsed);
  const SubscribeAnswer& answer = std::get<0>(parsed);
  EXPECT_EQ(answer.timetoken, "17000000000000009");
  ASSERT_EQ(answer.messages.size(), 1U);
  EXPECT_EQ(answer.messages[0].payload, R"({"ok":1})");
  EXPECT_TRUE(answer.presence.empty());
  ASSERT_EQ(answer.skipped.size(), 5U);
  EXPECT_EQ(answer.skipped[3], "a presence join has no uuid on x");
  EXPECT_EQ(answer.skipped[4], "an envelope of type 1 on x, not a message");
}

// Above PubNub's announce-max occupancy, presence comes as interval events.
TEST(PubnubWire, IntervalPresenceBecomesOneEventPerUuid) {
  const auto parsed = parse_subscribe(
      R"({"t":{"t":"17000000000000010","r":1},"m":[{"c":"lobby-pnpres","d":{"action":"interval","occupancy":40,)"
      R"("timestamp":1700000000,"join":["p-1","p-2"],"timeout":["p-3"],"here_now_refresh":true}}]})");
  ASSERT_EQ(parsed.index(), 0U) << std::get<1>(parsed);
  const auto& events = std::get<0>(parsed).presence;
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[0].action, "join");
  EXPECT_EQ(events[0].uuid, "p-1");
  EXPECT_EQ(events[1].uuid, "p-2");
  EXPECT_EQ(events[2].action, "timeout");
  EXPECT_EQ(events[2].uuid, "p-3");
  EXPECT_EQ(events[3].action, "here_now_refresh");
  EXPECT_EQ(events[0].channel, "lobby");
  EXPECT_EQ(events[0].occupancy, 40);
}

TEST(PubnubWire, PublishHereNowAndGrantAnswers) {
  const auto sent = parse_publish(R"([1,"Sent","17000000000000003"])");
  ASSERT_EQ(sent.index(), 0U);
  EXPECT_EQ(std::get<0>(sent), "17000000000000003");
  const auto refused = parse_publish(R"([0,"Invalid Key","17000000000000003"])");
  ASSERT_EQ(refused.index(), 1U);
  EXPECT_EQ(std::get<1>(refused), "Invalid Key");
  EXPECT_EQ(parse_publish("nope").index(), 1U);

  const auto here = parse_here_now(R"({"status":200,"message":"OK","occupancy":2,"uuids":["a",{"uuid":"b"}]})");
  ASSERT_EQ(here.index(), 0U);
  EXPECT_EQ(std::get<0>(here), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse_here_now(R"({"uuids":[1]})").index(), 1U);
  EXPECT_EQ(parse_here_now(R"({"occupancy":0})").index(), 1U);

  const auto token = parse_grant(R"({"status":200,"data":{"message":"Success","token":"qEF2AkF0"}})");
  ASSERT_EQ(token.index(), 0U);
  EXPECT_EQ(std::get<0>(token), "qEF2AkF0");
  EXPECT_EQ(parse_grant(R"({"status":200,"data":{}})").index(), 1U);
}

TEST(PubnubWire, ErrorTextReadsPubnubsErrorShapes) {
  EXPECT_EQ(error_text(R"({"message":"Forbidden","payload":{"channels":["p-2"]},"error":true,"status":403})"),
            "Forbidden");
  EXPECT_EQ(error_text(R"({"error":{"message":"Invalid signature","source":"grant"},"status":403})"),
            "Invalid signature");
  EXPECT_EQ(error_text(R"([0,"Message Too Large","1"])"), "Message Too Large");
  EXPECT_EQ(error_text("<html>bad gateway</html>"), "<html>bad gateway</html>");
}

}  // namespace
}  // namespace clawnet::prod::pubnub
