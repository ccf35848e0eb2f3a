#include "prod/http_router.hpp"

#include "core/assert.hpp"

namespace clawnet::prod {

void RouteTable::add(Route route) {
  CLAWNET_ASSERT(!route.path.empty());
  CLAWNET_ASSERT(route.path.front() == '/');
  for (const Route& existing : routes_) {
    CLAWNET_ASSERT(!(existing.method == route.method && existing.path == route.path &&
                     existing.prefix == route.prefix));
  }
  routes_.push_back(std::move(route));
}

RouteMatch RouteTable::find(std::optional<Method> method, std::string_view path) const {
  // The routes' key: the exact path if any route has it, else the longest prefix.
  const Route* key = nullptr;
  for (const Route& route : routes_) {
    if (!route.prefix && route.path == path) {
      key = &route;
      break;
    }
    const bool prefix_matches = route.prefix && path.size() > route.path.size() && path.starts_with(route.path);
    if (prefix_matches && (key == nullptr || route.path.size() > key->path.size())) key = &route;
  }
  RouteMatch match;
  if (key == nullptr) return match;
  if (key->prefix) match.tail = path.substr(key->path.size());
  for (const Route& route : routes_) {
    if (route.prefix != key->prefix || route.path != key->path) continue;
    if (method.has_value() && route.method == *method) {
      match.route = &route;
      return match;
    }
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += to_string(route.method);
  }
  return match;
}

}  // namespace clawnet::prod
