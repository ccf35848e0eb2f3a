// RouteTable: the routes of an HttpServer (prod/http_server.hpp, "Routing") and
// the choice of one for a request's method and path. Pure: no I/O.
//
// Contract:
//  - find() returns the route for (method, path), or why there is none: no route
//    matches the path (404), or the path matches but not the method (405, with the
//    path's methods for Allow, in registration order).
//  - An exact route wins over a prefix route; the longest matching prefix wins.
//    A prefix matches only a strictly longer path (the tail is never empty).
// Not thread-safe (plain values).
#pragma once

#include "prod/http_server.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clawnet::prod {

struct Route {
  Method method = Method::get;
  std::string path;  // Exact path, or the prefix.
  bool prefix = false;
  HttpHandler handler;
  RouteOptions options;
};

struct RouteMatch {
  const Route* route = nullptr;  // Null: no route for this method (see allow).
  std::string_view tail;         // Prefix routes: the rest of the path.
  std::string allow;             // When route is null: "" (404) or "GET, POST" (405).
};

class RouteTable {
 public:
  // REQUIRES: route.path starts with '/'; no route with the same method, path and kind.
  void add(Route route);
  // `method` is nullopt for a method we do not route at all (a 405 if the path is known).
  RouteMatch find(std::optional<Method> method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace clawnet::prod
