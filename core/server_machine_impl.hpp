// ServerMachine::Impl: the server's bookkeeping, shared by its two translation
// units: server_machine.cpp (the MSM tables, the only one that instantiates them)
// and server_bookkeeping.cpp (the queue, turns and messages, with no MSM at all).
// Private to core/: nothing outside the server machine includes this.
#pragma once

#include "core/effects.hpp"
#include "core/timer_table.hpp"
#include "core/server_machine.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace clawnet {
namespace server_detail {

inline constexpr char booting_name[] = "Booting";
inline constexpr char claw_offline_name[] = "ClawOffline";
inline constexpr char claw_idle_name[] = "ClawIdle";
inline constexpr char awaiting_ready_name[] = "AwaitingReady";
inline constexpr char granting_name[] = "Granting";
inline constexpr char in_turn_name[] = "InTurn";
inline constexpr char ending_name[] = "Ending";

// The machine's own timers. Grace deadlines are per player and live in a set.
enum class Timer : std::uint8_t {
  resend,            // CHANNEL_LISTEN, END_TURN, STATUS or the ready check repeats until answered.
  turn_limit,        // The server ends the turn itself: turn_ms + turn_slack_ms.
  controller_grace,  // A restored open turn's player must show its presence by then.
  estop_resend,      // ESTOP repeats until the claw says CLAW_STOPPED (or is offline).
  ready_wait,        // The player asked the ready check must confirm by then.
  count
};

// The claw's status reports, the events whose contents the table's guards read
// (the others are in server_machine.cpp). Each names itself for transition coverage.
struct ClawStatusEvent {
  Turn turn = 0;
  TimeMs now_ms = 0;
};
struct ClawReady : ClawStatusEvent {
  static constexpr std::string_view name = "ClawReady";
  std::optional<TurnResult> result;  // How the claw's last turn ended, if it dropped.
};
struct ClawControlled : ClawStatusEvent {
  static constexpr std::string_view name = "ClawControlled";
};
// The claw went away (offline) or was stopped by an operator (stopped): either way
// it serves no turn and takes none.
struct ClawGone {
  static constexpr std::string_view name = "ClawGone";
  TimeMs now_ms = 0;
  ClawStatus status = ClawStatus::offline;
};

// The player asked the ready check did not confirm in time.
struct ReadyExpired {
  static constexpr std::string_view name = "ReadyExpired";
  TimeMs now_ms = 0;
  Ticket ticket = 0;
};

struct Lifecycle;  // The MSM back-end, defined in server_machine.cpp.

}  // namespace server_detail

struct ServerMachine::Impl {
  using Timer = server_detail::Timer;

  explicit Impl(ServerConfig server_config);
  ~Impl();

  // --- The table's actions (server_bookkeeping.cpp) ---------------------------------
  void restore(TimeMs now_ms);
  void open_turn(TimeMs now_ms);
  void send_listen(TimeMs now_ms);
  void send_end_turn(TimeMs now_ms);
  void close_completed(const server_detail::ClawReady& event);
  void close_ended_by_server(TimeMs now_ms) { close_turn(TurnOutcome::ended_by_server, ending_reason, now_ms); }
  void close_ending(const server_detail::ClawReady& event);
  void close_abandoned(TimeMs now_ms) { close_turn(TurnOutcome::ended_by_server, TurnResult::abandoned, now_ms); }
  void close_turn(TurnOutcome outcome, TurnResult result, TimeMs now_ms);
  void end_for_turn_limit() { ending_reason = TurnResult::ended_by_server; }
  void end_for_leaver() { ending_reason = TurnResult::abandoned; }
  void end_for_operator() { ending_reason = TurnResult::ended_by_server; }
  void pause_turn();
  void regrant();
  void announce_ready() { announce_claw(ClawStatus::ready); }
  void announce_gone(const server_detail::ClawGone& event) { announce_claw(event.status); }
  void announce_claw(ClawStatus status);
  void poll_claw(TimeMs now_ms);
  void resume_turn(TimeMs now_ms);
  void stop_resending() { timers.clear(Timer::resend); }
  void stop_turn_limit() { timers.clear(Timer::turn_limit); }

  // --- The table's guards ---------------------------------------------------------------
  bool turn_matches(Turn turn) const { return open.has_value() && open->turn == turn; }
  bool names_open_turn(const server_detail::ClawStatusEvent& event) const { return turn_matches(event.turn); }
  // A turn is open, and the claw speaks of another: it lost the open one.
  bool names_another_turn(const server_detail::ClawStatusEvent& event) const {
    return open.has_value() && !turn_matches(event.turn);
  }
  bool has_open_turn() const { return open.has_value(); }
  bool no_open_turn() const { return !open.has_value(); }
  bool ready_check_on() const { return config.ready_ms > 0; }

  // --- Queue bookkeeping outside the table (server_bookkeeping.cpp) --------------------
  void join(RequestId request, std::string channel, TimeMs now_ms);
  void remove_player(Ticket ticket, DepartureReason reason);
  void mark_absent(Ticket ticket, TimeMs now_ms);
  void mark_present(Ticket ticket);
  void announce_positions_from(std::size_t rank);
  void head_changed();
  void tell_position(const QueuedPlayer& player, std::size_t rank);
  // The wait of the player at `rank`: the turn in progress, counted whole, and one
  // average turn per player ahead.
  TimeMs estimated_wait_ms(std::size_t rank) const {
    return (static_cast<TimeMs>(rank) + (open ? 1 : 0)) * average_turn_ms;
  }
  void publish(std::string_view channel, Message message);
  std::optional<Ticket> second_present() const;
  // The claw's turn_summary: kept for a turn this server started, else refused.
  void accept_turn_record(const TurnSummary& summary);

  // --- The ready check (server_ready.cpp) ---------------------------------------------------
  void ask_ready(TimeMs now_ms);
  void repeat_ready_check(TimeMs now_ms);
  void stop_asking();
  void skip_unready(const server_detail::ReadyExpired& event);
  // Called by settle(): the check follows the first present player, and stops while the queue is held.
  bool ready_check_stale() const;

  // --- Operator actions (server_admin.cpp) ----------------------------------------------
  AdminAnswer admin(AdminRequest request, TimeMs now_ms);
  AdminAnswer kick(Ticket ticket, TimeMs now_ms);
  AdminAnswer emergency_stop(TimeMs now_ms);
  void set_mode(QueueMode next);
  void send_estop(TimeMs now_ms);
  // Keeps the claw's state in step with the queue's mode, from each status the claw reports.
  void enforce_stop(ClawStatus status, TimeMs now_ms);
  void end_turn_by_operator(TimeMs now_ms);  // Dispatches OperatorEnd (server_machine.cpp).

  // --- The machine (server_machine.cpp) -------------------------------------------------
  template <class Event>
  void dispatch(const Event& event);
  template <class Event>
  void unhandled(const Event&) { counters.rejected_events += 1; }
  void settle(TimeMs now_ms);
  void check_invariants() const;
  void check_queue() const;

  ServerConfig config;
  PlayerQueue queue;
  std::optional<TurnView> open;        // The turn being granted, played or ended.
  TurnResult ending_reason = TurnResult::ended_by_server;  // Why Ending was entered.
  StoredQueue pending_restore;         // Handed from handle_start to the restore action.
  Ticket next_ticket = 1;
  Turn next_turn = 1;
  bool online = false;
  QueueMode mode = QueueMode::running;  // No turn starts unless running.
  TimeMs average_turn_ms = config.turn_ms;  // Of recent turns, grant to close (close_turn()).
  std::set<std::pair<TimeMs, Ticket>> grace_deadlines;  // Absent players, by expiry.
  std::map<Ticket, TimeMs> grace_by_ticket;
  // The head of the queue while it is owed its get_ready: it became the head while
  // absent, and hears it when its presence arrives.
  std::optional<Ticket> ready_owed;
  // The player asked the ready check (AwaitingReady): always the first present player.
  struct ReadyAsk {
    Ticket ticket = 0;
    std::string channel;
  };
  std::optional<ReadyAsk> asking;
  kernel::TimerTable<Timer> timers;
  Effects outbox;
  ServerCounters counters;
  std::string_view state = server_detail::booting_name;
  std::unique_ptr<server_detail::Lifecycle> machine;
};

}  // namespace clawnet
