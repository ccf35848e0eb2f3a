// ServerMachine::Impl: the ready check (docs/protocol.md, "The ready check"). With
// server.ready_ms > 0, the claw free and a player next, the server asks that player
// to confirm before it grants the turn, repeating the question every resend_ms (a
// lost question or answer costs one repeat) until ready_ms runs out: then the
// player departs `unready` and the next one is asked, so a ghost costs ready_ms,
// not a whole turn. AwaitingReady's entry and exit (server_machine.cpp) call these.
#include "core/server_machine_impl.hpp"

#include "core/assert.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace clawnet {

using Timer = ServerMachine::Impl::Timer;

// The server listens on the player's channel while it waits for the answer.
void ServerMachine::Impl::ask_ready(TimeMs now_ms) {
  CLAWNET_ASSERT(!asking.has_value());
  const std::optional<Ticket> ticket = queue.first_present();
  CLAWNET_ASSERT(ticket.has_value());
  asking = ReadyAsk{*ticket, queue.find(*ticket)->channel};
  outbox.push_back(Subscribe{asking->channel});
  timers.set(Timer::ready_wait, now_ms + config.ready_ms);
  repeat_ready_check(now_ms);
}

// Each question says how long is left, so a late repeat does not promise more.
void ServerMachine::Impl::repeat_ready_check(TimeMs now_ms) {
  CLAWNET_ASSERT(asking.has_value());
  const TimeMs left_ms = std::max<TimeMs>(1, timers.deadline(Timer::ready_wait) - now_ms);
  publish(asking->channel, ReadyCheck{left_ms});
  timers.set(Timer::resend, now_ms + config.resend_ms);
}

void ServerMachine::Impl::stop_asking() {
  CLAWNET_ASSERT(asking.has_value());
  outbox.push_back(Unsubscribe{asking->channel});
  timers.clear(Timer::ready_wait);
  timers.clear(Timer::resend);
  asking.reset();
}

// The player is told (it may be there, just not answering), then it departs.
void ServerMachine::Impl::skip_unready(const server_detail::ReadyExpired& event) {
  coverage::sometimes(coverage::Probe::server_skipped_unready);
  const QueuedPlayer* player = queue.find(event.ticket);
  CLAWNET_ASSERT(player != nullptr);
  publish(player->channel, Departed{DepartureReason::unready});
  outbox.push_back(Log{fmt::format("#{} did not confirm the ready check in {} ms: skipped", event.ticket,
                                   config.ready_ms)});
  counters.players_unready += 1;
  remove_player(event.ticket, DepartureReason::unready);
}

// The question goes to the first present player, and only while the queue runs:
// a player ahead came back, the one asked went away, or an operator held the queue.
bool ServerMachine::Impl::ready_check_stale() const {
  CLAWNET_ASSERT(asking.has_value());
  return mode != QueueMode::running || queue.first_present() != asking->ticket;
}

}  // namespace clawnet
