#include "prod/broker_accounts.hpp"

#include "core/protocol.hpp"

#include <boost/json.hpp>

#include <cassert>

namespace clawnet::prod {

namespace json = boost::json;

namespace {

json::object acl(std::string_view type, const std::string& topic) {
  return json::object{{"acltype", type}, {"topic", topic}, {"priority", 0}, {"allow", true}};
}

}  // namespace

std::string_view control_topic() { return "$CONTROL/dynamic-security/v1"; }
std::string_view control_response_topic() { return "$CONTROL/dynamic-security/v1/response"; }

std::string player_role_name(std::string_view channel) { return "clawnet-player-" + std::string(channel); }

std::string create_player_request(const TopicMap& topics, const PlayerCredentials& credentials,
                                  std::string_view correlation) {
  const std::string& channel = credentials.username;
  assert(is_player_channel(channel));
  const std::string own = *topics.topic_of(channel);
  const std::string presence = topics.presence_topic(channel);
  const std::string lobby = *topics.topic_of(lobby_channel);
  json::array acls{acl("publishClientSend", own),      acl("subscribeLiteral", own),
                   acl("publishClientReceive", own),   acl("publishClientSend", presence),
                   acl("subscribeLiteral", lobby),     acl("publishClientReceive", lobby)};
  json::object role{{"command", "createRole"},
                    {"rolename", player_role_name(channel)},
                    {"acls", std::move(acls)},
                    {"correlationData", std::string(correlation) + ":role"}};
  json::object client{{"command", "createClient"},
                      {"username", credentials.username},
                      {"password", credentials.password},
                      {"clientid", credentials.client_id},
                      {"roles", json::array{json::object{{"rolename", player_role_name(channel)}}}},
                      {"correlationData", std::string(correlation) + ":client"}};
  return json::serialize(json::object{{"commands", json::array{std::move(role), std::move(client)}}});
}

std::string delete_player_request(std::string_view channel, std::string_view correlation) {
  json::object client{{"command", "deleteClient"},
                      {"username", channel},
                      {"correlationData", std::string(correlation) + ":client"}};
  json::object role{{"command", "deleteRole"},
                    {"rolename", player_role_name(channel)},
                    {"correlationData", std::string(correlation) + ":role"}};
  return json::serialize(json::object{{"commands", json::array{std::move(client), std::move(role)}}});
}

std::variant<std::vector<ControlAnswer>, std::string> parse_control_response(std::string_view payload) {
  constexpr std::size_t response_bytes_max = 64 * 1024;
  if (payload.size() > response_bytes_max) return std::string("response larger than 64 KiB");
  boost::system::error_code ec;
  const json::value root = json::parse(payload, ec);
  if (ec) return "response is not JSON: " + ec.message();
  const json::object* object = root.if_object();
  const json::value* responses = object != nullptr ? object->if_contains("responses") : nullptr;
  if (responses == nullptr || !responses->is_array()) return std::string("response has no \"responses\" array");
  std::vector<ControlAnswer> answers;
  for (const json::value& item : responses->get_array()) {
    const json::object* fields = item.if_object();
    if (fields == nullptr) return std::string("a response is not an object");
    ControlAnswer answer;
    if (const auto* command = fields->if_contains("command"); command != nullptr && command->is_string()) {
      answer.command = std::string(command->get_string());
    }
    if (const auto* data = fields->if_contains("correlationData"); data != nullptr && data->is_string()) {
      answer.correlation = std::string(data->get_string());
    }
    if (const auto* error = fields->if_contains("error"); error != nullptr && error->is_string()) {
      answer.error = std::string(error->get_string());
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

}  // namespace clawnet::prod
