// clawd's web app routes (docs/web.md): the player page, the spectator page, their
// files, and GET /v1/config, which tells a page all it needs (so nobody types a topic
// or a port).
//
//   GET /            -> web.dir/index.html      GET /watch -> web.dir/watch.html
//   GET /<path>      -> a file of WebFiles (404 JSON otherwise)
//   GET /v1/config   -> {"transport", the transport's settings, "turn_ms","ready_ms",
//                        "grace_ms","command_repeat_ms","name_chars_max",
//                        "camera":{"kind","url"}}; the settings are, for "mqtt",
//                        "broker_url","keepalive_s","lobby_topic", and for "pubnub",
//                        "pubnub":{"origin","tls","publish_key","subscribe_key",
//                        "heartbeat_s"},"lobby_topic" (Transport::client_settings())
// Page and file answers carry:
//  - Cache-Control: no-cache and an ETag (a matching If-None-Match gets 304): the
//    files have no versioned names, so a browser revalidates and never runs stale code;
//  - a Content-Security-Policy allowing only this origin's scripts and styles (no inline
//    code), the broker's origin for connect-src (websockets for MQTT, PubNub's REST
//    origin for PubNub), and the camera's origin for
//    img/media/frame-src; X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer.
// "{host}" in web.broker_url becomes the host of the request's Host header (a page
// loaded from 192.168.1.20 talks to the broker there); a Host that is not a host name
// or address gets 400.
// Contract: call before HttpServer::start(); `files` outlives the server. The page
// routes take every GET path no other route has, so a wrong one gets 404 JSON.
#pragma once

#include "core/time.hpp"
#include "prod/config.hpp"
#include "prod/http_server.hpp"
#include "prod/web_files.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace clawnet::prod {

// The host name or address in a Host header value ("h:8080" -> "h", "[::1]:80" ->
// "[::1]"), or nullopt when it is not one.
std::optional<std::string> host_of(std::string_view host_header);
// web.broker_url with "{host}" replaced by the request's host; nullopt: a bad Host.
std::optional<std::string> broker_url_for(const WebConfig& web, const HttpRequest& request);
// The pages' policy; connect-src is the origin of `connect_url`, where their link goes.
std::string content_security_policy(const WebConfig& web, std::string_view connect_url);

// What GET /v1/config answers, besides the broker URL.
struct ClientSettings {
  boost::json::object transport;  // Transport::client_settings(): "transport" and its keys.
  TimeMs turn_ms = 0;
  TimeMs ready_ms = 0;
  TimeMs grace_ms = 0;
};

// The pages and files (with web.dir set). `connect_url`: where the pages' link goes
// (Transport::page_connect_url()); empty: web.broker_url.
void add_page_routes(HttpServer& http, const WebFiles& files, const WebConfig& web, std::string connect_url = {});
// GET /v1/config (always: a page may be hosted elsewhere).
void add_client_config_route(HttpServer& http, const WebConfig& web, ClientSettings settings);

}  // namespace clawnet::prod
