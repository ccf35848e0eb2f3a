// PubnubLink: the Transport (prod/transport.hpp) on PubNub, the seed's cloud,
// through two PubnubClients (prod/pubnub_client.hpp), one per key set: the
// seed's two trust zones (docs/deploy.md, "PubNub").
//
//  - The secure channel lives on the secure key set, whose keys only clawd and
//    clawcab hold. The lobby and the player channels live on the players' key
//    set, where Access Manager is on: both daemons sign their requests with its
//    secret key; a player's client holds a token for its own channel only.
//  - PubNub channel names are pubnub.channel_prefix + the clawnet channel.
//  - Presence is PubNub's: a player's client subscribes to its channel and the
//    lobby with a heartbeat (its uuid is its channel); clawd watches the lobby's
//    presence and reports join / leave / timeout of each player uuid. clawcab
//    is present on the secure channel (uuid pubnub.claw_uuid); clawd watches
//    that presence for the claw's coming and going. After every link-up clawd
//    asks here_now of both, so a restarted clawd learns who is still there.
//  - Our own publishes are dropped when they come back (PubNub has no no_local),
//    and so is, on a player's channel, whatever its player did not publish (the
//    other daemon's words to the player: PubNub gives a new subscriber everything
//    after the subscription's cursor, which may predate the subscribe).
//  - admit_player() asks Access Manager for a token: read + write on the
//    player's channel, read on the lobby, for pubnub.grant_ttl_minutes, usable
//    by the player's uuid only; release_player() revokes it 5 s later.
//  - announce_claw_status() has nothing to do: the claw's presence says it.
#pragma once

#include "prod/config.hpp"
#include "prod/pubnub_client.hpp"
#include "prod/transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

namespace clawnet::prod {

class PubnubLink final : public Transport {
 public:
  // Throws std::runtime_error when TLS cannot be set up (a bad pubnub.ca_file).
  PubnubLink(boost::asio::io_context& io, const PubnubConfig& pubnub, TransportRole role, TransportCallbacks callbacks);
  ~PubnubLink() override;

  void start() override;
  void stop() override;
  bool link_up() const override;
  bool publish(std::string_view channel, std::string_view payload) override;
  void subscribe(std::string_view channel) override;
  void unsubscribe(std::string_view channel) override;
  void announce_claw_status(std::string_view) override {}
  boost::json::object client_settings() const override;
  std::string page_connect_url() const override;
  void admit_player(const std::string& channel, const std::string& client_url,
                    std::function<void(AdmitResult)> done) override;
  void release_player(const std::string& channel) override;
  std::size_t admissions_pending() const override { return admissions_.size(); }
  std::uint64_t presence_cleared() const override { return 0; }  // PubNub keeps no stale presence.

 private:
  std::string pubnub_name(std::string_view channel) const;
  std::optional<std::string> clawnet_name(std::string_view pubnub_channel) const;
  PubnubClient& client_for(std::string_view channel);
  void on_message(std::string_view pubnub_channel, std::string_view json, std::string_view publisher);
  void on_presence(const pubnub::PresenceEvent& event);
  void on_client_link();
  void ask_who_is_here();
  PlayerAccess access_of(const std::string& channel, const std::string& token) const;
  void sweep();

  PubnubConfig config_;
  TransportRole role_;
  TransportCallbacks callbacks_;
  std::string uuid_;
  std::unique_ptr<PubnubClient> secure_;
  std::unique_ptr<PubnubClient> players_;
  boost::asio::steady_timer sweep_timer_;
  bool link_ = false;
  std::uint64_t admission_counter_ = 0;
  std::map<std::uint64_t, std::function<void(AdmitResult)>> admissions_;  // Grants in flight.
  std::map<std::string, std::string> tokens_;                             // channel -> its token
  std::multimap<std::int64_t, std::string> revocations_;                  // due time -> channel
};

}  // namespace clawnet::prod
