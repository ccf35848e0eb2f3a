// ServerMachine: the lifecycle as one Boost.MSM table, the bookkeeping in Impl.
// Actions are small functors that call one Impl method; guards are pure.
// This is the only translation unit that instantiates the server's MSM.

// A table over 20 rows needs bigger MPL containers, set before any MSM include.
#define BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS
#define BOOST_MPL_LIMIT_VECTOR_SIZE 30
#define BOOST_MPL_LIMIT_MAP_SIZE 30

#include "core/server_machine.hpp"

#include "core/assert.hpp"
#include "core/claw_machine.hpp"
#include "core/limits.hpp"
#include "core/msm_table_pairs.hpp"
#include "core/planted.hpp"
#include "core/position_milestones.hpp"
#include "core/probes.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <map>
#include <set>

namespace clawnet {
namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

// The server ends a turn itself turn_ms + turn_slack_ms after its first CHANNEL_LISTEN.
// With the default configs the claw is always back (CLAW_READY) before that: the slack
// covers the subscription bound and the whole drop cycle, with room left for latency.
// Configs that break this stay safe (the server sends END_TURN, which the claw's drop
// cycle already satisfies); the turn is then recorded as ended_by_server, not completed.
static_assert(ServerConfig{}.turn_slack_ms >= turn_overhead_ms_max(ClawConfig{}) + ServerConfig{}.resend_ms);

std::optional<std::string> validate(const ServerConfig& config) {
  if (config.turn_ms <= 0 || config.turn_ms > limits::turn_duration_ms_max) {
    return fmt::format("turn_ms must be 1..{}", limits::turn_duration_ms_max);
  }
  if (config.turn_slack_ms < 0) return std::string("turn_slack_ms must not be negative");
  if (config.grace_ms < 0) return std::string("grace_ms must not be negative");
  if (config.resend_ms <= 0) return std::string("resend_ms must be positive");
  if (config.queue_length_max == 0 || config.queue_length_max > limits::queue_length_max) {
    return fmt::format("queue_length_max must be 1..{}", limits::queue_length_max);
  }
  return std::nullopt;
}

std::string_view to_string(PresenceKind kind) {
  switch (kind) {
    case PresenceKind::join: return "join";
    case PresenceKind::leave: return "leave";
    case PresenceKind::timeout: return "timeout";
  }
  return "?";
}

namespace {

// --- Events of the lifecycle table -------------------------------------------------
// Each names itself for transition coverage (core/probes.hpp).
struct Start { static constexpr std::string_view name = "Start"; TimeMs now_ms; };
struct ClawReady { static constexpr std::string_view name = "ClawReady"; Turn turn; TimeMs now_ms; };
struct ClawControlled { static constexpr std::string_view name = "ClawControlled"; Turn turn; TimeMs now_ms; };
struct ClawGone { static constexpr std::string_view name = "ClawGone"; TimeMs now_ms; };
struct GrantNext { static constexpr std::string_view name = "GrantNext"; TimeMs now_ms; };
struct ResendDue { static constexpr std::string_view name = "ResendDue"; TimeMs now_ms; };
struct TurnLimit { static constexpr std::string_view name = "TurnLimit"; TimeMs now_ms; };
struct ControllerLeft { static constexpr std::string_view name = "ControllerLeft"; TimeMs now_ms; };

// Marks the states in which the next player may be granted the claw.
struct CanGrant {};


// --- Actions: each calls one Impl method --------------------------------------------
struct Restore {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->restore(event.now_ms); }
};
struct OpenTurn {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->open_turn(event.now_ms); }
};
struct SendListen {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->send_listen(event.now_ms); }
};
struct ResumeTurn {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->resume_turn(event.now_ms); }
};
struct PollClaw {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->poll_claw(event.now_ms); }
};
struct SendEndTurn {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->send_end_turn(event.now_ms); }
};
template <TurnOutcome outcome>
struct CloseTurn {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->close_turn(outcome, event.now_ms); }
};
struct PauseTurn {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event&, Fsm& fsm, Source&, Target&) const { fsm.impl->pause_turn(); }
};
struct Regrant {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const { fsm.impl->regrant(event.now_ms); }
};
struct StopResending {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event&, Fsm& fsm, Source&, Target&) const { fsm.impl->stop_polling(); }
};
template <ClawStatus status>
struct Announce {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event&, Fsm& fsm, Source&, Target&) const { fsm.impl->announce_claw(status); }
};
template <class First, class Second>
struct Both {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source& source, Target& target) const {
    First{}(event, fsm, source, target);
    Second{}(event, fsm, source, target);
  }
};

// --- Guards ---------------------------------------------------------------------------
struct TurnMatches {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event& event, Fsm& fsm, Source&, Target&) const { return fsm.impl->turn_matches(event.turn); }
};
struct TurnDiffers {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event& event, Fsm& fsm, Source&, Target&) const { return !fsm.impl->turn_matches(event.turn); }
};
struct HasOpenTurn {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event&, Fsm& fsm, Source&, Target&) const { return fsm.impl->open.has_value(); }
};
struct OpenTurnDiffers {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event& event, Fsm& fsm, Source&, Target&) const {
    return fsm.impl->open.has_value() && !fsm.impl->turn_matches(event.turn);
  }
};
struct NoOpenTurn {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event&, Fsm& fsm, Source&, Target&) const { return !fsm.impl->open.has_value(); }
};

// A state that records its name on entry, so getters and tests speak in names.
template <const char* name, class Flags = mpl::vector0<>>
struct Named : msm::front::state<> {
  static constexpr std::string_view state_name = name;
  using flag_list = Flags;
  template <class Event, class Fsm>
  void on_entry(const Event&, Fsm& fsm) { fsm.impl->state = name; }
};

inline constexpr char booting_name[] = "Booting";
inline constexpr char claw_offline_name[] = "ClawOffline";
inline constexpr char claw_idle_name[] = "ClawIdle";
inline constexpr char granting_name[] = "Granting";
inline constexpr char in_turn_name[] = "InTurn";
inline constexpr char ending_name[] = "Ending";

struct ServerFront : msm::front::state_machine_def<ServerFront> {
  using no_exception_thrown = int;
  using no_message_queue = int;

  struct Booting : Named<booting_name> {};
  // Claw unknown or gone: the queue is paused and the claw is asked for its status
  // every resend_ms until it answers (a turn closed meanwhile closes its timer too,
  // so the ControllerLeft row polls again).
  struct ClawOffline : Named<claw_offline_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      Named::on_entry(event, fsm);
      fsm.impl->poll_claw(event.now_ms);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->stop_polling(); }
  };
  struct ClawIdle : Named<claw_idle_name, mpl::vector1<CanGrant>> {};
  struct Granting : Named<granting_name> {};  // CHANNEL_LISTEN sent, awaiting CLAW_CONTROLLED.
  struct InTurn : Named<in_turn_name> {};     // The player steers.
  struct Ending : Named<ending_name> {};      // END_TURN sent, awaiting CLAW_READY.
  using initial_state = Booting;

  using AnnounceReady = Announce<ClawStatus::ready>;
  using AnnounceOffline = Announce<ClawStatus::offline>;

  // clang-format off
  struct transition_table : mpl::vector<
  //   Source       Event           Target       Action                                        Guard
  Row< Booting,     Start,          ClawOffline, Restore,                                      none            >,
  Row< ClawOffline, ClawReady,      ClawIdle,    AnnounceReady,                                NoOpenTurn      >,
  Row< ClawOffline, ClawReady,      ClawIdle,    Both<AnnounceReady,
                                                      CloseTurn<TurnOutcome::completed>>,      TurnMatches     >,
  Row< ClawOffline, ClawReady,      Granting,    Both<AnnounceReady, Regrant>,                 OpenTurnDiffers >,
  Row< ClawOffline, ClawControlled, InTurn,      Both<AnnounceReady, ResumeTurn>,              TurnMatches     >,
  Row< ClawOffline, ControllerLeft, none,        Both<CloseTurn<TurnOutcome::ended_by_server>,
                                                      PollClaw>,                               HasOpenTurn     >,
  Row< ClawOffline, ClawGone,       none,        none,                                         none            >,
  Row< ClawOffline, ResendDue,      none,        PollClaw,                                     none            >,
  Row< ClawIdle,    ClawReady,      none,        none,                                         none            >,
  Row< ClawIdle,    GrantNext,      Granting,    Both<OpenTurn, SendListen>,                   none            >,
  Row< ClawIdle,    ClawGone,       ClawOffline, AnnounceOffline,                              none            >,
  Row< Granting,    ClawControlled, InTurn,      StopResending,                                TurnMatches     >,
  Row< Granting,    ClawReady,      ClawIdle,    CloseTurn<TurnOutcome::completed>,            TurnMatches     >,
  Row< Granting,    ClawReady,      none,        SendListen,                                   TurnDiffers     >,
  Row< Granting,    ResendDue,      none,        SendListen,                                   none            >,
  Row< Granting,    TurnLimit,      Ending,      SendEndTurn,                                  none            >,
  Row< Granting,    ControllerLeft, Ending,      SendEndTurn,                                  none            >,
  Row< Granting,    ClawGone,       ClawOffline, Both<PauseTurn, AnnounceOffline>,             none            >,
  Row< InTurn,      ClawControlled, none,        none,                                         TurnMatches     >,
  Row< InTurn,      ClawReady,      ClawIdle,    CloseTurn<TurnOutcome::completed>,            TurnMatches     >,
  Row< InTurn,      ClawReady,      Granting,    Regrant,                                      TurnDiffers     >,
  Row< InTurn,      TurnLimit,      Ending,      SendEndTurn,                                  none            >,
  Row< InTurn,      ControllerLeft, Ending,      SendEndTurn,                                  none            >,
  Row< InTurn,      ClawGone,       ClawOffline, Both<PauseTurn, AnnounceOffline>,             none            >,
  Row< Ending,      ClawReady,      ClawIdle,    CloseTurn<TurnOutcome::ended_by_server>,      none            >,
  Row< Ending,      ResendDue,      none,        SendEndTurn,                                  none            >,
  Row< Ending,      ClawControlled, none,        none,                                         none            >,
  Row< Ending,      ControllerLeft, none,        none,                                         none            >,
  Row< Ending,      ClawGone,       ClawOffline, Both<CloseTurn<TurnOutcome::ended_by_server>,
                                                      AnnounceOffline>,                        none            >
  > {};
  // clang-format on

  // An event the current state does not take is counted, never asserted.
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm& fsm, int) {
    fsm.impl->counters.rejected_events += 1;
  }

  ServerMachine::Impl* impl = nullptr;
};

using ServerStateMachine = msm::back::state_machine<ServerFront>;

}  // namespace

struct ServerMachine::Impl {
  explicit Impl(ServerConfig server_config);

  // --- Bookkeeping used by the table's actions -----------------------------------
  void restore(TimeMs now_ms);
  void open_turn(TimeMs now_ms);
  void send_listen(TimeMs now_ms);
  void send_end_turn(TimeMs now_ms);
  void close_turn(TurnOutcome outcome, TimeMs now_ms);
  void pause_turn();
  void regrant(TimeMs now_ms);
  void announce_claw(ClawStatus status);
  void poll_claw(TimeMs now_ms);
  void resume_turn(TimeMs now_ms);
  void stop_polling() { clear_timer(resend_at_ms, "resend"); }
  bool turn_matches(Turn turn) const { return open.has_value() && open->turn == turn; }

  // --- Queue bookkeeping outside the table -----------------------------------------
  void join(RequestId request, std::string channel, TimeMs now_ms);
  void remove_player(Ticket ticket, DepartureReason reason);
  void mark_absent(Ticket ticket, TimeMs now_ms);
  void mark_present(Ticket ticket);
  void announce_positions_from(std::size_t rank);
  void head_changed();
  void tell_position(const QueuedPlayer& player, std::size_t rank);
  void settle(TimeMs now_ms);
  template <class Event>
  void dispatch(const Event& event);
  void set_timer(TimeMs& slot, std::string_view name, TimeMs deadline_ms);
  void clear_timer(TimeMs& slot, std::string_view name);
  void publish(std::string_view channel, const Message& message);
  void check_invariants() const;
  void check_queue() const;
  std::optional<Ticket> second_present() const;

  ServerConfig config;
  PlayerQueue queue;
  std::optional<TurnView> open;        // The turn being granted, played or ended.
  StoredQueue pending_restore;         // Handed from handle_start to the Restore action.
  Ticket next_ticket = 1;
  Turn next_turn = 1;
  bool online = false;
  std::set<std::pair<TimeMs, Ticket>> grace_deadlines;  // Absent players, by expiry.
  std::map<Ticket, TimeMs> grace_by_ticket;
  // The head of the queue while it is owed its get_ready: it became the head while
  // absent, and hears it when its presence arrives.
  std::optional<Ticket> ready_owed;
  TimeMs resend_at_ms = time_never;
  TimeMs turn_limit_at_ms = time_never;
  Effects outbox;
  ServerCounters counters;
  std::string_view state = "Booting";
  ServerStateMachine machine;
};


ServerMachine::Impl::Impl(ServerConfig server_config) : config(server_config) {
  CLAWNET_ASSERT(!validate(config).has_value());
  machine.impl = this;
  machine.start();
}

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
  }
  for (std::size_t rank = 0; rank < queue.size(); rank += 1) tell_position(queue.at(rank), rank);
  head_changed();
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
  set_timer(resend_at_ms, "resend", now_ms + config.resend_ms);
  if (turn_limit_at_ms == time_never) {
    set_timer(turn_limit_at_ms, "turn_limit", now_ms + config.turn_ms + config.turn_slack_ms);
  }
}

void ServerMachine::Impl::send_end_turn(TimeMs now_ms) {
  CLAWNET_ASSERT(open.has_value());
  publish(secure_channel, EndTurn{open->turn});
  clear_timer(turn_limit_at_ms, "turn_limit");
  set_timer(resend_at_ms, "resend", now_ms + config.resend_ms);
}

void ServerMachine::Impl::close_turn(TurnOutcome outcome, TimeMs now_ms) {
  CLAWNET_ASSERT(open.has_value());
  outbox.push_back(PersistTurnEnd{open->turn, open->ticket, outcome, now_ms});
  if (outcome == TurnOutcome::completed) {
    counters.turns_completed += 1;
  } else {
    counters.turns_ended_by_server += 1;
    publish(open->channel, Control{false, open->turn, 0});
  }
  open.reset();
  clear_timer(resend_at_ms, "resend");
  clear_timer(turn_limit_at_ms, "turn_limit");
}

// The claw went away in the middle of a turn. The turn stays open and the
// queue waits: the claw's next status says whether it finished the turn
// (CLAW_READY for it), still serves it (CLAW_CONTROLLED), or lost it (a
// reboot: CLAW_READY for an older turn, and the player is granted again).
void ServerMachine::Impl::pause_turn() {
  CLAWNET_ASSERT(open.has_value());
  coverage::sometimes(coverage::Probe::server_claw_gone_mid_turn);
  clear_timer(resend_at_ms, "resend");
  clear_timer(turn_limit_at_ms, "turn_limit");
}

// The claw lost the open turn (it rebooted): the same player gets the same
// turn again from the start. The claw accepts it, as the turn is newer than
// any it has seen since booting.
void ServerMachine::Impl::regrant(TimeMs now_ms) {
  CLAWNET_ASSERT(open.has_value());
  coverage::sometimes(coverage::Probe::server_regranted_lost_turn);
  counters.turns_regranted += 1;
  outbox.push_back(Log{fmt::format("the claw lost turn {}: granting it again", open->turn)});
  clear_timer(turn_limit_at_ms, "turn_limit");
  send_listen(now_ms);
}

// After a restart the claw may still be serving the turn the store says is
// open: pick it up where it is, under the server's turn bound.
void ServerMachine::Impl::resume_turn(TimeMs now_ms) {
  set_timer(turn_limit_at_ms, "turn_limit", now_ms + config.turn_ms + config.turn_slack_ms);
}

void ServerMachine::Impl::poll_claw(TimeMs now_ms) {
  publish(secure_channel, StatusRequest{});
  set_timer(resend_at_ms, "resend", now_ms + config.resend_ms);
}

void ServerMachine::Impl::announce_claw(ClawStatus status) {
  online = status != ClawStatus::offline;
  publish(lobby_channel, LobbyStatus{status});
}

// --- Queue bookkeeping ------------------------------------------------------------------

void ServerMachine::Impl::join(RequestId request, std::string channel, TimeMs now_ms) {
  auto refuse = [&](std::string reason) {
    counters.joins_refused += 1;
    outbox.push_back(JoinReply{request, false, {}, 0, 0, std::move(reason)});
  };
  if (state == booting_name) return refuse("server is starting");
  if (!is_player_channel(channel)) return refuse("malformed channel name");
  bool in_use = queue.ticket_of(channel).has_value() || (open && open->channel == channel);
  if (in_use) return refuse("channel already in use");
  if (queue.size() >= config.queue_length_max) {
    coverage::sometimes(coverage::Probe::server_refused_full_queue);
    return refuse(fmt::format("queue is full ({} players)", config.queue_length_max));
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
    outbox.push_back(JoinReply{request, true, channel, ticket, rank, {}});
    outbox.push_back(PersistJoin{ticket, std::move(channel), now_ms});
    return;
  }
  outbox.push_back(PersistJoin{ticket, channel, now_ms});  // Durable before acknowledged.
  outbox.push_back(JoinReply{request, true, std::move(channel), ticket, rank, {}});
}

void ServerMachine::Impl::remove_player(Ticket ticket, DepartureReason reason) {
  std::optional<std::size_t> rank = queue.erase(ticket);
  CLAWNET_ASSERT(rank.has_value());
  auto grace = grace_by_ticket.find(ticket);
  if (grace != grace_by_ticket.end()) {
    grace_deadlines.erase({grace->second, ticket});
    grace_by_ticket.erase(grace);
  }
  outbox.push_back(PersistDeparture{ticket, reason});
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
  publish(player.channel, Position{told, rank < limits::position_exact_ranks});
  queue.set_shown_position(player.ticket, rank);
  counters.position_messages += 1;
}

// Feeds the table. An event no row takes is counted by no_transition; one
// whose rows' guards all refuse is counted here.
template <class Event>
void ServerMachine::Impl::dispatch(const Event& event) {
  const std::string_view before = state;
  const msm::back::HandledEnum handled = machine.process_event(event);
  if (handled == msm::back::HANDLED_GUARD_REJECT) counters.rejected_events += 1;
  if (handled == msm::back::HANDLED_TRUE && coverage::recording()) {
    coverage::took(coverage::MachineKind::server, before, Event::name);
  }
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

void ServerMachine::Impl::settle(TimeMs now_ms) {
  if (queue.first_present().has_value() && machine.is_flag_active<CanGrant>()) dispatch(GrantNext{now_ms});
  check_invariants();
}

void ServerMachine::Impl::set_timer(TimeMs& slot, std::string_view name, TimeMs deadline_ms) {
  slot = deadline_ms;
  outbox.push_back(StartTimer{name, deadline_ms});
}

void ServerMachine::Impl::clear_timer(TimeMs& slot, std::string_view name) {
  if (slot == time_never) return;
  slot = time_never;
  outbox.push_back(CancelTimer{name});
}

void ServerMachine::Impl::publish(std::string_view channel, const Message& message) {
  outbox.push_back(Publish{std::string(channel), encode(message)});
}

// Checked at the end of every input: what each state holds (an open turn, which
// timers), and the header's invariants 1-3. Constant or O(log N) time; the walk
// over the queue is a debug check.
void ServerMachine::Impl::check_invariants() const {
  const bool turn_state = state == granting_name || state == in_turn_name || state == ending_name;
  const bool offline = state == booting_name || state == claw_offline_name;
  CLAWNET_ASSERT(online == !offline);
  // Invariant 1: one open turn, whose player is not queued.
  CLAWNET_ASSERT(!turn_state || open.has_value());
  CLAWNET_ASSERT(!open || queue.find(open->ticket) == nullptr);
  CLAWNET_ASSERT(open || turn_limit_at_ms == time_never);
  CLAWNET_ASSERT(open || resend_at_ms == time_never || state == claw_offline_name);
  // Which timers each state keeps: CHANNEL_LISTEN and END_TURN repeat until
  // answered, and the turn bound runs from the first listen to END_TURN.
  if (state == granting_name) {
    CLAWNET_ASSERT(resend_at_ms != time_never);
    CLAWNET_ASSERT(turn_limit_at_ms != time_never);
  } else if (state == in_turn_name) {
    CLAWNET_ASSERT(resend_at_ms == time_never);
    CLAWNET_ASSERT(turn_limit_at_ms != time_never);
  } else if (state == ending_name) {
    CLAWNET_ASSERT(resend_at_ms != time_never);
    CLAWNET_ASSERT(turn_limit_at_ms == time_never);
  } else if (state == claw_idle_name) {
    CLAWNET_ASSERT(!open.has_value());
    CLAWNET_ASSERT(resend_at_ms == time_never);
    CLAWNET_ASSERT(!queue.first_present().has_value());  // settle() grants at once.
  } else if (state == claw_offline_name) {
    CLAWNET_ASSERT(resend_at_ms != time_never);  // The STATUS poll runs until the claw answers.
    CLAWNET_ASSERT(turn_limit_at_ms == time_never);  // A paused turn has no bound running.
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
  if (std::optional<Ticket> ticket = impl.queue.ticket_of(channel)) {
    if (kind == PresenceKind::join) {
      impl.mark_present(*ticket);
    } else {
      impl.mark_absent(*ticket, now_ms);
    }
  } else if (kind != PresenceKind::join && impl.open && impl.open->channel == channel) {
    coverage::sometimes(coverage::Probe::server_controller_left);
    impl.dispatch(ControllerLeft{now_ms});
  }
  impl.settle(now_ms);
}

void ServerMachine::handle_claw_presence(bool present, TimeMs now_ms) {
  // A claw that comes back says so with CLAW_READY; only its absence is news here.
  if (!present) impl_->dispatch(ClawGone{now_ms});
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
  const ClawStatusMessage* status = std::get_if<ClawStatusMessage>(&message);
  if (status == nullptr) {
    impl.counters.rejected_messages += 1;
    impl.outbox.push_back(Log{fmt::format("rejected secure message: not a claw status: {}", describe(message))});
    return;
  }
  switch (status->status) {
    case ClawStatus::ready:
      if (impl.state == granting_name && !impl.turn_matches(status->turn)) {
        coverage::sometimes(coverage::Probe::server_stale_claw_status);
      }
      impl.dispatch(ClawReady{status->turn, now_ms});
      break;
    case ClawStatus::controlled: impl.dispatch(ClawControlled{status->turn, now_ms}); break;
    case ClawStatus::offline: impl.dispatch(ClawGone{now_ms}); break;
  }
  impl.settle(now_ms);
}

void ServerMachine::handle_timeout(TimeMs now_ms) {
  Impl& impl = *impl_;
  if (impl.turn_limit_at_ms <= now_ms) {
    impl.turn_limit_at_ms = time_never;
    coverage::sometimes(coverage::Probe::server_turn_limit);
    impl.dispatch(TurnLimit{now_ms});
  }
  if (impl.resend_at_ms <= now_ms) {
    impl.resend_at_ms = time_never;
    impl.dispatch(ResendDue{now_ms});
  }
  while (!impl.grace_deadlines.empty() && impl.grace_deadlines.begin()->first <= now_ms) {
    coverage::sometimes(coverage::Probe::server_grace_expired);
    impl.remove_player(impl.grace_deadlines.begin()->second, DepartureReason::presence_expired);
  }
  impl.settle(now_ms);
}

Effects ServerMachine::take_effects() { return std::exchange(impl_->outbox, {}); }

TimeMs ServerMachine::next_deadline() const {
  TimeMs deadline_ms = std::min(impl_->resend_at_ms, impl_->turn_limit_at_ms);
  if (!impl_->grace_deadlines.empty()) deadline_ms = std::min(deadline_ms, impl_->grace_deadlines.begin()->first);
  return deadline_ms;
}

std::vector<coverage::TablePair> ServerMachine::table_pairs() { return table_pairs_of<ServerFront::transition_table>(); }

std::string_view ServerMachine::state_name() const { return impl_->state; }
const PlayerQueue& ServerMachine::queue() const { return impl_->queue; }
std::optional<TurnView> ServerMachine::open_turn() const { return impl_->open; }
bool ServerMachine::claw_online() const { return impl_->online; }
const ServerCounters& ServerMachine::counters() const { return impl_->counters; }
const ServerConfig& ServerMachine::config() const { return impl_->config; }

}  // namespace clawnet
