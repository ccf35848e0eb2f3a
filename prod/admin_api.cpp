// The admin routes: the bearer check, the body of a kick, and the queue view.
#include "prod/admin_api.hpp"

#include "core/assert.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <utility>

namespace clawnet::prod {
namespace {

constexpr std::int64_t queue_view_default = 100;
constexpr std::int64_t queue_view_max = 10'000;

// The ticket of a kick body {"ticket": N}, or why the body is refused.
std::variant<Ticket, std::string> kick_ticket(std::string_view body) {
  boost::system::error_code code;
  const boost::json::value value = boost::json::parse(body, code);
  if (code) return fmt::format("the body is not JSON: {}", code.message());
  const boost::json::object* object = value.if_object();
  if (object == nullptr) return std::string("the body must be an object {\"ticket\": N}");
  for (const auto& field : *object) {
    if (field.key() != "ticket") return fmt::format("unknown field \"{}\" (only \"ticket\")", std::string(field.key()));
  }
  const boost::json::value* ticket = object->if_contains("ticket");
  if (ticket == nullptr) return std::string("missing field \"ticket\"");
  if (const std::int64_t* number = ticket->if_int64(); number != nullptr && *number > 0) {
    return static_cast<Ticket>(*number);
  }
  if (const std::uint64_t* number = ticket->if_uint64(); number != nullptr && *number > 0) return *number;
  return std::string("field \"ticket\" must be a whole number above 0");
}

HttpResponse answer_response(AdminAction action, const AdminAnswer& answer) {
  return json_response(answer.done ? 200 : 409, boost::json::object{{"action", to_string(action)},
                                                                    {"done", answer.done},
                                                                    {"detail", answer.detail}});
}

}  // namespace

bool constant_time_equal(std::string_view given, std::string_view expected) {
  CLAWNET_ASSERT(!expected.empty());
  unsigned difference = given.size() == expected.size() ? 0U : 1U;
  for (std::size_t index = 0; index < expected.size(); index += 1) {
    const char other = index < given.size() ? given[index] : '\0';
    difference |= static_cast<unsigned char>(other) ^ static_cast<unsigned char>(expected[index]);
  }
  return difference == 0;
}

bool admin_authorized(const HttpRequest& request, const HttpResponder& respond, std::string_view token) {
  constexpr std::string_view scheme = "Bearer ";
  const std::optional<std::string_view> header = request.header("Authorization");
  const bool bearer = header.has_value() && header->substr(0, scheme.size()) == scheme;
  if (bearer && constant_time_equal(header->substr(scheme.size()), token)) return true;
  HttpResponse refused =
      json_error(401, bearer ? "wrong admin token" : "an admin token is needed: Authorization: Bearer <token>");
  refused.headers.emplace_back("WWW-Authenticate", "Bearer");
  respond(std::move(refused));
  return false;
}

void add_admin_routes(HttpServer& http, std::string token, AdminHandlers handlers) {
  CLAWNET_ASSERT(!token.empty());
  // Shared by every route's handler: the routes outlive this call.
  const auto shared = std::make_shared<const std::pair<std::string, AdminHandlers>>(std::move(token), std::move(handlers));
  const auto authorized = [shared](const HttpRequest& request, const HttpResponder& respond) {
    return admin_authorized(request, respond, shared->first);
  };
  for (AdminAction action : {AdminAction::pause, AdminAction::resume, AdminAction::skip, AdminAction::kick,
                             AdminAction::estop, AdminAction::reset}) {
    // The body is checked here, after the token: a stranger learns nothing from it.
    const auto handler = [shared, authorized, action](const HttpRequest& request, HttpResponder respond) {
      if (!authorized(request, respond)) return;
      AdminRequest admin{action, 0};
      if (action == AdminAction::kick) {
        auto ticket = kick_ticket(request.body);
        if (auto* error = std::get_if<std::string>(&ticket)) return respond(json_error(400, *error));
        admin.ticket = std::get<Ticket>(ticket);
      } else if (auto error = check_empty_object_body(request.body)) {
        return respond(json_error(400, *error));
      }
      respond(answer_response(action, shared->second.act(admin, request.client_address)));
    };
    http.route(Method::post, fmt::format("/v1/admin/{}", to_string(action)), handler);
  }
  RouteOptions queue_options;
  queue_options.query = {QueryParameter{"limit", QueryParameter::Kind::integer, 0, queue_view_max}};
  http.route(
      Method::get, "/v1/admin/queue",
      [shared, authorized](const HttpRequest& request, HttpResponder respond) {
        if (!authorized(request, respond)) return;
        const std::int64_t limit = request.query.integer("limit").value_or(queue_view_default);
        respond(json_response(200, shared->second.queue(static_cast<std::size_t>(limit))));
      },
      std::move(queue_options));
}

boost::json::object admin_queue_view(const ServerMachine& machine, std::size_t limit) {
  const PlayerQueue& queue = machine.queue();
  boost::json::array waiting;
  for (std::size_t rank = 0; rank < std::min(limit, queue.size()); rank += 1) {
    const QueuedPlayer& player = queue.at(rank);
    waiting.push_back(boost::json::object{{"rank", rank},
                                          {"ticket", player.ticket},
                                          {"channel", player.channel},
                                          {"present", player.present}});
  }
  boost::json::value turn = nullptr;
  if (const std::optional<TurnView> open = machine.open_turn()) {
    turn = boost::json::object{{"turn", open->turn}, {"ticket", open->ticket}, {"channel", open->channel}};
  }
  return boost::json::object{{"mode", to_string(machine.queue_mode())},
                             {"state", machine.state_name()},
                             {"claw_online", machine.claw_online()},
                             {"turn", std::move(turn)},
                             {"length", queue.size()},
                             {"waiting", std::move(waiting)}};
}

}  // namespace clawnet::prod
