// PubnubClient: one PubNub identity (keys + uuid) talking to PubNub's REST API
// (prod/pubnub_wire.hpp) on an Asio io_context, with no threads of its own.
//
// How it runs: three HttpLanes (prod/http_lane.hpp) to the origin: one holds the
// subscribe v2 long-poll; one sends publishes, heartbeats and leaves in order;
// one the slower calls (here_now, grant, revoke) so they never delay a command.
// The subscribe loop: a handshake (tt=0) for the channel set, then polls with the
// last cursor (tt, tr). A changed channel set cancels the poll in flight and
// hands shakes again, then polls from the old cursor, so no message on a channel
// already subscribed is lost. A failed poll is retried from the same cursor after
// a backoff that doubles from reconnect_min_ms up to reconnect_max_ms: PubNub
// answers a poll with everything newer than its cursor, so nothing sent while
// the link was down is lost (within PubNub's buffer of recent messages).
// Presence: every subscribe carries heartbeat=heartbeat_s, and heartbeats go
// every heartbeat_s / 2 - 1 s (at least 1 s) for the channels whose messages we
// receive (there we are present); unsubscribe() sends a leave, stop() a leave
// for every such channel.
//
// Contract:
//  - Every callback runs on the io_context's thread, from inside run().
//  - on_link(true) after the first answer of each run of good answers on the
//    subscribe lane; on_link(false) after a failure following one (never twice in
//    a row).
//  - on_subscribed(channel) once per subscribe(channel) (again after each
//    re-subscribe), when a handshake that includes it has been answered: from
//    then on a message published there reaches this client. PubNub never replays
//    what was published before (../shared/NOTES.md, "PubNub").
//  - on_message(channel, json, publisher) for each message on a channel whose
//    messages we watch, in the order PubNub gives; on_presence for each -pnpres
//    event of a channel whose presence we watch.
//  - publish() reports through on_publish_result(id, status, text): status 200
//    accepted, 403 refused by Access Manager, other HTTP statuses, or 0 for a
//    transport failure (text says which). Publishes are sent in order, never
//    retried (a command retried late is worse than one lost).
//  - here_now, grant and revoke answer their callback once, unless stop() came first.
//  - stop() drops what is queued; no callback runs after it.
// Not thread-safe: call from the io_context's thread only.
#pragma once

#include "prod/http_lane.hpp"
#include "prod/pubnub_wire.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clawnet::prod {

struct PubnubOptions {
  std::string origin = "ps.pndsn.com";  // Host name or address, no scheme.
  std::uint16_t port = 443;
  bool tls = true;
  bool verify_peer = true;
  std::string ca_file;  // Empty: the system's roots.
  pubnub::Identity identity;
  std::int64_t heartbeat_s = 300;  // The presence timeout PubNub applies to us.
  std::int64_t request_timeout_ms = 10'000;
  std::int64_t poll_timeout_ms = 310'000;  // PubNub holds a poll up to 280 s.
  std::int64_t reconnect_min_ms = 250;
  std::int64_t reconnect_max_ms = 10'000;
  std::size_t message_bytes_max = 32 * 1024;  // PubNub's limit, URL-encoded.
  std::size_t queue_max = 1'000;
};

struct PubnubCallbacks {
  std::function<void(std::string_view channel, std::string_view json, std::string_view publisher)> on_message;
  std::function<void(const pubnub::PresenceEvent& event)> on_presence;
  std::function<void(bool up)> on_link;
  std::function<void(std::string_view channel)> on_subscribed;
  std::function<void(int id, int status, std::string_view text)> on_publish_result;
  std::function<void(std::string_view text)> on_error;
};

class PubnubClient {
 public:
  template <class T>
  using Result = std::variant<T, std::string>;  // The value, or what went wrong.

  // Throws std::runtime_error when TLS cannot be set up (bad ca_file).
  PubnubClient(boost::asio::io_context& io, PubnubOptions options, PubnubCallbacks callbacks);
  ~PubnubClient();
  PubnubClient(const PubnubClient&) = delete;
  PubnubClient& operator=(const PubnubClient&) = delete;

  void start();
  void stop();
  bool link_up() const;

  // The message id, or nullopt when the payload is too large or the queue full
  // (the reason goes to on_error).
  std::optional<int> publish(std::string_view channel, std::string_view json);
  // What a subscription receives. Subscribing to a channel's messages makes this
  // client present there (heartbeats, leave); watching only its presence does not.
  enum class Watch : std::uint8_t { messages, messages_and_presence, presence_only };
  void subscribe(std::string_view channel, Watch watch = Watch::messages);
  void unsubscribe(std::string_view channel);
  bool subscribed(std::string_view channel) const;
  // The auth token sent with every request from now on (empty: none).
  void set_auth(std::string token);

  void here_now(std::string_view channel, std::function<void(Result<std::vector<std::string>>)> done);
  // REQUIRES: a secret key. A token with `channels`' rights for `ttl_minutes`,
  // for `authorized_uuid` only.
  void grant(const std::vector<pubnub::ChannelRights>& channels, std::int64_t ttl_minutes,
             std::string_view authorized_uuid, std::function<void(Result<std::string>)> done);
  void revoke(std::string_view token, std::function<void(std::optional<std::string> error)> done);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace clawnet::prod
