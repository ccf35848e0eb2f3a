#include "prod/topics.hpp"

#include "core/protocol.hpp"

#include <cassert>

namespace clawnet::prod {

namespace {
constexpr std::string_view player_level = "/player/";
constexpr std::string_view presence_level = "/presence/";
}  // namespace

TopicMap::TopicMap(std::string prefix) : prefix_(std::move(prefix)) {
  assert(!prefix_.empty());
  assert(prefix_.find_first_of("+#") == std::string::npos);
}

std::optional<std::string> TopicMap::topic_of(std::string_view channel) const {
  if (channel == secure_channel || channel == lobby_channel) return prefix_ + "/" + std::string(channel);
  if (is_player_channel(channel)) return prefix_ + std::string(player_level) + std::string(channel);
  return std::nullopt;
}

std::optional<std::string> TopicMap::channel_of(std::string_view topic) const {
  if (!topic.starts_with(prefix_)) return std::nullopt;
  const std::string_view rest = topic.substr(prefix_.size());
  if (rest == "/" + std::string(secure_channel)) return std::string(secure_channel);
  if (rest == "/" + std::string(lobby_channel)) return std::string(lobby_channel);
  if (rest.starts_with(player_level)) {
    const std::string_view channel = rest.substr(player_level.size());
    if (is_player_channel(channel)) return std::string(channel);
  }
  return std::nullopt;
}

std::string TopicMap::claw_status_topic() const { return prefix_ + "/" + std::string(secure_channel) + "/status"; }

std::string TopicMap::presence_topic(std::string_view channel) const {
  assert(is_player_channel(channel));
  return prefix_ + std::string(presence_level) + std::string(channel);
}

std::string TopicMap::presence_filter() const { return prefix_ + std::string(presence_level) + "+"; }

std::optional<std::string> TopicMap::presence_channel_of(std::string_view topic) const {
  if (!topic.starts_with(prefix_)) return std::nullopt;
  const std::string_view rest = topic.substr(prefix_.size());
  if (!rest.starts_with(presence_level)) return std::nullopt;
  const std::string_view channel = rest.substr(presence_level.size());
  if (!is_player_channel(channel)) return std::nullopt;
  return std::string(channel);
}

}  // namespace clawnet::prod
