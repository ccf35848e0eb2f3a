// TopicMap: clawnet channels <-> MQTT topics (docs/deploy.md, "Topics").
//
//   secure channel "clawcomm"   <-> <prefix>/clawcomm          (clawd and clawcab only)
//   the claw's retained status      <prefix>/clawcomm/status   (clawcab's will: CLAW_OFFLINE)
//   lobby channel "lobby"       <-> <prefix>/lobby             (clawd writes, everyone reads)
//   player channel "p-<hex>"    <-> <prefix>/player/p-<hex>    (that player, clawd, clawcab)
//   a player's presence             <prefix>/presence/p-<hex>  (that player writes, clawd reads)
//
// Contract: channel_of(topic_of(c)) == c for every channel topic_of accepts; any
// other topic (status, presence, foreign) maps to nullopt. Pure, thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clawnet::prod {

class TopicMap {
 public:
  explicit TopicMap(std::string prefix);

  // REQUIRES: channel is the secure channel, the lobby or a player channel;
  // otherwise returns nullopt.
  std::optional<std::string> topic_of(std::string_view channel) const;
  std::optional<std::string> channel_of(std::string_view topic) const;

  std::string claw_status_topic() const;
  // REQUIRES: is_player_channel(channel).
  std::string presence_topic(std::string_view channel) const;
  // The subscription filter matching every presence topic.
  std::string presence_filter() const;
  // The player channel whose presence `topic` reports, if it is one.
  std::optional<std::string> presence_channel_of(std::string_view topic) const;

 private:
  std::string prefix_;
};

}  // namespace clawnet::prod
