// ServerMachine: the lifecycle as two Boost.MSM tables, the bookkeeping in Impl
// (server_bookkeeping.cpp, server_ready.cpp). The outer table follows the claw
// (offline, idle, the ready check, a turn); a turn is a submachine of its own (granting, in turn, ending), which it
// leaves through two exits: the turn closed (the claw is idle again), or the claw
// went away (the turn pauses, or closes if it was ending). Actions call one Impl
// method each (kernel::Call); guards are pure (kernel::When). Timers belong to
// states: a state's entry arms what it repeats, its exit stops it.
// This is the only translation unit that instantiates the server's MSM.
#include "core/server_machine.hpp"

#include "core/assert.hpp"
#include "core/limits.hpp"
#include "core/machine_kernel.hpp"
#include "core/msm_table_pairs.hpp"
#include "core/planted.hpp"
#include "core/probes.hpp"
#include "core/server_machine_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace clawnet {
namespace server_detail {
namespace {

using boost::msm::front::none;
using boost::msm::front::Row;
using kernel::Call;
using kernel::Then;
using kernel::When;
using Impl = ServerMachine::Impl;
namespace mpl = boost::mpl;

// --- Events -----------------------------------------------------------------------------
// Each names itself for transition coverage (core/probes.hpp).
struct Start { static constexpr std::string_view name = "Start"; TimeMs now_ms; };
struct GrantNext { static constexpr std::string_view name = "GrantNext"; TimeMs now_ms; };
struct ResendDue { static constexpr std::string_view name = "ResendDue"; TimeMs now_ms; };
struct TurnLimit { static constexpr std::string_view name = "TurnLimit"; TimeMs now_ms; };
struct ControllerLeft { static constexpr std::string_view name = "ControllerLeft"; TimeMs now_ms; };
struct OperatorEnd { static constexpr std::string_view name = "OperatorEnd"; TimeMs now_ms; };
struct ReadyConfirmed { static constexpr std::string_view name = "ReadyConfirmed"; TimeMs now_ms; };
struct ReadyCancelled { static constexpr std::string_view name = "ReadyCancelled"; TimeMs now_ms; };

// Marks the states in which the next player may be granted the claw.
struct CanGrant {};

// --- Actions and guards -------------------------------------------------------------
using Restore = Call<&Impl::restore>;
using OpenTurn = Call<&Impl::open_turn>;
using SendListen = Call<&Impl::send_listen>;
using SendEndTurn = Call<&Impl::send_end_turn>;
using ResumeTurn = Call<&Impl::resume_turn>;
using PollClaw = Call<&Impl::poll_claw>;
using CloseCompleted = Call<&Impl::close_completed>;
using CloseEndedByServer = Call<&Impl::close_ended_by_server>;
using CloseEnding = Call<&Impl::close_ending>;
using CloseAbandoned = Call<&Impl::close_abandoned>;
using EndForTurnLimit = Call<&Impl::end_for_turn_limit>;
using EndForLeaver = Call<&Impl::end_for_leaver>;
using EndForOperator = Call<&Impl::end_for_operator>;
using PauseTurn = Call<&Impl::pause_turn>;
using Regrant = Call<&Impl::regrant>;
using AnnounceReady = Call<&Impl::announce_ready>;
using AnnounceGone = Call<&Impl::announce_gone>;
using RepeatReadyCheck = Call<&Impl::repeat_ready_check>;
using SkipUnready = Call<&Impl::skip_unready>;

// Whether the claw's status names the open turn.
using TurnMatches = When<&Impl::names_open_turn>;
using TurnDiffers = kernel::Unless<TurnMatches>;
using OpenTurnDiffers = When<&Impl::names_another_turn>;
using HasOpenTurn = When<&Impl::has_open_turn>;
using NoOpenTurn = When<&Impl::no_open_turn>;
using ReadyCheckOn = When<&Impl::ready_check_on>;
using ReadyCheckOff = kernel::Unless<ReadyCheckOn>;

template <const char* name, class... Flags>
using State = kernel::State<name, Flags...>;

// --- A turn: granting, in turn, ending --------------------------------------------------
// Exits: the names coverage gives them are the states they lead to.
struct TurnClosed : boost::msm::front::exit_pseudo_state<ClawReady> {
  static constexpr std::string_view state_name = claw_idle_name;
};
struct ClawLeft : boost::msm::front::exit_pseudo_state<ClawGone> {
  static constexpr std::string_view state_name = claw_offline_name;
};

struct TurnFront : kernel::MachineDef<TurnFront, Impl> {
  using no_message_queue = int;
  // CHANNEL_LISTEN sent (and repeated), awaiting CLAW_CONTROLLED.
  struct Granting : State<granting_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->send_listen(event.now_ms);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->stop_resending(); }
  };
  // The player steers. Entered directly when a restarted server finds the claw serving its open turn.
  struct InTurn : State<in_turn_name>, boost::msm::front::explicit_entry<0> {};
  // END_TURN sent (and repeated), awaiting CLAW_READY.
  struct Ending : State<ending_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->send_end_turn(event.now_ms);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->stop_resending(); }
  };
  using initial_state = Granting;
  using explicit_creation = mpl::vector<InTurn>;
  // Entering a turn enters Granting: coverage names the target so.
  static constexpr std::string_view state_name = granting_name;

  // The turn's bound ends with the turn (it pauses or closes).
  template <class Event, class Fsm>
  void on_exit(const Event&, Fsm& fsm) { fsm.impl->stop_turn_limit(); }

  // clang-format off
  struct transition_table : mpl::vector<
  //   Source    Event           Target      Action              Guard
  Row< Granting, ClawControlled, InTurn,     none,               TurnMatches >,
  Row< Granting, ClawReady,      TurnClosed, CloseCompleted,     TurnMatches >,
  Row< Granting, ClawReady,      none,       SendListen,         TurnDiffers >,
  Row< Granting, ResendDue,      none,       SendListen,         none        >,
  Row< Granting, TurnLimit,      Ending,     EndForTurnLimit,    none        >,
  Row< Granting, ControllerLeft, Ending,     EndForLeaver,       none        >,
  Row< Granting, OperatorEnd,    Ending,     EndForOperator,     none        >,
  Row< Granting, ClawGone,       ClawLeft,   PauseTurn,          none        >,
  Row< InTurn,   ClawControlled, none,       none,               TurnMatches >,
  Row< InTurn,   ClawReady,      TurnClosed, CloseCompleted,     TurnMatches >,
  Row< InTurn,   ClawReady,      Granting,   Regrant,            TurnDiffers >,
  Row< InTurn,   TurnLimit,      Ending,     EndForTurnLimit,    none        >,
  Row< InTurn,   ControllerLeft, Ending,     EndForLeaver,       none        >,
  Row< InTurn,   OperatorEnd,    Ending,     EndForOperator,     none        >,
  Row< InTurn,   ClawGone,       ClawLeft,   PauseTurn,          none        >,
  Row< Ending,   ClawReady,      TurnClosed, CloseEnding,        none        >,
  Row< Ending,   ResendDue,      none,       SendEndTurn,        none        >,
  Row< Ending,   ClawControlled, none,       none,               none        >,
  Row< Ending,   ControllerLeft, none,       none,               none        >,
  Row< Ending,   OperatorEnd,    none,       none,               none        >,
  Row< Ending,   ClawGone,       ClawLeft,   CloseEndedByServer, none        >
  > {};
  // clang-format on
};
using TurnMachine = boost::msm::back::state_machine<TurnFront>;

// --- The lifecycle: the claw offline, idle, asking the next player, or serving a turn ---
// It keeps MSM's event queue: a turn's exit forwards its event here while the
// turn's own transition is still under way, and the queue runs it right after.
struct LifecycleFront : kernel::MachineDef<LifecycleFront, Impl> {
  struct Booting : State<booting_name> {};
  // Claw unknown or gone: the queue is paused and the claw is asked for its status
  // every resend_ms until it answers.
  struct ClawOffline : State<claw_offline_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->poll_claw(event.now_ms);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->stop_resending(); }
  };
  struct ClawIdle : State<claw_idle_name, CanGrant> {};
  // The claw is free and the first present player is asked to confirm it is there
  // (server_ready.cpp); the question repeats every resend_ms.
  struct AwaitingReady : State<awaiting_ready_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->ask_ready(event.now_ms);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->stop_asking(); }
  };
  using initial_state = Booting;

  // clang-format off
  struct transition_table : mpl::vector<
  //   Source                  Event           Target                 Action                              Guard
  Row< Booting,                Start,          ClawOffline,           Restore,                            none            >,
  Row< ClawOffline,            ClawReady,      ClawIdle,              AnnounceReady,                      NoOpenTurn      >,
  Row< ClawOffline,            ClawReady,      ClawIdle,              Then<AnnounceReady, CloseCompleted>, TurnMatches    >,
  Row< ClawOffline,            ClawReady,      TurnMachine,                Then<AnnounceReady, Regrant>,       OpenTurnDiffers >,
  Row< ClawOffline,            ClawControlled, TurnMachine::direct<TurnFront::InTurn>,
                                                                      Then<AnnounceReady, ResumeTurn>,    TurnMatches     >,
  Row< ClawOffline,            ControllerLeft, none,                  CloseAbandoned,                     HasOpenTurn     >,
  Row< ClawOffline,            OperatorEnd,    none,                  Then<EndForOperator, CloseEndedByServer>,
                                                                                                      HasOpenTurn     >,
  Row< ClawOffline,            ClawGone,       none,                  none,                               none            >,
  Row< ClawOffline,            ResendDue,      none,                  PollClaw,                           none            >,
  Row< ClawIdle,               ClawReady,      none,                  none,                               none            >,
  Row< ClawIdle,               GrantNext,      TurnMachine,                OpenTurn,                           ReadyCheckOff   >,
  Row< ClawIdle,               GrantNext,      AwaitingReady,         none,                               ReadyCheckOn    >,
  Row< ClawIdle,               ClawGone,       ClawOffline,           AnnounceGone,                       none            >,
  Row< AwaitingReady,          ReadyConfirmed, TurnMachine,           OpenTurn,                           none            >,
  Row< AwaitingReady,          ReadyExpired,   ClawIdle,              SkipUnready,                        none            >,
  Row< AwaitingReady,          ReadyCancelled, ClawIdle,              none,                               none            >,
  Row< AwaitingReady,          ResendDue,      none,                  RepeatReadyCheck,                   none            >,
  Row< AwaitingReady,          ClawReady,      none,                  none,                               none            >,
  Row< AwaitingReady,          ClawGone,       ClawOffline,           AnnounceGone,                       none            >,
  Row< TurnMachine::exit_pt<TurnClosed>, ClawReady,   ClawIdle,              none,                               none            >,
  Row< TurnMachine::exit_pt<ClawLeft>,   ClawGone,    ClawOffline,           AnnounceGone,                       none            >
  > {};
  // clang-format on
};

}  // namespace

struct Lifecycle : boost::msm::back::state_machine<LifecycleFront> {};

}  // namespace server_detail

using namespace server_detail;

ServerMachine::Impl::Impl(ServerConfig server_config)
    : config(server_config), machine(std::make_unique<Lifecycle>()) {
  CLAWNET_ASSERT(!validate(config).has_value());
  machine->impl = this;
  machine->get_state<TurnMachine&>().impl = this;
  machine->start();
}

ServerMachine::Impl::~Impl() = default;

template <class Event>
void ServerMachine::Impl::dispatch(const Event& event) {
  kernel::dispatch(*machine, event, coverage::MachineKind::server, state, counters.rejected_events);
}

void ServerMachine::Impl::end_turn_by_operator(TimeMs now_ms) {
  coverage::sometimes(coverage::Probe::server_operator_ended_turn);
  dispatch(OperatorEnd{now_ms});
}

void ServerMachine::Impl::settle(TimeMs now_ms) {
  if (state == awaiting_ready_name && ready_check_stale()) {
    coverage::sometimes(coverage::Probe::server_ready_check_moved);
    dispatch(ReadyCancelled{now_ms});
  }
  const bool may_grant = mode == QueueMode::running && machine->is_flag_active<CanGrant>();
  if (may_grant && queue.first_present().has_value()) dispatch(GrantNext{now_ms});
  check_invariants();
}

// Checked at the end of every input: what each state holds (an open turn, which
// timers), and the header's invariants 1-3. Constant or O(log N) time; the walk
// over the queue is a debug check.
void ServerMachine::Impl::check_invariants() const {
  const bool turn_state = state == granting_name || state == in_turn_name || state == ending_name;
  const bool offline = state == booting_name || state == claw_offline_name;
  const bool resending = timers.armed(Timer::resend);
  const bool turn_limited = timers.armed(Timer::turn_limit);
  CLAWNET_ASSERT(online == !offline);
  // Invariant 1: one open turn, whose player is not queued.
  CLAWNET_ASSERT(!turn_state || open.has_value());
  CLAWNET_ASSERT(!open || queue.find(open->ticket) == nullptr);
  CLAWNET_ASSERT(open || !turn_limited);
  CLAWNET_ASSERT(open || !timers.armed(Timer::controller_grace));
  CLAWNET_ASSERT(open || !resending || state == claw_offline_name || state == awaiting_ready_name);
  // Which timers each state keeps: CHANNEL_LISTEN, END_TURN and STATUS repeat
  // until answered, and the turn bound runs from the first listen to END_TURN.
  CLAWNET_ASSERT(resending == (state == granting_name || state == ending_name || state == claw_offline_name ||
                                state == awaiting_ready_name));
  CLAWNET_ASSERT(turn_limited == (state == granting_name || state == in_turn_name));
  if (state == claw_idle_name) {
    CLAWNET_ASSERT(!open.has_value());
    // settle() grants at once, unless an operator holds the queue.
    CLAWNET_ASSERT(!queue.first_present().has_value() || mode != QueueMode::running);
  }
  CLAWNET_ASSERT(mode == QueueMode::stopped || !timers.armed(Timer::estop_resend));
  // The ready check: asked in AwaitingReady only, of the first present player, while the queue runs.
  CLAWNET_ASSERT(asking.has_value() == (state == awaiting_ready_name));
  CLAWNET_ASSERT(timers.armed(Timer::ready_wait) == asking.has_value());
  if (asking) {
    CLAWNET_ASSERT(config.ready_ms > 0);
    CLAWNET_ASSERT(!open.has_value());
    CLAWNET_ASSERT(mode == QueueMode::running);
    CLAWNET_ASSERT(queue.first_present() == asking->ticket);
  }
  // Invariant 2: numbers only grow; everything handed out is below the next one.
  CLAWNET_ASSERT(!open || open->turn < next_turn);
  CLAWNET_ASSERT(!open || open->ticket < next_ticket);
  CLAWNET_ASSERT(queue.empty() || queue.at(queue.size() - 1).ticket < next_ticket);
  CLAWNET_ASSERT(grace_by_ticket.size() == grace_deadlines.size());
  // A get_ready is owed only to an absent head.
  if (ready_owed) {
    CLAWNET_ASSERT(!queue.empty());
    CLAWNET_ASSERT(queue.at(0).ticket == *ready_owed);
    CLAWNET_ASSERT(!queue.at(0).present);
  }
  if constexpr (debug_assertions) check_queue();
}

// Invariant 3 and the grace bookkeeping, player by player: O(N), so debug only, and
// over the front of the queue only, or the asan pass would turn quadratic.
void ServerMachine::Impl::check_queue() const {
  constexpr std::size_t ranks_checked_max = 1'000;
  const std::size_t ranks = std::min(queue.size(), ranks_checked_max);
  const bool grace_always_starts = !planted(PlantedBug::grace_never_expires);
  for (std::size_t rank = 0; rank < ranks; rank += 1) {
    const QueuedPlayer& player = queue.at(rank);
    CLAWNET_ASSERT(player.shown_position >= rank);
    CLAWNET_ASSERT(rank >= limits::position_exact_ranks || player.shown_position == rank);
    // Exactly the absent players have their grace running.
    const bool graced = grace_by_ticket.contains(player.ticket);
    CLAWNET_ASSERT(!(player.present && graced));
    CLAWNET_ASSERT(player.present || graced || !grace_always_starts);
  }
}

// --- ServerMachine --------------------------------------------------------------------------

ServerMachine::ServerMachine(ServerConfig config) : impl_(std::make_unique<Impl>(config)) {}
ServerMachine::~ServerMachine() = default;

void ServerMachine::handle_start(StoredQueue stored, TimeMs now_ms) {
  impl_->pending_restore = std::move(stored);
  impl_->dispatch(Start{now_ms});
  impl_->settle(now_ms);
}

void ServerMachine::handle_join(RequestId request, std::string channel, TimeMs now_ms) {
  impl_->join(request, std::move(channel), now_ms);
  impl_->settle(now_ms);
}

void ServerMachine::handle_leave(std::string_view channel, TimeMs now_ms) {
  Impl& impl = *impl_;
  if (std::optional<Ticket> ticket = impl.queue.ticket_of(channel)) {
    impl.remove_player(*ticket, DepartureReason::left);
  } else if (impl.open && impl.open->channel == channel) {
    coverage::sometimes(coverage::Probe::server_controller_left);
    impl.dispatch(ControllerLeft{now_ms});
  } else {
    impl.counters.rejected_messages += 1;
  }
  impl.settle(now_ms);
}

void ServerMachine::handle_player_presence(std::string_view channel, PresenceKind kind, TimeMs now_ms) {
  Impl& impl = *impl_;
  const bool joined = kind == PresenceKind::join;
  if (std::optional<Ticket> ticket = impl.queue.ticket_of(channel)) {
    if (joined) {
      impl.mark_present(*ticket);
    } else {
      impl.mark_absent(*ticket, now_ms);
    }
  } else if (impl.open && impl.open->channel == channel) {
    impl.timers.clear(Timer::controller_grace);  // Its presence showed, one way or the other.
    if (!joined) {
      coverage::sometimes(coverage::Probe::server_controller_left);
      impl.dispatch(ControllerLeft{now_ms});
    }
  }
  impl.settle(now_ms);
}

void ServerMachine::handle_claw_presence(bool present, TimeMs now_ms) {
  // A claw that comes back says so with CLAW_READY; only its absence is news here.
  if (!present) {
    impl_->enforce_stop(ClawStatus::offline, now_ms);
    impl_->dispatch(ClawGone{now_ms, ClawStatus::offline});
  }
  impl_->settle(now_ms);
}

void ServerMachine::handle_secure_message(std::string_view text, TimeMs now_ms) {
  Impl& impl = *impl_;
  DecodeResult decoded = decode(text);
  if (const DecodeError* failure = std::get_if<DecodeError>(&decoded)) {
    impl.counters.rejected_messages += 1;
    impl.outbox.push_back(Log{fmt::format("rejected secure message: {}", failure->detail)});
    return;
  }
  const Message& message = std::get<Message>(decoded);
  if (const TurnSummary* summary = std::get_if<TurnSummary>(&message)) return impl.accept_turn_record(*summary);
  const ClawStatusMessage* status = std::get_if<ClawStatusMessage>(&message);
  if (status == nullptr) {
    impl.counters.rejected_messages += 1;
    impl.outbox.push_back(Log{fmt::format("rejected secure message: not a claw status: {}", describe(message))});
    return;
  }
  impl.enforce_stop(status->status, now_ms);
  switch (status->status) {
    case ClawStatus::ready:
      if (impl.state == granting_name && !impl.turn_matches(status->turn)) {
        coverage::sometimes(coverage::Probe::server_stale_claw_status);
      }
      impl.dispatch(ClawReady{{status->turn, now_ms}, status->result});
      break;
    case ClawStatus::controlled: impl.dispatch(ClawControlled{{status->turn, now_ms}}); break;
    case ClawStatus::offline:
    case ClawStatus::stopped: impl.dispatch(ClawGone{now_ms, status->status}); break;
  }
  impl.settle(now_ms);
}

void ServerMachine::handle_timeout(TimeMs now_ms) {
  Impl& impl = *impl_;
  if (impl.timers.take_due(Timer::turn_limit, now_ms)) {
    coverage::sometimes(coverage::Probe::server_turn_limit);
    impl.dispatch(TurnLimit{now_ms});
  }
  if (impl.timers.take_due(Timer::resend, now_ms)) impl.dispatch(ResendDue{now_ms});
  if (impl.timers.take_due(Timer::controller_grace, now_ms)) {
    coverage::sometimes(coverage::Probe::server_controller_left);
    impl.dispatch(ControllerLeft{now_ms});
  }
  if (impl.timers.take_due(Timer::estop_resend, now_ms)) impl.send_estop(now_ms);
  if (impl.asking && impl.timers.take_due(Timer::ready_wait, now_ms)) {
    impl.dispatch(ReadyExpired{now_ms, impl.asking->ticket});
  }
  while (!impl.grace_deadlines.empty() && impl.grace_deadlines.begin()->first <= now_ms) {
    coverage::sometimes(coverage::Probe::server_grace_expired);
    impl.remove_player(impl.grace_deadlines.begin()->second, DepartureReason::presence_expired);
  }
  impl.settle(now_ms);
}

void ServerMachine::handle_player_message(std::string_view channel, std::string_view text, TimeMs now_ms) {
  Impl& impl = *impl_;
  DecodeResult decoded = decode(text);
  if (const DecodeError* failure = std::get_if<DecodeError>(&decoded)) {
    impl.counters.rejected_messages += 1;
    impl.outbox.push_back(Log{fmt::format("rejected message on {}: {}", channel, failure->detail)});
    return impl.settle(now_ms);
  }
  // Anything else on a player's channel is for the claw (commands), or answers an
  // earlier question: not the server's business.
  const bool answers = std::holds_alternative<ReadyConfirm>(std::get<Message>(decoded));
  if (answers && impl.asking && impl.asking->channel == channel) {
    impl.counters.ready_confirmed += 1;
    impl.dispatch(ReadyConfirmed{now_ms});
  }
  impl.settle(now_ms);
}

AdminAnswer ServerMachine::handle_admin(AdminRequest request, TimeMs now_ms) {
  AdminAnswer answer = impl_->admin(request, now_ms);
  impl_->settle(now_ms);
  return answer;
}

Effects ServerMachine::take_effects() { return std::exchange(impl_->outbox, {}); }

TimeMs ServerMachine::next_deadline() const {
  TimeMs deadline_ms = impl_->timers.next();
  if (!impl_->grace_deadlines.empty()) deadline_ms = std::min(deadline_ms, impl_->grace_deadlines.begin()->first);
  return deadline_ms;
}

std::vector<coverage::TablePair> ServerMachine::table_pairs() {
  std::vector<coverage::TablePair> pairs = table_pairs_of<LifecycleFront::transition_table>();
  for (coverage::TablePair& pair : table_pairs_of<TurnFront::transition_table>()) pairs.push_back(std::move(pair));
  return pairs;
}

std::string_view ServerMachine::state_name() const { return impl_->state; }
const PlayerQueue& ServerMachine::queue() const { return impl_->queue; }
std::optional<TurnView> ServerMachine::open_turn() const { return impl_->open; }
bool ServerMachine::claw_online() const { return impl_->online; }
std::optional<std::string> ServerMachine::asking_ready() const {
  return impl_->asking ? std::optional(impl_->asking->channel) : std::nullopt;
}
QueueMode ServerMachine::queue_mode() const { return impl_->mode; }
const ServerCounters& ServerMachine::counters() const { return impl_->counters; }
const ServerConfig& ServerMachine::config() const { return impl_->config; }

}  // namespace clawnet
