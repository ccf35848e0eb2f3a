#include "sim/world.hpp"
#include "core/limits.hpp"
#include "core/overloaded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace clawnet::sim {
void add_counters(ServerCounters& total, const ServerCounters& part) {
  total.joins_accepted += part.joins_accepted;
  total.joins_refused += part.joins_refused;
  total.rejected_messages += part.rejected_messages;
  total.rejected_events += part.rejected_events;
  total.turns_completed += part.turns_completed;
  total.turns_ended_by_server += part.turns_ended_by_server;
  total.turns_regranted += part.turns_regranted;
  total.position_messages += part.position_messages;
  total.listens_sent += part.listens_sent;
  total.admin_done += part.admin_done;
  total.ready_confirmed += part.ready_confirmed;
  total.players_unready += part.players_unready;
  total.admin_refused += part.admin_refused;
  for (std::size_t result = 0; result < total.turns_by_result.size(); result += 1) {
    total.turns_by_result[result] += part.turns_by_result[result];
  }
}

void add_counters(ClawCounters& total, const ClawCounters& part) {
  total.commands_accepted += part.commands_accepted;
  total.rejected_messages += part.rejected_messages;
  total.rejected_events += part.rejected_events;
  total.rate_limited += part.rate_limited;
  total.deadman_trips += part.deadman_trips;
  total.motor_limit_trips += part.motor_limit_trips;
  total.limit_switch_stops += part.limit_switch_stops;
  total.turns_finished += part.turns_finished;
  total.faults += part.faults;
  total.prizes_detected += part.prizes_detected;
  total.chute_faults += part.chute_faults;
  total.emergency_stops += part.emergency_stops;
}

namespace {

static_assert(events_at_one_instant_max > limits::queue_length_max);

bool has_heal(const Scenario& scenario) {
  return std::any_of(scenario.actions.begin(), scenario.actions.end(),
                     [](const Action& action) { return std::holds_alternative<Heal>(action.body); });
}

std::string join_names(const std::vector<std::string>& names) {
  return names.empty() ? std::string("(empty)") : fmt::format("{}", fmt::join(names, " "));
}

}  // namespace

World::World(Scenario scenario, std::uint64_t seed, WorldOptions options)
    : scenario_(std::move(scenario)),
      seed_(seed),
      store_durability_(options.store_durability),
      rng_(seed),
      channel_rng_(rng_.fork("channels")),
      latency_rng_(rng_.fork("http")),
      chaos_rng_(rng_.fork("chaos")),
      network_(scheduler_, rng_.fork("network"), scenario_.network),
      scenario_lane_(scheduler_.new_lane()),
      physics_(scenario_.cabinet, CabinetRandom(rng_.fork("cabinet")), 0),
      oracle_(scenario_.liveness_bound_ms, heal_bounds(scenario_.server, scenario_.claw, scenario_.network),
              has_heal(scenario_)) {
  if (scenario_.tie_shuffle) scheduler_.shuffle_ties(*scenario_.tie_shuffle);
  network_.add_node("server", {});
  network_.add_node("claw", {});
  // The secure channel belongs to the server and the claw alone (key set 1).
  for (const char* node : {"server", "claw"}) {
    network_.grant(node, secure_channel, true, true);
    network_.grant(node, "p-*", true, true);
  }
  network_.grant("server", lobby_channel, true, true);
  server_callbacks();
  claw_callbacks();
  start_claw(true);
  start_server();
  schedule_actions();
  schedule_expectations();
  schedule_at(scenario_.duration_ms, [this] { finish(); }, scenario_lane_);
}

World::~World() = default;

bool World::step() {
  if (finished_) return false;
  if (!scheduler_.run_next()) {
    finish();
    return false;
  }
  events_run_ += 1;
  after_event();
  return !finished_;
}

// Runs what is due, then moves the clock to `until_ms`, so inputs given next
// (a human's key press in the visualizer) happen at that time.
void World::run_until(TimeMs until_ms) {
  while (!finished_ && scheduler_.next_time() <= until_ms) step();
  if (!finished_) scheduler_.run_until(until_ms);
}

void World::run_to_end() {
  while (step()) {
  }
}

void World::after_event() {
  if (finished_) return;
  const TimeMs now = scheduler_.now();
  events_at_instant_ = now == instant_ms_ ? events_at_instant_ + 1 : 1;
  instant_ms_ = now;
  if (events_at_instant_ > events_at_one_instant_max) {
    return stop_as_livelock(fmt::format("more than {} events at {} without virtual time moving on",
                                        events_at_one_instant_max, format_duration(now)));
  }
  oracle_.check(*this, now);
  for (auto it = open_by_expectations_.begin(); it != open_by_expectations_.end();) {
    const Expectation& expectation = **it;
    check_expectation(expectation, false, false);
    if (!results_.empty() && results_.back().line == expectation.line && results_.back().passed) {
      it = open_by_expectations_.erase(it);
    } else {
      ++it;
    }
  }
  if (const std::optional<Violation>& broken = oracle_.violation()) {
    log("oracle", fmt::format("VIOLATION of invariant {} ({}): {}", broken->invariant, broken->name, broken->detail));
    finish();
  }
}

void World::stop_as_livelock(std::string detail) {
  if (finished_) return;
  oracle_.fail_livelock(std::move(detail), scheduler_.now());
  const Violation& broken = *oracle_.violation();
  log("oracle", fmt::format("VIOLATION ({}): {}", broken.name, broken.detail));
  finish();
}

void World::schedule_at(TimeMs at_ms, std::function<void()> action, Lane lane) {
  if (!scheduler_.schedule(at_ms, std::move(action), lane)) fatal("the scheduler is full");
}

void World::fatal(std::string what) {
  oracle_.fail(0, "simulation", std::move(what), scheduler_.now());
}

void World::log(std::string node, std::string text) { timeline_.record(scheduler_.now(), std::move(node), std::move(text)); }

TimeMs World::latency_sample() {
  return latency_rng_.between(scenario_.network.latency_ms_min, scenario_.network.latency_ms_max);
}

// 128 random bits from the seeded generator, as a player channel name.
std::string World::fresh_channel() {
  return fmt::format("p-{:016x}{:016x}", channel_rng_.uint64(), channel_rng_.uint64());
}

std::string World::label(const std::string& channel) const {
  auto owner = channel_owner_.find(channel);
  return owner == channel_owner_.end() ? channel : owner->second;
}

std::optional<std::string> World::owner_of(const std::string& channel) const {
  auto owner = channel_owner_.find(channel);
  if (owner == channel_owner_.end()) return std::nullopt;
  return owner->second;
}

std::optional<std::string> World::granted_channel(Turn turn) const { return oracle_.granted_channel(turn); }

bool World::reachable(const std::string& node) const {
  auto cut = cut_off_until_ms_.find(node);
  return cut == cut_off_until_ms_.end() || cut->second <= scheduler_.now();
}

// --- Expectations ------------------------------------------------------------------------

void World::schedule_expectations() {
  for (const Expectation& expectation : scenario_.expectations) {
    if (expectation.when == When::at) {
      schedule_at(
          expectation.at_ms, [this, &expectation] { check_expectation(expectation, true, true); }, scenario_lane_);
    } else if (expectation.when == When::by) {
      open_by_expectations_.push_back(&expectation);
      schedule_at(expectation.at_ms + 1, [this, &expectation] {
        auto open = std::find(open_by_expectations_.begin(), open_by_expectations_.end(), &expectation);
        if (open == open_by_expectations_.end()) return;
        open_by_expectations_.erase(open);
        check_expectation(expectation, true, true);
      });
    }
  }
}

// Whether `body` holds now, and what was seen, for the log line.
std::pair<bool, std::string> World::observe(const ExpectationBody& body) const {
  auto name_of_controller = [&]() -> std::optional<std::string> {
    if (!claw_ || !claw_->listening_channel()) return std::nullopt;
    return owner_of(*claw_->listening_channel());
  };
  auto queue_names = [&] {
    std::vector<std::string> names;
    if (server_) server_->queue().for_each([&](const QueuedPlayer& p) { names.push_back(label(p.channel)); });
    return names;
  };
  return std::visit(
      Overloaded{
          [&](const ExpectController& e) -> std::pair<bool, std::string> {
            std::optional<std::string> controller = name_of_controller();
            return {controller == e.player, fmt::format("controller {}", controller.value_or("none"))};
          },
          [&](const ExpectQueue& e) -> std::pair<bool, std::string> {
            std::vector<std::string> names = queue_names();
            return {server_ != nullptr && names == e.players, fmt::format("queue {}", join_names(names))};
          },
          [&](const ExpectQueueLength& e) -> std::pair<bool, std::string> {
            std::uint64_t length = server_ ? server_->queue().size() : 0;
            return {server_ != nullptr && length == e.length, fmt::format("queue_length {}", length)};
          },
          [&](const ExpectMotorsOff&) -> std::pair<bool, std::string> {
            std::vector<std::string> on;
            for (int index = 0; index < motor_count; index += 1) {
              if (physics_.motor_on(static_cast<Motor>(index))) on.emplace_back(to_string(static_cast<Motor>(index)));
            }
            return {on.empty(), on.empty() ? std::string("motors off") : fmt::format("motors on: {}", join_names(on))};
          },
          [&](const ExpectPosition& e) -> std::pair<bool, std::string> {
            auto found = players_.find(e.player);
            std::optional<std::uint64_t> shown;
            if (found != players_.end()) shown = found->second.shown_position;
            return {shown == e.position,
                    fmt::format("{} shown position {}", e.player, shown ? std::to_string(*shown) : "none")};
          },
          [&](const ExpectQueueMode& e) -> std::pair<bool, std::string> {
            const std::string_view mode = server_ ? to_string(server_->queue_mode()) : "down";
            return {server_ != nullptr && server_->queue_mode() == e.mode, fmt::format("queue_mode {}", mode)};
          },
          [&](const ExpectState& e) -> std::pair<bool, std::string> {
            std::string state = "down";
            if (e.node == NodeKind::server && server_) state = std::string(server_->state_name());
            if (e.node == NodeKind::claw && claw_) state = std::string(claw_->state_name());
            return {state == e.state, fmt::format("{} state {}", to_string(e.node), state)};
          },
          [&](const ExpectCounter& e) -> std::pair<bool, std::string> {
            std::optional<std::uint64_t> value = counter(e.counter);
            if (!value) return {false, fmt::format("no counter named {}", e.counter)};
            bool ok = e.comparison == Comparison::eq   ? *value == e.value
                      : e.comparison == Comparison::ge ? *value >= e.value
                                                       : *value <= e.value;
            return {ok, fmt::format("{} = {}", e.counter, *value)};
          },
          [&](const ExpectPlayed& e) -> std::pair<bool, std::string> {
            std::vector<std::string> missing;
            for (const std::string& name : e.players) {
              auto found = players_.find(name);
              if (found == players_.end() || found->second.turns_played == 0) missing.push_back(name);
            }
            return {missing.empty(), missing.empty() ? std::string("all played")
                                                     : fmt::format("not played: {}", join_names(missing))};
          },
      },
      body);
}

// Evaluates one expectation now. A final check records its result either way;
// a `by` probe records only a pass.
void World::check_expectation(const Expectation& expectation, bool final_check, bool record_failure) {
  const auto [passed, seen] = observe(expectation.body);
  if (!passed && !(final_check && record_failure)) return;
  const std::string when = expectation.when == When::end
                               ? std::string("end")
                               : fmt::format("{} {}", expectation.when == When::at ? "at" : "by",
                                             format_duration(expectation.at_ms));
  std::string text = fmt::format("line {}: expect {}: {} ({})", expectation.line, when, passed ? "ok" : "FAILED", seen);
  log("expect", text);
  results_.push_back(ExpectationResult{expectation.line, passed, std::move(text)});
}

void World::finish() {
  if (finished_) return;
  for (const Expectation* open : open_by_expectations_) check_expectation(*open, true, true);
  open_by_expectations_.clear();
  if (!oracle_.violation()) {
    oracle_.check_end(*this, scheduler_.now());
    if (const std::optional<Violation>& broken = oracle_.violation()) {
      log("oracle", fmt::format("VIOLATION of invariant {} ({}): {}", broken->invariant, broken->name, broken->detail));
    }
  }
  if (!oracle_.violation()) {
    for (const Expectation& expectation : scenario_.expectations) {
      if (expectation.when == When::end) check_expectation(expectation, true, true);
    }
  }
  finished_ = true;
}

bool World::passed() const {
  if (oracle_.violation()) return false;
  return std::all_of(results_.begin(), results_.end(), [](const ExpectationResult& r) { return r.passed; });
}

// --- Counters ------------------------------------------------------------------------------

RunCounters World::counters() const {
  RunCounters total = retired_;
  if (server_) add_counters(total.server, server_->counters());
  if (claw_) add_counters(total.claw, claw_->counters());
  return total;
}

std::optional<std::uint64_t> World::counter(std::string_view name) const {
  const RunCounters total = counters();
  const NetworkCounters& net = network_.counters();
  const auto of = [](const std::array<std::uint64_t, turn_result_count>& by_result, TurnResult result) {
    return by_result[static_cast<std::size_t>(result)];
  };
  const std::pair<std::string_view, std::uint64_t> table[] = {
      {"server.joins_accepted", total.server.joins_accepted},
      {"server.joins_refused", total.server.joins_refused},
      {"server.rejected", total.server.rejected_messages},
      {"server.rejected_events", total.server.rejected_events},
      {"server.turns_completed", total.server.turns_completed},
      {"server.turns_ended_by_server", total.server.turns_ended_by_server},
      {"server.turns_regranted", total.server.turns_regranted},
      {"server.position_messages", total.server.position_messages},
      {"server.admin_done", total.server.admin_done},
      {"server.ready_confirmed", total.server.ready_confirmed},
      {"server.players_unready", total.server.players_unready},
      {"server.admin_refused", total.server.admin_refused},
      {"claw.commands_accepted", total.claw.commands_accepted},
      {"claw.rejected", total.claw.rejected_messages},
      {"claw.rejected_events", total.claw.rejected_events},
      {"claw.rate_limited", total.claw.rate_limited},
      {"claw.deadman_trips", total.claw.deadman_trips},
      {"claw.motor_limit_trips", total.claw.motor_limit_trips},
      {"claw.limit_switch_stops", total.claw.limit_switch_stops},
      {"claw.turns_finished", total.claw.turns_finished},
      {"claw.faults", total.claw.faults},
      {"claw.prizes_detected", total.claw.prizes_detected},
      {"claw.chute_faults", total.claw.chute_faults},
      {"claw.emergency_stops", total.claw.emergency_stops},
      {"results.win", of(total.server.turns_by_result, TurnResult::win)},
      {"results.loss", of(total.server.turns_by_result, TurnResult::loss)},
      {"results.timeout", of(total.server.turns_by_result, TurnResult::timeout)},
      {"results.ended_by_server", of(total.server.turns_by_result, TurnResult::ended_by_server)},
      {"results.abandoned", of(total.server.turns_by_result, TurnResult::abandoned)},
      {"players.heard_win", of(total.results_heard, TurnResult::win)},
      {"players.heard_loss", of(total.results_heard, TurnResult::loss)},
      {"network.published", net.published},
      {"network.delivered", net.delivered},
      {"network.lost", net.lost},
      {"network.duplicated", net.duplicated},
      {"network.denied", net.denied},
      {"network.presence_lost", net.presence_lost},
      {"network.presence_duplicated", net.presence_duplicated},
      {"network.presence_spurious", net.presence_spurious},
      {"cabinet.prizes_won", physics_.prizes_won()},
      {"players.joined", total.players_joined},
      {"players.turns_played", total.turns_played},
  };
  for (const auto& [key, value] : table) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// --- Snapshot --------------------------------------------------------------------------------

Snapshot World::snapshot() const {
  Snapshot shot;
  shot.now_ms = scheduler_.now();
  shot.seed = seed_;
  shot.scenario = scenario_.name;
  shot.server_up = server_ != nullptr;
  shot.claw_up = claw_ != nullptr;
  shot.last_result = last_result_;
  shot.server_state = server_ ? std::string(server_->state_name()) : "down";
  shot.claw_state = claw_ ? std::string(claw_->state_name()) : "down";
  if (claw_ && claw_->listening_channel()) {
    shot.controller = owner_of(*claw_->listening_channel()).value_or(*claw_->listening_channel());
    shot.turn = claw_->current_turn();
    shot.turn_ms = scenario_.server.turn_ms;
    auto started = turn_started_ms_.find(shot.turn);
    if (started != turn_started_ms_.end()) shot.turn_ends_ms = started->second + scenario_.server.turn_ms;
  }
  if (server_) {
    const PlayerQueue& queue = server_->queue();
    shot.queue_length = queue.size();
    for (std::size_t rank = 0; rank < queue.size() && rank < queue_view_max; rank += 1) {
      const QueuedPlayer& player = queue.at(rank);
      shot.queue.push_back(QueueEntryView{label(player.channel), player.channel, rank, player.shown_position,
                                          player.present});
    }
  }
  shot.cabinet = physics_.view();
  for (std::string& fault : network_.describe_faults()) shot.faults.push_back(FaultView{std::move(fault)});
  for (std::string& fault : describe_node_faults()) shot.faults.push_back(FaultView{std::move(fault)});
  const std::deque<std::string>& recent = timeline_.recent();
  const std::size_t first = recent.size() > recent_log_max ? recent.size() - recent_log_max : 0;
  shot.recent_log.assign(recent.begin() + static_cast<std::ptrdiff_t>(first), recent.end());
  shot.finished = finished_;
  return shot;
}

}  // namespace clawnet::sim
