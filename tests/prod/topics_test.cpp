#include "prod/topics.hpp"

#include "core/protocol.hpp"
#include "prod/os_random.hpp"

#include <gtest/gtest.h>

namespace clawnet::prod {
namespace {

TEST(TopicMap, MapsEachKindOfChannel) {
  const TopicMap topics("clawnet");
  EXPECT_EQ(topics.topic_of("clawcomm"), "clawnet/clawcomm");
  EXPECT_EQ(topics.topic_of("lobby"), "clawnet/lobby");
  EXPECT_EQ(topics.topic_of("p-0123abcd"), "clawnet/player/p-0123abcd");
  EXPECT_EQ(topics.topic_of("p-XYZ"), std::nullopt);
  EXPECT_EQ(topics.topic_of("other"), std::nullopt);
}

TEST(TopicMap, RoundTripsAndRejectsForeignTopics) {
  const TopicMap topics("clawnet");
  for (const char* channel : {"clawcomm", "lobby", "p-00ff"}) {
    EXPECT_EQ(topics.channel_of(*topics.topic_of(channel)), channel);
  }
  EXPECT_EQ(topics.channel_of("clawnet/player/p-00ff/extra"), std::nullopt);
  EXPECT_EQ(topics.channel_of("clawnet/player/clawcomm"), std::nullopt);
  EXPECT_EQ(topics.channel_of("other/lobby"), std::nullopt);
  EXPECT_EQ(topics.channel_of("clawnetx/lobby"), std::nullopt);
  EXPECT_EQ(topics.channel_of(topics.claw_status_topic()), std::nullopt);
}

TEST(TopicMap, PresenceTopics) {
  const TopicMap topics("clawnet");
  EXPECT_EQ(topics.presence_topic("p-ab"), "clawnet/presence/p-ab");
  EXPECT_EQ(topics.presence_filter(), "clawnet/presence/+");
  EXPECT_EQ(topics.presence_channel_of("clawnet/presence/p-ab"), "p-ab");
  EXPECT_EQ(topics.presence_channel_of("clawnet/presence/lobby"), std::nullopt);
  EXPECT_EQ(topics.presence_channel_of("clawnet/player/p-ab"), std::nullopt);
  EXPECT_EQ(topics.claw_status_topic(), "clawnet/clawcomm/status");
}

}  // namespace
}  // namespace clawnet::prod


namespace clawnet::prod {
namespace {

TEST(OsRandom, PlayerChannelsAre128RandomBitsInHex) {
  const std::string first = new_player_channel();
  const std::string second = new_player_channel();
  EXPECT_TRUE(is_player_channel(first)) << first;
  EXPECT_EQ(first.size(), 2u + 32u);
  EXPECT_NE(first, second);  // Equal with probability 2^-128.
  EXPECT_EQ(random_hex(3).size(), 6u);
  EXPECT_EQ(random_hex(0), "");
}

}  // namespace
}  // namespace clawnet::prod
