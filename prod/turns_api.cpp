// The turns routes: the list, one turn with its record, and their JSON.
#include "prod/turns_api.hpp"

#include "core/assert.hpp"
#include "prod/admin_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <limits>
#include <memory>
#include <utility>

namespace clawnet::prod {
namespace {

// The admin API's bearer check (prod/admin_api.hpp): 401 before anything else.
boost::json::value optional_json(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::value(*text);
}

}  // namespace

std::optional<Turn> parse_turn_number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  Turn turn = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    turn = turn * 10 + static_cast<Turn>(c - '0');
  }
  if (turn == 0 || turn > static_cast<Turn>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return turn;
}

boost::json::object turn_row_json(const TurnRow& row) {
  boost::json::value ended = nullptr;
  if (row.ended_ms) ended = *row.ended_ms;
  return boost::json::object{{"turn", row.turn},
                             {"ticket", row.ticket},
                             {"channel", row.channel},
                             {"started_ms", row.started_ms},
                             {"ended_ms", std::move(ended)},
                             {"outcome", optional_json(row.outcome)},
                             {"result", optional_json(row.result)},
                             {"has_record", row.has_record}};
}

boost::json::object turn_detail_json(const TurnDetail& detail) {
  boost::json::object object = turn_row_json(detail.row);
  object.erase("has_record");
  object["record"] = nullptr;
  if (detail.record) object["record"] = boost::json::parse(encode_turn_record(*detail.record));
  return object;
}

void add_turn_routes(HttpServer& http, std::string token, const QueueStore& store) {
  CLAWNET_ASSERT(!token.empty());
  const auto kept_token = std::make_shared<const std::string>(std::move(token));  // The routes outlive this call.
  RouteOptions list_options;
  list_options.query = {QueryParameter{"limit", QueryParameter::Kind::integer, 1, turns_listed_max}};
  http.route(
      Method::get, "/v1/turns",
      [kept_token, &store](const HttpRequest& request, HttpResponder respond) {
        if (!admin_authorized(request, respond, *kept_token)) return;
        const std::int64_t limit = request.query.integer("limit").value_or(turns_listed_default);
        auto rows = store.recent_turns(static_cast<std::size_t>(limit));
        if (auto* error = std::get_if<StoreError>(&rows)) return respond(json_error(500, "store: " + error->message));
        boost::json::array turns;
        for (const TurnRow& row : std::get<std::vector<TurnRow>>(rows)) turns.push_back(turn_row_json(row));
        respond(json_response(200, boost::json::object{{"turns", std::move(turns)}}));
      },
      std::move(list_options));
  http.route_prefix(
      Method::get, "/v1/turns/",
      [kept_token, &store](const HttpRequest& request, HttpResponder respond) {
        if (!admin_authorized(request, respond, *kept_token)) return;
        const std::optional<Turn> turn = parse_turn_number(request.tail);
        if (!turn) {
          return respond(json_error(400, fmt::format("the turn must be a whole number above 0, not \"{}\"",
                                                     request.tail.substr(0, 40))));
        }
        auto found = store.turn(*turn);
        if (auto* error = std::get_if<StoreError>(&found)) return respond(json_error(500, "store: " + error->message));
        const std::optional<TurnDetail>& detail = std::get<std::optional<TurnDetail>>(found);
        if (!detail) return respond(json_error(404, fmt::format("no turn {} is stored", *turn)));
        respond(json_response(200, turn_detail_json(*detail)));
      });
}

}  // namespace clawnet::prod
