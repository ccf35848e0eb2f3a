// Transport: what the daemons' drivers need from a pub/sub network, in clawnet
// channels (the secure channel, the lobby, player channels; core/channels.hpp).
// Two implementations, chosen by broker.kind: MqttLink (Mosquitto, topics,
// retained presence, dynsec accounts; prod/mqtt_link.hpp) and PubnubLink (PubNub's
// REST API, presence, Access Manager tokens; prod/pubnub_link.hpp). The drivers
// know neither.
//
// Contract, for both:
//  - Every callback runs on the io_context's thread, from inside run().
//  - on_link(true) once the network is reachable, on_link(false) when it is lost
//    (never twice in a row).
//  - publish() is at-least-once; our own publishes never come back to us.
//  - on_subscribed(channel, granted) once a subscription is live: a message
//    published after it is delivered (the claw's subscribe-before-control).
//  - Role::server: on_player_presence for each player channel's join / leave /
//    timeout; it returns whether the player is still queued (a stale report is
//    then forgotten by the network). on_claw_presence when the claw comes or goes.
//  - Role::claw: announce_claw_status() keeps the claw's last status where a
//    (re)started server finds it; losing the claw says offline to the server.
//  - admit_player() gives a new player's client its rights and answers exactly
//    once, with what the join reply tells the client or a refusal; release_player()
//    takes the rights back a little later (its last messages still arrive).
// Not thread-safe: call from the io_context's thread only.
#pragma once

#include "core/presence.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace clawnet::prod {

enum class TransportRole : std::uint8_t { server, claw };

// What a join reply tells the player's client: how to connect, where to talk.
struct PlayerAccess {
  boost::json::object broker;
  boost::json::object topics;
};

// A join the network would not take: the reason a page acts on, words a person reads.
struct AdmitRefusal {
  std::string reason;  // broker_unreachable, broker_refused or stopping
  std::string text;
};

using AdmitResult = std::variant<PlayerAccess, AdmitRefusal>;

struct TransportCallbacks {
  std::function<void(std::string_view channel, std::string_view payload)> on_message;
  std::function<void(bool up)> on_link;
  std::function<void(std::string_view channel, bool granted)> on_subscribed;
  std::function<bool(std::string_view channel, PresenceKind kind)> on_player_presence;
  std::function<void(bool online)> on_claw_presence;
  // Operating errors worth a log line.
  std::function<void(std::string_view text)> on_error;
};

class Transport {
 public:
  virtual ~Transport() = default;

  virtual void start() = 0;
  virtual void stop() = 0;
  virtual bool link_up() const = 0;

  // False when it cannot be sent now (no link, no such channel, a full queue).
  virtual bool publish(std::string_view channel, std::string_view payload) = 0;
  virtual void subscribe(std::string_view channel) = 0;
  virtual void unsubscribe(std::string_view channel) = 0;

  // Role::claw.
  virtual void announce_claw_status(std::string_view payload) = 0;

  // Role::server. What GET /v1/config tells a page about this network:
  // {"transport": "mqtt" | "pubnub", ...} (prod/web_routes.hpp).
  virtual boost::json::object client_settings() const = 0;
  // Role::server. Where a page's link connects, for its Content-Security-Policy's
  // connect-src; empty: web.broker_url (for the host the page came from).
  virtual std::string page_connect_url() const = 0;

  // Role::server. `client_url` is where this request's client reaches the network
  // (web.broker_url for the host it came to); a transport may ignore it.
  virtual void admit_player(const std::string& channel, const std::string& client_url,
                            std::function<void(AdmitResult)> done) = 0;
  virtual void release_player(const std::string& channel) = 0;
  // Admissions begun and not yet answered.
  virtual std::size_t admissions_pending() const = 0;
  // Stale presence reports forgotten so far (a metric).
  virtual std::uint64_t presence_cleared() const = 0;
};

}  // namespace clawnet::prod
