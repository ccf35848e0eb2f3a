// Between a node's inputs and its machine: a frozen process (pause) queues
// every input and handles them all when it resumes; a slow one handles each
// input late. Either way one queue keeps them in arrival order. And each
// node's clock (sim/node_clock.hpp).
#include "sim/world.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

namespace clawnet::sim {

void World::to_node(NodeKind node, std::function<void()> input) {
  NodeStall& stalled = stall(node);
  const TimeMs now = scheduler_.now();
  const bool lagging = stalled.lag_ms > 0 && now < stalled.lag_until_ms;
  if (!stalled.paused_until_ms && !lagging && stalled.queued.empty()) return input();
  // After every input already queued: a node handles its inputs in arrival order.
  const TimeMs due_ms = std::max(lagging ? now + stalled.lag_ms : now,
                                 stalled.queued.empty() ? now : stalled.queued.back().due_ms);
  stalled.queued.push_back(QueuedInput{due_ms, std::move(input)});
  if (stalled.queued.size() == 1 && !stalled.paused_until_ms) schedule_drain(node);
}

void World::schedule_drain(NodeKind node) {
  NodeStall& stalled = stall(node);
  schedule_at(
      stalled.queued.front().due_ms, [this, node, incarnation = stalled.incarnation] { drain(node, incarnation, false); },
      stalled.lane);
}

// Handles the queued inputs that are due (all of them if `all`), in order,
// unless the node is frozen; then waits for the next one.
void World::drain(NodeKind node, std::uint64_t incarnation, bool all) {
  NodeStall& stalled = stall(node);
  if (stalled.incarnation != incarnation) return;  // The process they were for has crashed.
  while (!stalled.paused_until_ms && !stalled.queued.empty() &&
         (all || stalled.queued.front().due_ms <= scheduler_.now())) {
    std::function<void()> input = std::move(stalled.queued.front().input);
    stalled.queued.pop_front();
    input();
    if (stall(node).incarnation != incarnation) return;  // It crashed on that input.
  }
  if (!stalled.queued.empty() && !stalled.paused_until_ms && !all) schedule_drain(node);
  if (node == NodeKind::claw) tell_oracle_claw_stalled();
}

void World::pause_node(NodeKind node, TimeMs for_ms) {
  const bool running = node == NodeKind::server ? server_ != nullptr : claw_ != nullptr;
  if (!running) return log("scenario", fmt::format("{} is down; pause skipped", to_string(node)));
  NodeStall& stalled = stall(node);
  const TimeMs until_ms = scheduler_.now() + for_ms;
  if (stalled.paused_until_ms && *stalled.paused_until_ms >= until_ms) return;
  if (node == NodeKind::claw && claw_->listening_channel()) coverage::sometimes(coverage::Probe::sim_claw_frozen_mid_turn);
  stalled.paused_until_ms = until_ms;
  log(std::string(to_string(node)), fmt::format("FROZEN for {}", format_duration(for_ms)));
  if (node == NodeKind::claw) tell_oracle_claw_stalled();
  schedule_at(until_ms, [this, node, until_ms, incarnation = stalled.incarnation] {
    NodeStall& later = stall(node);
    if (later.incarnation == incarnation && later.paused_until_ms == until_ms) resume_node(node);
  });
}

// The process runs again: overdue timers and queued inputs, in arrival order.
void World::resume_node(NodeKind node) {
  NodeStall& stalled = stall(node);
  if (!stalled.paused_until_ms) return;
  if (node == NodeKind::claw) sync_physics();  // Queues what the switches did meanwhile.
  stalled.paused_until_ms.reset();
  log(std::string(to_string(node)), fmt::format("resumes with {} queued inputs", stalled.queued.size()));
  if (stalled.queued.size() >= 10) coverage::sometimes(coverage::Probe::sim_resume_with_backlog);
  const std::uint64_t incarnation = stalled.incarnation;
  drain(node, incarnation, false);
  if (stall(node).incarnation != incarnation) return;
  // A timer that came due while frozen fires now, even if nothing else arrived.
  node == NodeKind::server ? reschedule_server() : reschedule_claw();
}

void World::slow_node(NodeKind node, TimeMs by_ms, TimeMs for_ms) {
  NodeStall& stalled = stall(node);
  const TimeMs now = scheduler_.now();
  stalled.lag_ms = by_ms;
  stalled.lag_until_ms = now + for_ms;
  if (stalled.lane == no_lane) stalled.lane = scheduler_.new_lane();
  log(std::string(to_string(node)), fmt::format("slow: each input {} late for {}", format_duration(by_ms),
                                                format_duration(for_ms)));
  if (node != NodeKind::claw) return;
  tell_oracle_claw_stalled();
  schedule_at(now + for_ms, [this] { tell_oracle_claw_stalled(); });
}

// Stalled: frozen, or inputs still handled late.
void World::tell_oracle_claw_stalled() {
  const TimeMs now = scheduler_.now();
  const bool stalled = claw_stall_.paused_until_ms || now < claw_stall_.lag_until_ms || !claw_stall_.queued.empty();
  if (stalled == claw_stalled_told_) return;
  if (!stalled) sync_physics();
  claw_stalled_told_ = stalled;
  oracle_.on_claw_stalled(stalled, physics_, now);
}

void World::change_clock(const ClockChange& change) {
  NodeClock& node_clock = clock(change.node);
  const TimeMs now = scheduler_.now();
  if (change.drift_ppm) node_clock.set_drift(*change.drift_ppm, now);
  if (change.step_ms) node_clock.step(*change.step_ms, now);
  if (change.node == NodeKind::claw) oracle_.on_claw_drift(node_clock.drift_ppm());
  log(std::string(to_string(change.node)),
      fmt::format("clock: drift {} ppm, reads {} at {}", node_clock.drift_ppm(),
                  format_duration(node_clock.local(now)), format_duration(now)));
  if (change.step_ms) coverage::sometimes(coverage::Probe::sim_clock_step);
  // Its timers are due at other true times now.
  change.node == NodeKind::server ? reschedule_server() : reschedule_claw();
}

void World::forget_stalled_inputs(NodeKind node) {
  NodeStall& stalled = stall(node);
  stalled.paused_until_ms.reset();
  stalled.queued.clear();
  stalled.incarnation += 1;
  if (node == NodeKind::claw) tell_oracle_claw_stalled();
}

std::vector<std::string> World::describe_node_faults() const {
  std::vector<std::string> faults;
  const TimeMs now = scheduler_.now();
  for (NodeKind node : {NodeKind::server, NodeKind::claw}) {
    const std::string_view name = to_string(node);
    const NodeStall& stalled = node == NodeKind::server ? server_stall_ : claw_stall_;
    if (stalled.paused_until_ms) {
      faults.push_back(fmt::format("{} frozen until {} ({} inputs queued)", name, format_duration(*stalled.paused_until_ms),
                                   stalled.queued.size()));
    }
    if (now < stalled.lag_until_ms || (!stalled.paused_until_ms && !stalled.queued.empty())) {
      faults.push_back(fmt::format("{} slow: inputs {} late until {}", name, format_duration(stalled.lag_ms),
                                   format_duration(std::max(stalled.lag_until_ms, now))));
    }
    const NodeClock& node_clock = node == NodeKind::server ? server_clock_ : claw_clock_;
    if (node_clock.local(now) != now || node_clock.drift_ppm() != 0) {
      const TimeMs ahead_ms = node_clock.local(now) - now;
      faults.push_back(fmt::format("{} clock {} {}, drift {} ppm", name, format_duration(ahead_ms < 0 ? -ahead_ms : ahead_ms),
                                   ahead_ms < 0 ? "behind" : "ahead", node_clock.drift_ppm()));
    }
    const std::optional<std::uint32_t>& crash_after = node == NodeKind::server ? server_crash_after_ : claw_crash_after_;
    if (crash_after) faults.push_back(fmt::format("{} crashes after {} effects of a step", name, *crash_after));
  }
  for (const StateTrigger& trigger : state_triggers_) {
    faults.push_back(fmt::format("{} in {}: {}", to_string(trigger.node), trigger.state, action_text(trigger.action.body)));
  }
  return faults;
}

// The heal thaws frozen nodes and ends slowness: what was queued late is
// handled now. Clocks keep their drift: it is the hardware's, and bounded.
void World::end_stalls() {
  for (NodeKind node : {NodeKind::server, NodeKind::claw}) {
    NodeStall& stalled = stall(node);
    stalled.lag_until_ms = std::min(stalled.lag_until_ms, scheduler_.now());
    resume_node(node);
    drain(node, stalled.incarnation, true);
  }
}

}  // namespace clawnet::sim
