// WatchBoard: what spectators see (GET /v1/watch, docs/web.md): the claw, the queue,
// who plays by display name and how long the turn has left, and the last result.
// clawd feeds it the names of accepted joins and every effect it carries out; it
// keeps a name while its player waits or plays and forgets it when the player is
// done, so it holds at most one name per queued player.
//
//   {"claw":"online|offline","queue":"running|paused|stopped","queue_length":N,
//    "turn":{"turn","name","left_ms","turn_ms"} or null,
//    "last_result":{"turn","name","result"} or null}
// A player without a name (one that joined without, or restored after a restart of
// clawd: names are not stored) shows as "Player <ticket>".
// Not thread-safe.
#pragma once

#include "core/effects.hpp"
#include "core/server_machine.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <unordered_map>

namespace clawnet::prod {

class WatchBoard {
 public:
  void named(Ticket ticket, std::string name);
  void observe(const Effect& effect);
  boost::json::object view(const ServerMachine& machine, TimeMs now_ms) const;

 private:
  std::string name_of(Ticket ticket) const;

  struct LastResult {
    Turn turn = 0;
    std::string name;
    TurnResult result = TurnResult::loss;
  };
  std::unordered_map<Ticket, std::string> names_;
  std::optional<LastResult> last_;
};

}  // namespace clawnet::prod
