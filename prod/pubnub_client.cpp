#include "prod/pubnub_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace clawnet::prod {

namespace asio = boost::asio;
using pubnub::Verb;

namespace {

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

HttpLaneOptions lane_options(const PubnubOptions& options) {
  HttpLaneOptions lane;
  lane.host = options.origin;
  lane.port = options.port;
  lane.tls = options.tls;
  lane.verify_peer = options.verify_peer;
  lane.ca_file = options.ca_file;
  lane.connect_timeout_ms = options.request_timeout_ms;
  lane.queue_max = options.queue_max;
  return lane;
}

// What an answer that is not a success says, for a log line.
std::string failure_text(const HttpLaneAnswer& answer) {
  if (!answer.ok) return answer.error;
  return fmt::format("HTTP {}: {}", answer.status, pubnub::error_text(answer.body));
}

}  // namespace

struct PubnubClient::Impl : std::enable_shared_from_this<Impl> {
  using Watch = PubnubClient::Watch;

  Impl(asio::io_context& context, PubnubOptions client_options, PubnubCallbacks client_callbacks)
      : io(context), options(std::move(client_options)), callbacks(std::move(client_callbacks)),
        poll_lane(context, lane_options(options)), command_lane(context, lane_options(options)),
        admin_lane(context, lane_options(options)), backoff_timer(context), heartbeat_timer(context),
        backoff_ms(options.reconnect_min_ms) {}

  pubnub::Request request(Verb verb, std::string path, pubnub::Query query = {}, std::string body = {}) const {
    return pubnub::make_request(options.identity, verb, std::move(path), std::move(query), std::move(body),
                                unix_now_s());
  }

  HttpLaneRequest lane_request(const pubnub::Request& request, std::int64_t timeout_ms) const {
    return HttpLaneRequest{std::string(pubnub::to_string(request.verb)), request.target, request.body, timeout_ms};
  }

  static bool has_messages(Watch watch) { return watch != Watch::presence_only; }
  static bool has_presence(Watch watch) { return watch != Watch::messages; }

  // Subscribed channels as PubNub names them: each whose messages we watch, and
  // its -pnpres where we watch presence.
  std::vector<std::string> subscribe_list() const {
    std::vector<std::string> list;
    for (const auto& [channel, watch] : channels) {
      if (has_messages(watch)) list.push_back(channel);
      if (has_presence(watch)) list.push_back(channel + std::string(pubnub::presence_suffix));
    }
    return list;
  }

  // Where we are present: the channels whose messages we watch.
  std::vector<std::string> present_channels() const {
    std::vector<std::string> names;
    for (const auto& [channel, watch] : channels) {
      if (has_messages(watch)) names.push_back(channel);
    }
    return names;
  }

  std::vector<std::string> channel_names() const {
    std::vector<std::string> names;
    for (const auto& [channel, watch] : channels) names.push_back(channel);
    return names;
  }

  void start() {
    if (running) return;
    running = true;
    poll();
    heartbeat();
  }

  // The command lane keeps only a last leave, sent while the io_context runs on
  // (others then see us go at once, not heartbeat_s later); the destructor drops it.
  void stop() {
    const bool was_running = running;
    running = false;
    backoff_timer.cancel();
    heartbeat_timer.cancel();
    poll_lane.stop();
    admin_lane.stop();
    command_lane.drop_all();
    if (was_running && !present_channels().empty()) {
      const pubnub::Request leave = request(Verb::get, pubnub::leave_path(options.identity, present_channels()));
      command_lane.send(lane_request(leave, options.request_timeout_ms), [](HttpLaneAnswer) {});
    }
    set_link(false);
  }

  void set_link(bool up) {
    if (up == link) return;
    link = up;
    if (callbacks.on_link) callbacks.on_link(up);
  }

  void error(std::string_view text) {
    if (callbacks.on_error) callbacks.on_error(text);
  }

  // The subscribe loop: one handshake or poll in flight at a time.
  void poll() {
    if (!running || polling || backing_off || channels.empty()) return;
    polling = true;
    const bool handshake = needs_handshake || cursor.empty();
    pubnub::Query query{{"heartbeat", std::to_string(options.heartbeat_s)}};
    if (handshake) {
      query.emplace_back("tt", "0");
    } else {
      query.emplace_back("tt", cursor);
      query.emplace_back("tr", std::to_string(region));
    }
    std::vector<std::string> asked = channel_names();
    needs_handshake = false;
    const pubnub::Request subscribe =
        request(Verb::get, pubnub::subscribe_path(options.identity, subscribe_list()), std::move(query));
    const std::int64_t timeout_ms = handshake ? options.request_timeout_ms : options.poll_timeout_ms;
    poll_lane.send(lane_request(subscribe, timeout_ms),
                   [self = shared_from_this(), handshake, asked = std::move(asked)](HttpLaneAnswer answer) {
                     self->polling = false;
                     self->on_poll_answer(handshake, asked, std::move(answer));
                   });
  }

  void on_poll_answer(bool handshake, const std::vector<std::string>& asked, HttpLaneAnswer answer) {
    if (!running) return;
    if (!answer.ok && answer.error == "cancelled") {
      needs_handshake = true;  // The channel set changed under the request.
      return poll();
    }
    if (!answer.ok || answer.status != 200) return poll_failed(failure_text(answer));
    auto parsed = pubnub::parse_subscribe(answer.body);
    if (auto* problem = std::get_if<std::string>(&parsed)) return poll_failed(*problem);
    auto& subscribe = std::get<pubnub::SubscribeAnswer>(parsed);
    backoff_ms = options.reconnect_min_ms;
    set_link(true);
    if (handshake) {
      if (cursor.empty()) {
        cursor = subscribe.timetoken;
        region = subscribe.region;
      }
      for (const std::string& channel : asked) {
        if (unreported.erase(channel) > 0 && callbacks.on_subscribed) callbacks.on_subscribed(channel);
      }
    } else {
      deliver(subscribe);
      cursor = std::move(subscribe.timetoken);
      region = subscribe.region;
    }
    poll();
  }

  void deliver(const pubnub::SubscribeAnswer& answer) {
    for (const std::string& reason : answer.skipped) error("subscribe: skipped " + reason);
    for (const pubnub::Envelope& envelope : answer.messages) {
      const auto it = channels.find(envelope.channel);
      if (it == channels.end() || !has_messages(it->second) || !callbacks.on_message) continue;
      callbacks.on_message(envelope.channel, envelope.payload, envelope.publisher);
      if (!running) return;
    }
    for (const pubnub::PresenceEvent& event : answer.presence) {
      const auto it = channels.find(event.channel);
      if (it == channels.end() || !has_presence(it->second) || !callbacks.on_presence) continue;
      callbacks.on_presence(event);
      if (!running) return;
    }
  }

  void poll_failed(const std::string& text) {
    error("subscribe: " + text);
    set_link(false);
    backing_off = true;
    backoff_timer.expires_after(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, options.reconnect_max_ms);
    backoff_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      self->backing_off = false;
      if (!ec) self->poll();
    });
  }

  void changed() {
    needs_handshake = true;
    if (polling) return poll_lane.cancel_current();  // Its callback polls again.
    poll();
  }

  void heartbeat() {
    const std::int64_t every_s = std::max<std::int64_t>(1, options.heartbeat_s / 2 - 1);
    heartbeat_timer.expires_after(std::chrono::seconds(every_s));
    heartbeat_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || !self->running) return;
      self->send_heartbeat();
      self->heartbeat();
    });
  }

  void send_heartbeat() {
    if (present_channels().empty()) return;
    const pubnub::Request beat = request(Verb::get, pubnub::heartbeat_path(options.identity, present_channels()),
                                         {{"heartbeat", std::to_string(options.heartbeat_s)}});
    command_lane.send(lane_request(beat, options.request_timeout_ms), [self = shared_from_this()](HttpLaneAnswer answer) {
      if (!answer.ok || answer.status != 200) self->error("heartbeat: " + failure_text(answer));
    });
  }

  std::optional<int> publish(std::string_view channel, std::string_view json) {
    const std::string path = pubnub::publish_path(options.identity, channel, json);
    if (pubnub::percent_encode(json).size() > options.message_bytes_max) {
      error(fmt::format("publish to {}: the message is over {} bytes encoded", channel, options.message_bytes_max));
      return std::nullopt;
    }
    const int id = ++publish_counter;
    const bool queued = command_lane.send(
        lane_request(request(Verb::get, path), options.request_timeout_ms),
        [self = shared_from_this(), id](HttpLaneAnswer answer) {
          if (!self->callbacks.on_publish_result) return;
          if (!answer.ok) return self->callbacks.on_publish_result(id, 0, answer.error);
          if (answer.status != 200) {
            return self->callbacks.on_publish_result(id, answer.status, pubnub::error_text(answer.body));
          }
          auto sent = pubnub::parse_publish(answer.body);
          if (sent.index() == 1) return self->callbacks.on_publish_result(id, 0, std::get<1>(sent));
          self->callbacks.on_publish_result(id, 200, std::get<0>(sent));
        });
    if (!queued) {
      error(fmt::format("publish to {}: the request queue is full", channel));
      return std::nullopt;
    }
    return id;
  }

  void subscribe(std::string_view channel, Watch watch) {
    // Already subscribed: hands shake again all the same, so on_subscribed follows.
    auto [it, added] = channels.try_emplace(std::string(channel), watch);
    if (!added && it->second != watch) it->second = Watch::messages_and_presence;
    unreported.insert(it->first);
    changed();
  }

  void unsubscribe(std::string_view channel) {
    const auto it = channels.find(channel);
    if (it == channels.end()) return;
    unreported.erase(it->first);
    if (has_messages(it->second)) {
      const pubnub::Request leave = request(Verb::get, pubnub::leave_path(options.identity, {it->first}));
      command_lane.send(lane_request(leave, options.request_timeout_ms),
                        [self = shared_from_this()](HttpLaneAnswer answer) {
                          if (!answer.ok || answer.status != 200) self->error("leave: " + failure_text(answer));
                        });
    }
    channels.erase(it);
    changed();
  }

  template <class T, class Parse>
  void admin_call(const pubnub::Request& call, std::function<void(Result<T>)> done, Parse parse) {
    const bool queued = admin_lane.send(lane_request(call, options.request_timeout_ms),
                                        [done, parse](HttpLaneAnswer answer) {
                                          if (!answer.ok || answer.status != 200) {
                                            return done(Result<T>(std::in_place_index<1>, failure_text(answer)));
                                          }
                                          done(parse(answer.body));
                                        });
    if (queued) return;
    asio::post(io, [self = shared_from_this(), done] {
      if (self->running) done(Result<T>(std::in_place_index<1>, "the request queue is full"));
    });
  }

  asio::io_context& io;
  PubnubOptions options;
  PubnubCallbacks callbacks;
  HttpLane poll_lane;
  HttpLane command_lane;
  HttpLane admin_lane;
  asio::steady_timer backoff_timer;
  asio::steady_timer heartbeat_timer;
  std::map<std::string, Watch, std::less<>> channels;  // channel -> what we receive from it
  std::set<std::string, std::less<>> unreported;      // Subscribed, on_subscribed not yet called.
  std::string cursor;                                 // The last timetoken; empty before a handshake.
  std::int64_t region = 0;
  std::int64_t backoff_ms;
  int publish_counter = 0;
  bool running = false;
  bool polling = false;
  bool backing_off = false;
  bool needs_handshake = true;
  bool link = false;
};

PubnubClient::PubnubClient(asio::io_context& io, PubnubOptions options, PubnubCallbacks callbacks)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(callbacks))) {}

PubnubClient::~PubnubClient() {
  impl_->stop();
  impl_->command_lane.stop();  // Breaks the lanes' hold on impl_ (their callbacks own it).
}

void PubnubClient::start() { impl_->start(); }
void PubnubClient::stop() { impl_->stop(); }
bool PubnubClient::link_up() const { return impl_->link; }
std::optional<int> PubnubClient::publish(std::string_view channel, std::string_view json) {
  return impl_->publish(channel, json);
}
void PubnubClient::subscribe(std::string_view channel, Watch watch) { impl_->subscribe(channel, watch); }
void PubnubClient::unsubscribe(std::string_view channel) { impl_->unsubscribe(channel); }
bool PubnubClient::subscribed(std::string_view channel) const { return impl_->channels.contains(channel); }
void PubnubClient::set_auth(std::string token) { impl_->options.identity.auth = std::move(token); }

void PubnubClient::here_now(std::string_view channel, std::function<void(Result<std::vector<std::string>>)> done) {
  impl_->admin_call<std::vector<std::string>>(impl_->request(Verb::get, pubnub::here_now_path(impl_->options.identity,
                                                                                               channel)),
                                              std::move(done), pubnub::parse_here_now);
}

void PubnubClient::grant(const std::vector<pubnub::ChannelRights>& channels, std::int64_t ttl_minutes,
                         std::string_view authorized_uuid, std::function<void(Result<std::string>)> done) {
  impl_->admin_call<std::string>(impl_->request(Verb::post, pubnub::grant_path(impl_->options.identity), {},
                                                pubnub::grant_body(channels, ttl_minutes, authorized_uuid)),
                                 std::move(done), pubnub::parse_grant);
}

void PubnubClient::revoke(std::string_view token, std::function<void(std::optional<std::string>)> done) {
  auto wrapped = [done = std::move(done)](Result<bool> result) {
    done(result.index() == 1 ? std::optional<std::string>(std::get<1>(result)) : std::nullopt);
  };
  impl_->admin_call<bool>(impl_->request(Verb::del, pubnub::revoke_path(impl_->options.identity, token)),
                          std::move(wrapped), [](std::string_view) { return Result<bool>(true); });
}

}  // namespace clawnet::prod
