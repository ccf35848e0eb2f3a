// clawd's turns API (docs/deploy.md, "A player says it didn't move"):
//   GET /v1/turns?limit=N   the N newest turns (default 50, 1..1000), newest first:
//                           {"turns":[{turn, ticket, channel, started_ms, ended_ms,
//                           outcome, result, has_record}, ...]}
//   GET /v1/turns/{turn}    one turn and the claw's record of it (null when none is
//                           kept): {turn, ..., "record": {...}}; 404 for a turn never
//                           stored, 400 for a {turn} that is not a number above 0.
// The rows come from the store (QueueStore::recent_turns, QueueStore::turn).
//
// Contract:
//  - A record names the player's channel: the routes sit behind the admin bearer
//    token (prod/admin_api.hpp's check, 401 first), and are not registered without one.
//  - A store error is a 500 naming it; nothing is changed by these routes.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "prod/http_server.hpp"
#include "store/queue_store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet::prod {

inline constexpr std::int64_t turns_listed_default = 50;
inline constexpr std::int64_t turns_listed_max = 1'000;

// REQUIRES: `token` is not empty; `store` outlives the routes.
void add_turn_routes(HttpServer& http, std::string token, const QueueStore& store);

// The {turn} of GET /v1/turns/{turn}: a decimal number 1..2^63-1, digits only.
std::optional<Turn> parse_turn_number(std::string_view text);

boost::json::object turn_row_json(const TurnRow& row);
// The answer of GET /v1/turns/{turn}: the row's fields and "record" (an object or null).
boost::json::object turn_detail_json(const TurnDetail& detail);

}  // namespace clawnet::prod
