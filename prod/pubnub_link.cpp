#include "prod/pubnub_link.hpp"

#include "core/protocol.hpp"
#include "prod/driver_support.hpp"

#include <fmt/format.h>

#include <chrono>

namespace clawnet::prod {

namespace {

using Watch = PubnubClient::Watch;

// A released player keeps its token this long, so {"control":false} and the
// last position still reach it.
constexpr TimeMs revoke_linger_ms = 5'000;

PubnubOptions client_options(const PubnubConfig& config, const PubnubKeys& keys, const std::string& uuid) {
  PubnubOptions options;
  options.origin = config.origin;
  options.port = config.port;
  options.tls = config.tls;
  options.verify_peer = true;
  options.ca_file = config.ca_file;
  options.identity = pubnub::Identity{keys.publish_key, keys.subscribe_key, keys.secret_key, uuid, ""};
  options.heartbeat_s = config.heartbeat_s;
  options.reconnect_min_ms = config.reconnect_min_ms;
  options.reconnect_max_ms = config.reconnect_max_ms;
  return options;
}

std::optional<PresenceKind> presence_kind(std::string_view action) {
  if (action == "join") return PresenceKind::join;
  if (action == "leave") return PresenceKind::leave;
  if (action == "timeout") return PresenceKind::timeout;
  return std::nullopt;  // state-change, interval: nothing the queue acts on.
}

// Where players' clients reach PubNub: pubnub.client_origin, else the origin
// with its port unless it is the scheme's own.
std::string client_origin_of(const PubnubConfig& config) {
  if (!config.client_origin.empty()) return config.client_origin;
  const std::uint16_t default_port = config.tls ? 443 : 80;
  if (config.port == default_port) return config.origin;
  return fmt::format("{}:{}", config.origin, config.port);
}

}  // namespace

PubnubLink::PubnubLink(boost::asio::io_context& io, const PubnubConfig& pubnub, TransportRole role,
                       TransportCallbacks callbacks)
    : config_(pubnub), role_(role), callbacks_(std::move(callbacks)),
      uuid_(!pubnub.uuid.empty() ? pubnub.uuid : role == TransportRole::claw ? "clawcab" : "clawd"),
      sweep_timer_(io) {
  const auto client_callbacks = [this](std::string_view key_set) {
    PubnubCallbacks each;
    each.on_message = [this](std::string_view channel, std::string_view json, std::string_view publisher) {
      on_message(channel, json, publisher);
    };
    each.on_presence = [this](const pubnub::PresenceEvent& event) { on_presence(event); };
    each.on_link = [this](bool) { on_client_link(); };
    each.on_subscribed = [this](std::string_view channel) {
      if (auto named = clawnet_name(channel)) callbacks_.on_subscribed(*named, true);
    };
    each.on_publish_result = [this, key_set](int, int status, std::string_view text) {
      if (status != 200) callbacks_.on_error(fmt::format("pubnub {} publish refused ({}): {}", key_set, status, text));
    };
    each.on_error = [this, key_set](std::string_view text) {
      callbacks_.on_error(fmt::format("pubnub {}: {}", key_set, text));
    };
    return each;
  };
  secure_ = std::make_unique<PubnubClient>(io, client_options(config_, config_.secure, uuid_), client_callbacks("secure"));
  players_ =
      std::make_unique<PubnubClient>(io, client_options(config_, config_.players, uuid_), client_callbacks("players"));
}

PubnubLink::~PubnubLink() { stop(); }

void PubnubLink::start() {
  // The lobby's presence: the players' comings and goings for clawd; for both, a
  // subscription that keeps the players' key set's link known before any turn.
  players_->subscribe(pubnub_name(lobby_channel), Watch::presence_only);
  secure_->start();
  players_->start();
  sweep();
}

void PubnubLink::stop() {
  sweep_timer_.cancel();
  auto admissions = std::move(admissions_);
  admissions_.clear();
  for (auto& [id, done] : admissions) done(AdmitRefusal{"stopping", "the queue server is stopping"});
  secure_->stop();
  players_->stop();
  if (link_) {
    link_ = false;
    callbacks_.on_link(false);
  }
}

bool PubnubLink::link_up() const { return link_; }

std::string PubnubLink::pubnub_name(std::string_view channel) const { return config_.channel_prefix + std::string(channel); }

std::optional<std::string> PubnubLink::clawnet_name(std::string_view pubnub_channel) const {
  if (!pubnub_channel.starts_with(config_.channel_prefix)) return std::nullopt;
  return std::string(pubnub_channel.substr(config_.channel_prefix.size()));
}

PubnubClient& PubnubLink::client_for(std::string_view channel) {
  return channel == secure_channel ? *secure_ : *players_;
}

bool PubnubLink::publish(std::string_view channel, std::string_view payload) {
  return client_for(channel).publish(pubnub_name(channel), payload).has_value();
}

void PubnubLink::subscribe(std::string_view channel) {
  // clawd watches who is on the secure channel: the claw's presence.
  const bool watch_claw = role_ == TransportRole::server && channel == secure_channel;
  client_for(channel).subscribe(pubnub_name(channel), watch_claw ? Watch::messages_and_presence : Watch::messages);
}

void PubnubLink::unsubscribe(std::string_view channel) { client_for(channel).unsubscribe(pubnub_name(channel)); }

void PubnubLink::on_message(std::string_view pubnub_channel, std::string_view json, std::string_view publisher) {
  if (publisher == uuid_) return;  // Our own, back from PubNub.
  const std::optional<std::string> channel = clawnet_name(pubnub_channel);
  if (!channel.has_value()) return;
  // On a player's channel only the player speaks to us (its token binds its uuid to the
  // channel); the rest is the other daemon talking to the player, which a subscribe
  // from an older cursor can bring us.
  if (is_player_channel(*channel) && publisher != *channel) return;
  callbacks_.on_message(*channel, json);
}

void PubnubLink::on_presence(const pubnub::PresenceEvent& event) {
  if (role_ != TransportRole::server) return;
  if (event.action == "here_now_refresh") return ask_who_is_here();  // Too many to list in the event.
  const std::optional<PresenceKind> kind = presence_kind(event.action);
  const std::optional<std::string> channel = clawnet_name(event.channel);
  if (!kind.has_value() || !channel.has_value()) return;
  if (*channel == lobby_channel && is_player_channel(event.uuid)) {
    callbacks_.on_player_presence(event.uuid, *kind);
  } else if (*channel == secure_channel && event.uuid == config_.claw_uuid) {
    callbacks_.on_claw_presence(*kind == PresenceKind::join);
  }
}

void PubnubLink::on_client_link() {
  const bool up = secure_->link_up() && players_->link_up();
  if (up == link_) return;
  link_ = up;
  callbacks_.on_link(up);
  if (up && role_ == TransportRole::server) ask_who_is_here();
}

// Presence events sent while we were away are in PubNub's buffer past our cursor,
// but a restarted clawd has no cursor: here_now tells it who is there now.
void PubnubLink::ask_who_is_here() {
  players_->here_now(pubnub_name(lobby_channel), [this](PubnubClient::Result<std::vector<std::string>> result) {
    if (result.index() == 1) return callbacks_.on_error("pubnub here_now of the lobby: " + std::get<1>(result));
    for (const std::string& uuid : std::get<0>(result)) {
      if (is_player_channel(uuid)) callbacks_.on_player_presence(uuid, PresenceKind::join);
    }
  });
  secure_->here_now(pubnub_name(secure_channel), [this](PubnubClient::Result<std::vector<std::string>> result) {
    if (result.index() == 1) return callbacks_.on_error("pubnub here_now of the secure channel: " + std::get<1>(result));
    const auto& uuids = std::get<0>(result);
    callbacks_.on_claw_presence(std::find(uuids.begin(), uuids.end(), config_.claw_uuid) != uuids.end());
  });
}

boost::json::object PubnubLink::client_settings() const {
  return {{"transport", "pubnub"},
          {"pubnub", boost::json::object{{"origin", client_origin_of(config_)},
                                         {"tls", config_.tls},
                                         {"publish_key", config_.players.publish_key},
                                         {"subscribe_key", config_.players.subscribe_key},
                                         {"heartbeat_s", config_.player_heartbeat_s}}},
          {"lobby_topic", pubnub_name(lobby_channel)}};
}

std::string PubnubLink::page_connect_url() const {
  return fmt::format("{}://{}", config_.tls ? "https" : "http", client_origin_of(config_));
}

void PubnubLink::admit_player(const std::string& channel, const std::string&, std::function<void(AdmitResult)> done) {
  const std::uint64_t id = ++admission_counter_;
  admissions_.emplace(id, std::move(done));
  const std::vector<pubnub::ChannelRights> rights{{pubnub_name(channel), pubnub::right_read | pubnub::right_write},
                                                  {pubnub_name(lobby_channel), pubnub::right_read}};
  players_->grant(rights, config_.grant_ttl_minutes, channel, [this, id, channel](PubnubClient::Result<std::string> result) {
    const auto it = admissions_.find(id);
    if (it == admissions_.end()) return;  // Refused already (stop()).
    const std::function<void(AdmitResult)> answer = std::move(it->second);
    admissions_.erase(it);
    if (result.index() == 1) {
      callbacks_.on_error(fmt::format("pubnub grant for {} failed: {}", channel, std::get<1>(result)));
      return answer(AdmitRefusal{"broker_refused", "PubNub's Access Manager refused the player's token; try again"});
    }
    tokens_[channel] = std::get<0>(result);
    answer(access_of(channel, std::get<0>(result)));
  });
}

void PubnubLink::release_player(const std::string& channel) {
  if (tokens_.contains(channel)) revocations_.emplace(steady_now_ms() + revoke_linger_ms, channel);
}

PlayerAccess PubnubLink::access_of(const std::string& channel, const std::string& token) const {
  return PlayerAccess{
      .broker = {{"kind", "pubnub"},
                 {"origin", client_origin_of(config_)},
                 {"tls", config_.tls},
                 {"publish_key", config_.players.publish_key},
                 {"subscribe_key", config_.players.subscribe_key},
                 {"uuid", channel},
                 {"token", token},
                 {"heartbeat_s", config_.player_heartbeat_s}},
      .topics = {{"player", pubnub_name(channel)}, {"lobby", pubnub_name(lobby_channel)}},
  };
}

void PubnubLink::sweep() {
  const TimeMs now_ms = steady_now_ms();
  while (!revocations_.empty() && revocations_.begin()->first <= now_ms) {
    const std::string channel = revocations_.begin()->second;
    revocations_.erase(revocations_.begin());
    const auto token = tokens_.find(channel);
    if (token == tokens_.end()) continue;
    players_->revoke(token->second, [this, channel](std::optional<std::string> error) {
      if (error.has_value()) callbacks_.on_error(fmt::format("pubnub revoke for {} failed: {}", channel, *error));
    });
    tokens_.erase(token);
  }
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sweep();
  });
}

}  // namespace clawnet::prod
