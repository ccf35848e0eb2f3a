// MqttLink: the Transport (prod/transport.hpp) on an MQTT 5 broker (Mosquitto),
// through one MqttTransport connection. docs/deploy.md describes the topics and
// the broker's rules.
//
//  - Channels are topics (prod/topics.hpp); every publish and subscription is QoS
//    1, and subscriptions are no_local (our own publishes are not input for us).
//  - Role::claw: client id "clawcab"; a retained last will {"status":"CLAW_OFFLINE"}
//    on the claw status topic; announce_claw_status() publishes there, retained,
//    and again after every reconnect.
//  - Role::server: client id "clawd"; subscribes to the claw status and to every
//    player's presence topic (retained "join" | "leave" | "timeout", the player's
//    will). A presence of a player no longer queued is cleared (an empty retained
//    message), as is each released player's.
//  - With broker.player_accounts, admit_player() creates a dynsec account for the
//    player (prod/broker_accounts.hpp) and answers when the broker does (or
//    refuses after 10 s, on a lost link or at stop()); release_player() deletes it
//    5 s later. Without, the answer is immediate and carries no password.
#pragma once

#include "prod/config.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/topics.hpp"
#include "prod/transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

namespace clawnet::prod {

class MqttLink final : public Transport {
 public:
  MqttLink(boost::asio::io_context& io, const BrokerConfig& broker, TransportRole role, TransportCallbacks callbacks);
  ~MqttLink() override;

  void start() override;
  void stop() override;
  bool link_up() const override;
  bool publish(std::string_view channel, std::string_view payload) override;
  void subscribe(std::string_view channel) override;
  void unsubscribe(std::string_view channel) override;
  void announce_claw_status(std::string_view payload) override;
  boost::json::object client_settings() const override;
  std::string page_connect_url() const override { return {}; }
  void admit_player(const std::string& channel, const std::string& client_url,
                    std::function<void(AdmitResult)> done) override;
  void release_player(const std::string& channel) override;
  std::size_t admissions_pending() const override { return admissions_.size(); }
  std::uint64_t presence_cleared() const override { return presence_cleared_; }

 private:
  struct Admission {
    std::string channel;
    std::string password;
    std::string client_url;
    std::int64_t started_ms = 0;
    std::function<void(AdmitResult)> done;
  };

  void on_message(std::string_view topic, std::string_view payload);
  void on_link(bool up);
  void on_account_answer(std::string_view payload);
  void on_presence(const std::string& channel, std::string_view payload);
  PlayerAccess access_of(const Admission& admission) const;
  void clear_presence(const std::string& channel);
  void delete_account(const std::string& channel);
  void refuse_all(const AdmitRefusal& refusal);
  void sweep();

  BrokerConfig broker_;
  TransportRole role_;
  TransportCallbacks callbacks_;
  TopicMap topics_;
  std::unique_ptr<MqttTransport> mqtt_;
  boost::asio::steady_timer sweep_timer_;
  std::string status_payload_;  // Role::claw: the last announced status.
  std::uint64_t correlation_counter_ = 0;
  std::uint64_t presence_cleared_ = 0;
  std::map<std::string, Admission> admissions_;            // correlation -> admission
  std::multimap<std::int64_t, std::string> deletions_;  // due time -> channel
};

}  // namespace clawnet::prod
