// PubNub's REST protocol as data: request targets, request signing (signature
// v2), and the answers parsed. No I/O: prod/pubnub_client.hpp sends what this
// builds. Paths and fields follow PubNub's REST API documentation and what the
// official JavaScript SDK sends (../shared/NOTES.md, "PubNub").
//
//   publish     GET /publish/{pub}/{sub}/0/{channel}/0/{json}          -> [1,"Sent","<tt>"]
//   subscribe   GET /v2/subscribe/{sub}/{ch,ch-pnpres,...}/0?tt=&tr=&heartbeat=
//               -> {"t":{"t":"<tt>","r":R},"m":[{"c":ch,"d":payload,"i":uuid,"p":{"t":..}}]}
//   heartbeat   GET /v2/presence/sub-key/{sub}/channel/{ch,...}/heartbeat?heartbeat=N
//   leave       GET /v2/presence/sub-key/{sub}/channel/{ch,...}/leave
//   here_now    GET /v2/presence/sub-key/{sub}/channel/{ch}        -> {"uuids":[...],...}
//   grant       POST /v3/pam/{sub}/grant  (signed)                 -> {"data":{"token":..}}
//   revoke      DELETE /v3/pam/{sub}/grant/{token}  (signed)
// Every request carries uuid= and, when set, auth=<token>; with a secret key every
// request is signed (timestamp= and signature=v2.<base64url HMAC-SHA256>), which
// Access Manager lets through whatever the channel.
//
// Contract: pure functions; the parsers never throw and name what was wrong.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace clawnet::prod::pubnub {

// The presence channel PubNub pairs with every channel.
inline constexpr std::string_view presence_suffix = "-pnpres";

// Percent-encodes everything but letters, digits and `-_.` (uppercase escapes),
// as PubNub signs query values.
std::string percent_encode(std::string_view text);

// Which keys and identity a request is made with.
struct Identity {
  std::string publish_key;
  std::string subscribe_key;
  std::string secret_key;  // Empty: requests are not signed.
  std::string uuid;        // Required.
  std::string auth;        // An Access Manager token; may be empty.
};

enum class Verb : std::uint8_t { get, post, del };
std::string_view to_string(Verb verb);

// One HTTP request, ready to send to the origin.
struct Request {
  Verb verb = Verb::get;
  std::string target;  // Path and query, encoded.
  std::string body;    // POST only (JSON).
};

using Query = std::vector<std::pair<std::string, std::string>>;  // Unencoded names and values.

// The signature v2 of a request: "v2." + base64url(HMAC-SHA256(secret,
// "{VERB}\n{pub}\n{path}\n{sorted query}\n{body}")) without padding.
std::string signature_v2(std::string_view secret_key, std::string_view publish_key, Verb verb,
                         std::string_view path, const Query& query, std::string_view body);

// Builds a request: adds uuid, auth and, with a secret key, timestamp (unix
// seconds `now_s`) and signature to `query`, sorted.
Request make_request(const Identity& identity, Verb verb, std::string path, Query query, std::string body,
                     std::int64_t now_s);

// Request paths (channel names are percent-encoded here).
std::string publish_path(const Identity& identity, std::string_view channel, std::string_view json);
std::string subscribe_path(const Identity& identity, const std::vector<std::string>& channels);
std::string heartbeat_path(const Identity& identity, const std::vector<std::string>& channels);
std::string leave_path(const Identity& identity, const std::vector<std::string>& channels);
std::string here_now_path(const Identity& identity, std::string_view channel);
std::string grant_path(const Identity& identity);
std::string revoke_path(const Identity& identity, std::string_view token);

// Access Manager's permission bits (a token's rights on one channel).
inline constexpr int right_read = 1;
inline constexpr int right_write = 2;

struct ChannelRights {
  std::string channel;
  int rights = 0;  // right_read | right_write
};

// The grant body: `channels`, each with its rights, for `ttl_minutes`, usable
// only by `authorized_uuid`.
std::string grant_body(const std::vector<ChannelRights>& channels, std::int64_t ttl_minutes,
                       std::string_view authorized_uuid);

// A subscribe answer.
struct Envelope {
  std::string channel;
  std::string payload;    // The message as JSON text.
  std::string publisher;  // The publisher's uuid; may be empty.
};
struct PresenceEvent {
  std::string channel;  // Without the -pnpres suffix.
  std::string action;   // join | leave | timeout | state-change | interval
  std::string uuid;
  std::int64_t occupancy = 0;
};
struct SubscribeAnswer {
  std::string timetoken;
  std::int64_t region = 0;
  std::vector<Envelope> messages;
  std::vector<PresenceEvent> presence;
  // Envelopes left out, each with why: malformed, or not a message (a signal, a
  // file, ...: "e" other than 0). The cursor moves past them all the same, so one
  // bad envelope never stalls a subscriber.
  std::vector<std::string> skipped;
};
// An answer without a valid cursor is an error. PubNub's "interval" presence
// events (above its announce-max occupancy) become one event per uuid in their
// join / leave / timeout lists, and "here_now_refresh": true one event with that
// action: the list was too long to send, ask here_now.
std::variant<SubscribeAnswer, std::string> parse_subscribe(std::string_view body);

// A publish answer: the timetoken PubNub assigned.
std::variant<std::string, std::string> parse_publish(std::string_view body);

// here_now for one channel: the uuids present.
std::variant<std::vector<std::string>, std::string> parse_here_now(std::string_view body);

// A grant answer: the token.
std::variant<std::string, std::string> parse_grant(std::string_view body);

// An error answer's words (PubNub's {"message": ..., "error": true, ...} or
// [0, "text", ...]); the body itself, cut short, if it has none.
std::string error_text(std::string_view body);

}  // namespace clawnet::prod::pubnub
