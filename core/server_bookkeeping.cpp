// ServerMachine::Impl: what the table's actions do (turns, the claw, timers) and the
// queue's bookkeeping (joins, departures, presence, positions). No MSM here: the
// table and the states that call these live in server_machine.cpp.
#include "core/server_machine_impl.hpp"

#include "core/assert.hpp"
#include "core/limits.hpp"
#include "core/planted.hpp"
#include "core/position_milestones.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace clawnet {

using Timer = ServerMachine::Impl::Timer;

// --- Table actions --------------------------------------------------------------------

void ServerMachine::Impl::restore(TimeMs now_ms) {
  StoredQueue stored = std::move(pending_restore);
  next_ticket = stored.next_ticket;
  next_turn = stored.next_turn;
  for (StoredPlayer& player : stored.waiting) {
    CLAWNET_ASSERT(player.ticket > 0);
    CLAWNET_ASSERT(player.ticket < next_ticket);
    // Presence is unknown after a restart: absent until the driver's presence
    // sync says otherwise, and dropped if it never does within the grace period.
    queue.insert(player.ticket, std::move(player.channel), false);
    mark_absent(player.ticket, now_ms);
  }
  if (stored.open_turn) {
    coverage::sometimes(coverage::Probe::server_restored_open_turn);
    CLAWNET_ASSERT(stored.open_turn->turn > 0);
    CLAWNET_ASSERT(stored.open_turn->turn < next_turn);
    CLAWNET_ASSERT(stored.open_turn->player.ticket < next_ticket);
    open = TurnView{stored.open_turn->turn, stored.open_turn->player.ticket,
                    stored.open_turn->player.channel, now_ms};
    // Its player too: the turn ends if its presence does not show within the grace.
    timers.set(Timer::controller_grace, now_ms + config.grace_ms);
  }
  // The store keeps the order, and departures only move players up: the position each
  // restored player last heard is still at least its rank. So a restart tells what a
  // change at the front would (the exact ranks, then the milestones), not the whole
  // queue: a bounded number of messages however long it is (and the head its get_ready).
  for (std::size_t rank = 0; rank < queue.size(); rank += 1) queue.set_shown_position(queue.at(rank).ticket, rank);
  announce_positions_from(0);
  // An operator's hold outlives a restart; an e-stop is sent again (the claw may have rebooted).
  if (stored.mode != QueueMode::running) set_mode(stored.mode);
  if (mode == QueueMode::stopped) {
    send_estop(now_ms);
    if (open) close_turn(TurnOutcome::ended_by_server, TurnResult::ended_by_server, now_ms);  // As the e-stop did.
  }
  outbox.push_back(Log{fmt::format("restored {} waiting, next ticket {}, next turn {}{}", queue.size(),
                                   next_ticket, next_turn,
                                   open ? fmt::format(", open turn {}", open->turn) : std::string())});
}

void ServerMachine::Impl::open_turn(TimeMs now_ms) {
  CLAWNET_ASSERT(!open.has_value());
  std::optional<Ticket> ticket = queue.first_present();
  CLAWNET_ASSERT(ticket.has_value());
  if (planted(PlantedBug::fifo_slip)) ticket = second_present().value_or(*ticket);
  QueuedPlayer player = *queue.find(*ticket);
  std::optional<std::size_t> rank = queue.erase(*ticket);
  open = TurnView{next_turn, player.ticket, player.channel, now_ms};
  next_turn += 1;
  outbox.push_back(PersistTurnStart{open->turn, open->ticket, now_ms});
  announce_positions_from(*rank);
}

// What the claw will check on receipt (ClawMachine's start_subscribe()).
void ServerMachine::Impl::send_listen(TimeMs now_ms) {
  CLAWNET_ASSERT(open.has_value());
  CLAWNET_ASSERT(open->turn > 0);
  CLAWNET_ASSERT(config.turn_ms > 0);
  CLAWNET_ASSERT(config.turn_ms <= limits::turn_duration_ms_max);
  CLAWNET_ASSERT(is_player_channel(open->channel));
  publish(secure_channel, ChannelListen{open->channel, open->turn, config.turn_ms});
  counters.listens_sent += 1;
  timers.set(Timer::resend, now_ms + config.resend_ms);
  // The turn's bound runs from its first listen.
  if (!timers.armed(Timer::turn_limit)) timers.set(Timer::turn_limit, now_ms + config.turn_ms + config.turn_slack_ms);
}

void ServerMachine::Impl::send_end_turn(TimeMs now_ms) {
  CLAWNET_ASSERT(open.has_value());
  publish(secure_channel, EndTurn{open->turn});
  timers.clear(Timer::turn_limit);
  timers.set(Timer::resend, now_ms + config.resend_ms);
}

// The claw finished the turn: its CLAW_READY says how, if it dropped; a turn it
// gave up before any drop (a failed subscription, a lost link) the system ended.
void ServerMachine::Impl::close_completed(const server_detail::ClawReady& event) {
  close_turn(TurnOutcome::completed, event.result.value_or(TurnResult::ended_by_server), event.now_ms);
}

// The claw finished a turn the server was ending: if it dropped first, its
// result stands (a prize is a prize); else the server's reason.
void ServerMachine::Impl::close_ending(const server_detail::ClawReady& event) {
  close_turn(TurnOutcome::ended_by_server, event.result.value_or(ending_reason), event.now_ms);
}

// The turn is over, and with it the player's place and its rights on its channel.
// The player and the spectators hear how it ended.
void ServerMachine::Impl::close_turn(TurnOutcome outcome, TurnResult result, TimeMs now_ms) {
  CLAWNET_ASSERT(open.has_value());
  // The running average of turn lengths (a quarter weight for the newest) that
  // estimated waits are made of.
  const TimeMs length_ms = std::max<TimeMs>(0, now_ms - open->started_ms);
  average_turn_ms += (length_ms - average_turn_ms) / 4;
  outbox.push_back(PersistTurnEnd{open->turn, open->ticket, outcome, result, now_ms});
  counters.turns_by_result[static_cast<std::size_t>(result)] += 1;
  if (outcome == TurnOutcome::completed) {
    counters.turns_completed += 1;
  } else {
    counters.turns_ended_by_server += 1;
    publish(open->channel, Control{false, open->turn, 0, result});
  }
  publish(lobby_channel, TurnOver{open->turn, result});
  outbox.push_back(RevokePlayer{open->channel});
  open.reset();
  timers.clear(Timer::controller_grace);
}

// The claw went away in the middle of a turn. The turn stays open and the
// queue waits: the claw's next status says whether it finished the turn
// (CLAW_READY for it), still serves it (CLAW_CONTROLLED), or lost it (a
// reboot: CLAW_READY for an older turn, and the player is granted again).
// Leaving the turn's states stops its timers.
void ServerMachine::Impl::pause_turn() {
  CLAWNET_ASSERT(open.has_value());
  coverage::sometimes(coverage::Probe::server_claw_gone_mid_turn);
}

// The claw lost the open turn (it rebooted): the same player gets the same
// turn again from the start (Granting's entry sends the listen). The claw
// accepts it, as the turn is newer than any it has seen since booting.
void ServerMachine::Impl::regrant() {
  CLAWNET_ASSERT(open.has_value());
  coverage::sometimes(coverage::Probe::server_regranted_lost_turn);
  counters.turns_regranted += 1;
  outbox.push_back(Log{fmt::format("the claw lost turn {}: granting it again", open->turn)});
  timers.clear(Timer::turn_limit);
}

// After a restart the claw may still be serving the turn the store says is
// open: pick it up where it is, under the server's turn bound.
void ServerMachine::Impl::resume_turn(TimeMs now_ms) {
  timers.set(Timer::turn_limit, now_ms + config.turn_ms + config.turn_slack_ms);
}

void ServerMachine::Impl::poll_claw(TimeMs now_ms) {
  publish(secure_channel, StatusRequest{});
  timers.set(Timer::resend, now_ms + config.resend_ms);
}

void ServerMachine::Impl::announce_claw(ClawStatus status) {
  online = status == ClawStatus::ready || status == ClawStatus::controlled;
  publish(lobby_channel, LobbyStatus{status});
}

// --- Queue bookkeeping ------------------------------------------------------------------

void ServerMachine::Impl::join(RequestId request, std::string channel, TimeMs now_ms) {
  auto refuse = [&](JoinRefusal reason, std::string words) {
    counters.joins_refused += 1;
    outbox.push_back(JoinReply{request, false, {}, 0, 0, std::move(words), 0, reason});
  };
  if (state == server_detail::booting_name) return refuse(JoinRefusal::starting, "server is starting");
  if (!is_player_channel(channel)) return refuse(JoinRefusal::malformed_channel, "malformed channel name");
  bool in_use = queue.ticket_of(channel).has_value() || (open && open->channel == channel);
  if (in_use) return refuse(JoinRefusal::channel_in_use, "channel already in use");
  if (queue.size() >= config.queue_length_max) {
    coverage::sometimes(coverage::Probe::server_refused_full_queue);
    return refuse(JoinRefusal::queue_full, fmt::format("queue is full ({} players)", config.queue_length_max));
  }
  Ticket ticket = next_ticket;
  next_ticket += 1;
  std::size_t rank = queue.size();
  queue.insert(ticket, channel, false);  // Present once its presence join arrives.
  queue.set_shown_position(ticket, rank);
  mark_absent(ticket, now_ms);
  if (rank == 0) head_changed();  // Absent until its presence arrives: owed its get_ready.
  counters.joins_accepted += 1;
  if (planted(PlantedBug::ack_before_commit)) {
    outbox.push_back(JoinReply{request, true, channel, ticket, rank, {}, estimated_wait_ms(rank)});
    outbox.push_back(PersistJoin{ticket, std::move(channel), now_ms});
    return;
  }
  outbox.push_back(PersistJoin{ticket, channel, now_ms});  // Durable before acknowledged.
  outbox.push_back(JoinReply{request, true, std::move(channel), ticket, rank, {}, estimated_wait_ms(rank)});
}

void ServerMachine::Impl::remove_player(Ticket ticket, DepartureReason reason) {
  const QueuedPlayer* player = queue.find(ticket);
  CLAWNET_ASSERT(player != nullptr);
  std::string channel = player->channel;
  std::optional<std::size_t> rank = queue.erase(ticket);
  CLAWNET_ASSERT(rank.has_value());
  auto grace = grace_by_ticket.find(ticket);
  if (grace != grace_by_ticket.end()) {
    grace_deadlines.erase({grace->second, ticket});
    grace_by_ticket.erase(grace);
  }
  outbox.push_back(PersistDeparture{ticket, reason});
  outbox.push_back(RevokePlayer{std::move(channel)});
  announce_positions_from(*rank);
}

void ServerMachine::Impl::mark_absent(Ticket ticket, TimeMs now_ms) {
  queue.set_present(ticket, false);
  if (grace_by_ticket.contains(ticket)) return;  // The first absence starts the clock.
  if (planted(PlantedBug::grace_never_expires)) return;
  TimeMs deadline_ms = now_ms + config.grace_ms;
  grace_by_ticket.emplace(ticket, deadline_ms);
  grace_deadlines.emplace(deadline_ms, ticket);
}

void ServerMachine::Impl::mark_present(Ticket ticket) {
  queue.set_present(ticket, true);
  if (ready_owed == ticket) {
    ready_owed.reset();
    publish(queue.find(ticket)->channel, GetReady{});
  }
  auto grace = grace_by_ticket.find(ticket);
  if (grace == grace_by_ticket.end()) return;
  coverage::sometimes(coverage::Probe::server_returned_within_grace);
  grace_deadlines.erase({grace->second, ticket});
  grace_by_ticket.erase(grace);
}

// Players at ranks >= `rank` just moved forward by one. Tell the ones near the
// front exactly, and the rest only when they land on a milestone (see
// position_milestones.hpp): a bounded number of messages per change.
void ServerMachine::Impl::announce_positions_from(std::size_t rank) {
  const std::size_t size = queue.size();
  const std::size_t exact_end = std::min(size, limits::position_exact_ranks);
  for (std::size_t r = rank; r < exact_end; r += 1) tell_position(queue.at(r), r);
  for (std::uint64_t m = first_milestone_from(std::max(rank, limits::position_exact_ranks)); m < size;
       m = next_milestone(m)) {
    tell_position(queue.at(m), m);
  }
  if (rank == 0) head_changed();
}

// A player became the head of the queue (or none did: the queue emptied). It hears
// get_ready now if it can (present, so subscribed to its channel), else when its
// presence arrives. A head stays the head until it leaves the queue, so each player
// hears it at most once.
void ServerMachine::Impl::head_changed() {
  ready_owed.reset();
  if (queue.empty()) return;
  const QueuedPlayer& head = queue.at(0);
  if (head.present) {
    publish(head.channel, GetReady{});
  } else {
    ready_owed = head.ticket;
  }
}

void ServerMachine::Impl::tell_position(const QueuedPlayer& player, std::size_t rank) {
  const std::size_t told = planted(PlantedBug::position_off_by_one) && rank > 1 ? rank - 1 : rank;
  publish(player.channel, Position{told, rank < limits::position_exact_ranks, estimated_wait_ms(rank)});
  queue.set_shown_position(player.ticket, rank);
  counters.position_messages += 1;
}

void ServerMachine::Impl::publish(std::string_view channel, Message message) {
  outbox.push_back(Publish{std::string(channel), std::move(message)});
}

// Any turn below next_turn was started (and stored) by this server, before a
// restart too; the turn may still be open (its CLAW_READY lost or not yet read).
// A summary for a turn never started is the claw's confusion or a forgery.
void ServerMachine::Impl::accept_turn_record(const TurnSummary& summary) {
  CLAWNET_ASSERT(summary.turn > 0);  // decode() refuses turn 0.
  if (summary.turn >= next_turn) {
    counters.rejected_messages += 1;
    outbox.push_back(Log{fmt::format("rejected secure message: a summary of turn {}, which was never started "
                                     "(the next turn is {})", summary.turn, next_turn)});
    return;
  }
  counters.turn_records += 1;
  outbox.push_back(PersistTurnRecord{summary.turn, summary});
}

// The fifo_slip planted bug's pick: the second present player, if any.
std::optional<Ticket> ServerMachine::Impl::second_present() const {
  std::optional<Ticket> first;
  for (std::size_t rank = 0; rank < queue.size(); rank += 1) {
    const QueuedPlayer& player = queue.at(rank);
    if (!player.present) continue;
    if (first) return player.ticket;
    first = player.ticket;
  }
  return std::nullopt;
}

}  // namespace clawnet
