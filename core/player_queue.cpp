#include "core/player_queue.hpp"

#include "core/assert.hpp"

namespace clawnet {

// The REQUIRES are checked from the insertions' own results: no extra lookups.
void PlayerQueue::insert(Ticket ticket, std::string channel, bool present) {
  const bool channel_new = ticket_by_channel_.emplace(channel, ticket).second;
  CLAWNET_ASSERT(channel_new);
  const bool ticket_new = players_.insert({ticket, QueuedPlayer{ticket, std::move(channel), present}}).second;
  CLAWNET_ASSERT(ticket_new);
  if (present) present_.insert(ticket);
  CLAWNET_ASSERT(ticket_by_channel_.size() == players_.size());
}

std::optional<std::size_t> PlayerQueue::erase(Ticket ticket) {
  auto it = players_.find(ticket);
  if (it == players_.end()) return std::nullopt;
  std::size_t rank = players_.order_of_key(ticket);
  ticket_by_channel_.erase(it->second.channel);
  present_.erase(ticket);
  players_.erase(it);
  CLAWNET_ASSERT(ticket_by_channel_.size() == players_.size());
  CLAWNET_ASSERT(present_.size() <= players_.size());
  return rank;
}

void PlayerQueue::set_present(Ticket ticket, bool present) {
  auto it = players_.find(ticket);
  CLAWNET_ASSERT(it != players_.end());
  it->second.present = present;
  if (present) {
    present_.insert(ticket);
  } else {
    present_.erase(ticket);
  }
}

void PlayerQueue::set_shown_position(Ticket ticket, std::uint64_t position) {
  auto it = players_.find(ticket);
  CLAWNET_ASSERT(it != players_.end());
  it->second.shown_position = position;
}

const QueuedPlayer* PlayerQueue::find(Ticket ticket) const {
  auto it = players_.find(ticket);
  return it == players_.end() ? nullptr : &it->second;
}

std::optional<Ticket> PlayerQueue::ticket_of(std::string_view channel) const {
  auto it = ticket_by_channel_.find(channel);
  if (it == ticket_by_channel_.end()) return std::nullopt;
  return it->second;
}

std::size_t PlayerQueue::rank_of(Ticket ticket) const {
  CLAWNET_DEBUG_ASSERT(players_.find(ticket) != players_.end());  // A second tree walk: debug only.
  return players_.order_of_key(ticket);
}

const QueuedPlayer& PlayerQueue::at(std::size_t rank) const {
  CLAWNET_ASSERT(rank < players_.size());
  return players_.find_by_order(rank)->second;
}

std::optional<Ticket> PlayerQueue::first_present() const {
  if (present_.empty()) return std::nullopt;
  return *present_.begin();
}

void PlayerQueue::for_each(const std::function<void(const QueuedPlayer&)>& visit) const {
  for (const auto& entry : players_) visit(entry.second);
}

}  // namespace clawnet
