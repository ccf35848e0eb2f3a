// PlayerQueue: the players waiting for the claw, in join (ticket) order.
//
// Every operation is O(log N): an order-statistics tree over tickets answers
// "position of player" and "player at position" without walking the queue, so
// a queue of 1,000,000 players stays cheap. Not thread-safe (core is single-threaded).
//
// Invariants:
//  1. Each ticket and each channel appears at most once.
//  2. present_ holds exactly the tickets of queued players marked present.
#pragma once

#include "core/protocol.hpp"

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace clawnet {

struct QueuedPlayer {
  Ticket ticket = 0;
  std::string channel;
  bool present = false;
  std::uint64_t shown_position = 0;  // The last position this player was told.
};

class PlayerQueue {
 public:
  // REQUIRES: neither ticket nor channel is queued.
  void insert(Ticket ticket, std::string channel, bool present);
  // Removes the player; returns the rank it had, or nullopt if it was not queued.
  std::optional<std::size_t> erase(Ticket ticket);
  void set_present(Ticket ticket, bool present);
  void set_shown_position(Ticket ticket, std::uint64_t position);

  const QueuedPlayer* find(Ticket ticket) const;
  std::optional<Ticket> ticket_of(std::string_view channel) const;
  // Number of players ahead. REQUIRES: ticket is queued.
  std::size_t rank_of(Ticket ticket) const;
  // REQUIRES: rank < size().
  const QueuedPlayer& at(std::size_t rank) const;
  // The earliest-joined present player, if any.
  std::optional<Ticket> first_present() const;

  std::size_t size() const { return players_.size(); }
  bool empty() const { return players_.empty(); }
  std::size_t present_count() const { return present_.size(); }

  // Visits players in queue order. O(N); for restarts, tests and the oracle.
  void for_each(const std::function<void(const QueuedPlayer&)>& visit) const;

 private:
  using OrderedPlayers =
      __gnu_pbds::tree<Ticket, QueuedPlayer, std::less<Ticket>, __gnu_pbds::rb_tree_tag,
                       __gnu_pbds::tree_order_statistics_node_update>;
  OrderedPlayers players_;
  std::map<std::string, Ticket, std::less<>> ticket_by_channel_;
  std::set<Ticket> present_;
};

}  // namespace clawnet
