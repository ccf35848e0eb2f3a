#include "prod/pubnub_wire.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

namespace clawnet::prod::pubnub {

namespace json = boost::json;

namespace {

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

std::string base64url(const unsigned char* bytes, std::size_t size) {
  std::string text(4 * ((size + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), bytes, static_cast<int>(size));
  text.resize(static_cast<std::size_t>(written));
  while (!text.empty() && text.back() == '=') text.pop_back();
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

std::string encoded_query(const Query& query) {
  std::string text;
  for (const auto& [name, value] : query) {
    if (!text.empty()) text += '&';
    text += percent_encode(name);
    text += '=';
    text += percent_encode(value);
  }
  return text;
}

std::string channel_list(const std::vector<std::string>& channels) {
  if (channels.empty()) return ",";  // PubNub's "no channel" in a path.
  std::string list;
  for (const std::string& channel : channels) {
    if (!list.empty()) list += ',';
    list += percent_encode(channel);
  }
  return list;
}

std::string cut(std::string_view text) {
  constexpr std::size_t shown_max = 200;
  return std::string(text.substr(0, shown_max));
}

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return std::nullopt;
  return value;
}

const json::object* object_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_object() : nullptr;
}

std::optional<std::string> string_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::int64_t> integer_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX) return static_cast<std::int64_t>(value->get_uint64());
  return std::nullopt;
}

// One presence envelope's events (an interval event holds many), or why none.
std::variant<std::vector<PresenceEvent>, std::string> presence_of(const std::string& channel, const json::value& data) {
  const json::object* event = data.if_object();
  if (event == nullptr) return std::string("a presence event is not an object");
  auto action = string_at(*event, "action");
  if (!action.has_value()) return std::string("a presence event has no action");
  const std::int64_t occupancy = integer_at(*event, "occupancy").value_or(0);
  std::vector<PresenceEvent> events;
  if (*action != "interval") {
    auto uuid = string_at(*event, "uuid");
    if (!uuid.has_value()) return fmt::format("a presence {} has no uuid", *action);
    events.push_back(PresenceEvent{channel, std::move(*action), std::move(*uuid), occupancy});
    return events;
  }
  for (const char* kind : {"join", "leave", "timeout"}) {
    const json::value* list = event->if_contains(kind);
    if (list == nullptr || !list->is_array()) continue;
    for (const json::value& uuid : list->get_array()) {
      if (uuid.is_string()) events.push_back(PresenceEvent{channel, kind, std::string(uuid.get_string()), occupancy});
    }
  }
  const json::value* refresh = event->if_contains("here_now_refresh");
  if (refresh != nullptr && refresh->is_bool() && refresh->get_bool()) {
    events.push_back(PresenceEvent{channel, "here_now_refresh", "", occupancy});
  }
  return events;
}

}  // namespace

std::string percent_encode(std::string_view text) {
  std::string encoded;
  encoded.reserve(text.size());
  for (const char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    if (unreserved(c)) {
      encoded += byte;
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  return encoded;
}

std::string_view to_string(Verb verb) {
  switch (verb) {
    case Verb::get: return "GET";
    case Verb::post: return "POST";
    case Verb::del: return "DELETE";
  }
  return "GET";
}

std::string signature_v2(std::string_view secret_key, std::string_view publish_key, Verb verb,
                         std::string_view path, const Query& query, std::string_view body) {
  Query sorted = query;
  std::sort(sorted.begin(), sorted.end());
  const std::string message = fmt::format("{}\n{}\n{}\n{}\n{}", to_string(verb), publish_key, path,
                                          encoded_query(sorted), body);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  HMAC(EVP_sha256(), secret_key.data(), static_cast<int>(secret_key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(), &digest_size);
  return "v2." + base64url(digest.data(), digest_size);
}

Request make_request(const Identity& identity, Verb verb, std::string path, Query query, std::string body,
                     std::int64_t now_s) {
  query.emplace_back("uuid", identity.uuid);
  if (!identity.auth.empty()) query.emplace_back("auth", identity.auth);
  if (!identity.secret_key.empty()) query.emplace_back("timestamp", std::to_string(now_s));
  std::sort(query.begin(), query.end());
  if (!identity.secret_key.empty()) {
    query.emplace_back("signature", signature_v2(identity.secret_key, identity.publish_key, verb, path, query, body));
  }
  return Request{verb, path + "?" + encoded_query(query), std::move(body)};
}

std::string publish_path(const Identity& identity, std::string_view channel, std::string_view json) {
  return fmt::format("/publish/{}/{}/0/{}/0/{}", percent_encode(identity.publish_key),
                     percent_encode(identity.subscribe_key), percent_encode(channel), percent_encode(json));
}

std::string subscribe_path(const Identity& identity, const std::vector<std::string>& channels) {
  return fmt::format("/v2/subscribe/{}/{}/0", percent_encode(identity.subscribe_key), channel_list(channels));
}

std::string heartbeat_path(const Identity& identity, const std::vector<std::string>& channels) {
  return fmt::format("/v2/presence/sub-key/{}/channel/{}/heartbeat", percent_encode(identity.subscribe_key),
                     channel_list(channels));
}

std::string leave_path(const Identity& identity, const std::vector<std::string>& channels) {
  return fmt::format("/v2/presence/sub-key/{}/channel/{}/leave", percent_encode(identity.subscribe_key),
                     channel_list(channels));
}

std::string here_now_path(const Identity& identity, std::string_view channel) {
  return fmt::format("/v2/presence/sub-key/{}/channel/{}", percent_encode(identity.subscribe_key),
                     percent_encode(channel));
}

std::string grant_path(const Identity& identity) {
  return fmt::format("/v3/pam/{}/grant", percent_encode(identity.subscribe_key));
}

std::string revoke_path(const Identity& identity, std::string_view token) {
  return fmt::format("/v3/pam/{}/grant/{}", percent_encode(identity.subscribe_key), percent_encode(token));
}

std::string grant_body(const std::vector<ChannelRights>& channels, std::int64_t ttl_minutes,
                       std::string_view authorized_uuid) {
  const json::object none{{"channels", json::object{}}, {"groups", json::object{}}, {"uuids", json::object{}},
                          {"users", json::object{}}, {"spaces", json::object{}}};
  json::object resources = none;
  json::object& granted = resources["channels"].as_object();
  for (const ChannelRights& each : channels) granted[each.channel] = each.rights;
  const json::object permissions{
      {"uuid", authorized_uuid}, {"resources", resources}, {"patterns", none}, {"meta", json::object{}}};
  return json::serialize(json::object{{"ttl", ttl_minutes}, {"permissions", permissions}});
}

std::variant<SubscribeAnswer, std::string> parse_subscribe(std::string_view body) {
  const auto value = parse_json(body);
  const json::object* root = value.has_value() ? value->if_object() : nullptr;
  if (root == nullptr) return "a subscribe answer is not a JSON object: " + cut(body);
  const json::object* cursor = object_at(*root, "t");
  if (cursor == nullptr) return std::string("a subscribe answer has no timetoken (t)");
  SubscribeAnswer answer;
  auto timetoken = string_at(*cursor, "t");
  if (!timetoken.has_value() || timetoken->empty() ||
      !std::all_of(timetoken->begin(), timetoken->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::string("a subscribe answer's timetoken is not a decimal string");
  }
  answer.timetoken = std::move(*timetoken);
  answer.region = integer_at(*cursor, "r").value_or(0);
  const json::value* messages = root->if_contains("m");
  if (messages == nullptr) return answer;
  if (!messages->is_array()) return std::string("a subscribe answer's messages (m) are not an array");
  for (const json::value& item : messages->get_array()) {
    const json::object* envelope = item.if_object();
    if (envelope == nullptr) {
      answer.skipped.emplace_back("a message that is not an object");
      continue;
    }
    auto channel = string_at(*envelope, "c");
    const json::value* data = envelope->if_contains("d");
    if (!channel.has_value() || data == nullptr) {
      answer.skipped.emplace_back("a message with no channel (c) or data (d)");
      continue;
    }
    if (const auto type = integer_at(*envelope, "e"); type.has_value() && *type != 0) {
      answer.skipped.push_back(fmt::format("an envelope of type {} on {}, not a message", *type, *channel));
      continue;
    }
    if (channel->ends_with(presence_suffix)) {
      channel->resize(channel->size() - presence_suffix.size());
      auto events = presence_of(*channel, *data);
      if (auto* problem = std::get_if<std::string>(&events)) {
        answer.skipped.push_back(fmt::format("{} on {}", *problem, *channel));
        continue;
      }
      for (PresenceEvent& event : std::get<0>(events)) answer.presence.push_back(std::move(event));
      continue;
    }
    answer.messages.push_back(Envelope{std::move(*channel), json::serialize(*data), string_at(*envelope, "i").value_or("")});
  }
  return answer;
}

std::variant<std::string, std::string> parse_publish(std::string_view body) {
  const auto value = parse_json(body);
  const json::array* answer = value.has_value() ? value->if_array() : nullptr;
  if (answer == nullptr || answer->size() < 3 || !(*answer)[2].is_string()) {
    return std::variant<std::string, std::string>(std::in_place_index<1>, "a publish answer is not [1,\"Sent\",tt]");
  }
  if (!(*answer)[0].is_int64() || (*answer)[0].get_int64() != 1) {
    return std::variant<std::string, std::string>(std::in_place_index<1>, error_text(body));
  }
  return std::variant<std::string, std::string>(std::in_place_index<0>, std::string((*answer)[2].get_string()));
}

std::variant<std::vector<std::string>, std::string> parse_here_now(std::string_view body) {
  const auto value = parse_json(body);
  const json::object* root = value.has_value() ? value->if_object() : nullptr;
  if (root == nullptr) return "a here_now answer is not a JSON object: " + cut(body);
  const json::value* uuids = root->if_contains("uuids");
  if (uuids == nullptr || !uuids->is_array()) return std::string("a here_now answer has no uuids array");
  std::vector<std::string> present;
  for (const json::value& uuid : uuids->get_array()) {
    if (uuid.is_string()) {
      present.emplace_back(uuid.get_string());
    } else if (const json::object* entry = uuid.if_object(); entry != nullptr && string_at(*entry, "uuid")) {
      present.push_back(*string_at(*entry, "uuid"));  // With state=1: {"uuid":..,"state":..}.
    } else {
      return std::string("a here_now uuid is neither a string nor {\"uuid\":...}");
    }
  }
  return present;
}

std::variant<std::string, std::string> parse_grant(std::string_view body) {
  const auto value = parse_json(body);
  const json::object* root = value.has_value() ? value->if_object() : nullptr;
  const json::object* data = root != nullptr ? object_at(*root, "data") : nullptr;
  auto token = data != nullptr ? string_at(*data, "token") : std::nullopt;
  if (!token.has_value() || token->empty()) {
    return std::variant<std::string, std::string>(std::in_place_index<1>, "a grant answer has no token: " + cut(body));
  }
  return std::variant<std::string, std::string>(std::in_place_index<0>, std::move(*token));
}

std::string error_text(std::string_view body) {
  const auto value = parse_json(body);
  if (value.has_value()) {
    if (const json::object* root = value->if_object()) {
      if (auto message = string_at(*root, "message")) return *message;
      if (const json::object* error = object_at(*root, "error")) {
        if (auto message = string_at(*error, "message")) return *message;
      }
    } else if (const json::array* list = value->if_array(); list != nullptr && list->size() >= 2) {
      if ((*list)[1].is_string()) return std::string((*list)[1].get_string());
    }
  }
  return cut(body);
}

}  // namespace clawnet::prod::pubnub
