// Player accounts on the broker, through Mosquitto's dynamic-security plugin
// (docs/deploy.md, "Access rules"). clawd publishes these requests on
// control_topic() and reads the answers on control_response_topic().
//
// A player account is: username = client id = the player's channel, a random
// password, and a role "clawnet-player-<channel>" that allows exactly:
//   publish + subscribe  <prefix>/player/<channel>
//   publish              <prefix>/presence/<channel>   (its will and join notice)
//   subscribe            <prefix>/lobby
// Everything else is denied by the plugin's defaults (publish and subscribe
// deny), so a player cannot read or write the secure topic or another channel.
//
// Contract: the request builders are pure; parse_control_response() never throws
// and names what was wrong. Thread-compatible.
#pragma once

#include "prod/topics.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clawnet::prod {

struct PlayerCredentials {
  std::string username;
  std::string password;
  std::string client_id;
};

std::string_view control_topic();
std::string_view control_response_topic();
std::string player_role_name(std::string_view channel);

// REQUIRES: is_player_channel(channel). Builds createRole + createClient.
std::string create_player_request(const TopicMap& topics, const PlayerCredentials& credentials,
                                  std::string_view correlation);
// Builds deleteClient (which disconnects a live session) + deleteRole.
std::string delete_player_request(std::string_view channel, std::string_view correlation);

// One answer per command of a request, in order.
struct ControlAnswer {
  std::string command;
  std::string correlation;
  std::optional<std::string> error;  // The plugin's error text, if the command failed.
};

std::variant<std::vector<ControlAnswer>, std::string> parse_control_response(std::string_view payload);

}  // namespace clawnet::prod
