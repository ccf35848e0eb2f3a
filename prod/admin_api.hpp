// The operators' HTTP API of clawd (docs/deploy.md, "Operating a cabinet"):
//   POST /v1/admin/pause | resume | skip | estop | reset   body empty or {}
//   POST /v1/admin/kick                                     body {"ticket": N}
//   GET  /v1/admin/queue?limit=N                            the queue, its first N (default 100)
// Each action is one ServerMachine::handle_admin call (docs/protocol.md, "Operator
// actions"): 200 {"action","done":true,"detail"} when done, 409 with "done":false
// when the server refused it.
//
// Contract:
//  - Every request needs `Authorization: Bearer <token>`, the token read from
//    http.admin_token_file; it is compared in constant time (in the token's length).
//    Without it, or with another, the answer is 401 with `WWW-Authenticate: Bearer`
//    and nothing else happens.
//  - With no token configured the routes are not registered: 404, as for any path.
//  - A malformed body is refused with 400 naming what was wrong, after the token
//    check and before any action.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/server_machine.hpp"
#include "prod/http_server.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace clawnet::prod {

struct AdminHandlers {
  // Carries out one action and returns the server's answer (after its effects).
  std::function<AdminAnswer(AdminRequest request, std::string_view client_address)> act;
  // The queue as GET /v1/admin/queue shows it, its first `limit` waiting players.
  std::function<boost::json::object(std::size_t limit)> queue;
};

// REQUIRES: `token` is not empty.
void add_admin_routes(HttpServer& http, std::string token, AdminHandlers handlers);

// True iff a == b; the time taken depends on the length of `expected` only.
bool constant_time_equal(std::string_view given, std::string_view expected);

// True iff `request` carries `Authorization: Bearer <token>`; otherwise answers 401
// (with `WWW-Authenticate: Bearer`) and returns false. Every route behind the admin
// token (these, and the turns API) checks it first. REQUIRES: `token` is not empty.
bool admin_authorized(const HttpRequest& request, const HttpResponder& respond, std::string_view token);

// The JSON a GET /v1/admin/queue answers for `machine`.
boost::json::object admin_queue_view(const ServerMachine& machine, std::size_t limit);

}  // namespace clawnet::prod
