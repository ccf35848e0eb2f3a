// Scenario faults: crashes (now, mid-step or in a state), restarts,
// partitions, loss, bursts, random chaos, and the heal that ends them all.
#include "sim/world.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

namespace clawnet::sim {
namespace {

template <class T, class... Faults>
constexpr bool one_of = (std::is_same_v<T, Faults> || ...);
template <class T>
constexpr bool is_fault = one_of<T, Crash, Restart, PartitionNode, PartitionLink, ChannelLoss, Burst, Chaos,
                                 PresenceTrouble, SpuriousTimeout, Pause, Slow, ClockChange, PowerCut, ChuteSensor,
                                 Heal>;

}  // namespace

// One scenario fault, as a visitor of Action::body with one function per kind
// (players' actions are WorldActions', in world_actions.cpp). A friend of World.
class WorldFaults {
 public:
  WorldFaults(World& world, const Action& action) : world_(world), action_(action), now_(world.scheduler_.now()) {}

  void operator()(const Crash& a) const {
    if (a.in_state) {
      return world_.arm_in_state(a.node, *a.in_state, Action{now_, Crash{a.node, a.after_effects}, action_.line});
    }
    if (a.after_effects) {
      (a.node == NodeKind::server ? world_.server_crash_after_ : world_.claw_crash_after_) = a.after_effects;
      return world_.log("scenario", fmt::format("{} will crash after {} effects of a step", to_string(a.node),
                                                *a.after_effects));
    }
    a.node == NodeKind::server ? world_.crash_server() : world_.crash_claw();
  }
  void operator()(const Restart& a) const {
    const std::string node(to_string(a.node));
    if (a.node == NodeKind::server ? world_.server_ != nullptr : world_.claw_ != nullptr) {
      return world_.log("scenario", fmt::format("line {}: {} is running; restart skipped", action_.line, node));
    }
    world_.network_.restart(node);
    a.node == NodeKind::server ? world_.start_server() : world_.start_claw(false);
  }
  void operator()(const PartitionNode& a) const {
    if (a.in_state) {
      return world_.arm_in_state(a.node == "server" ? NodeKind::server : NodeKind::claw, *a.in_state,
                                 Action{now_, PartitionNode{a.node, a.for_ms}, action_.line});
    }
    if (a.for_ms > world_.scenario_.server.turn_ms) coverage::sometimes(coverage::Probe::sim_partition_over_turn);
    world_.network_.partition_node(a.node, now_ + a.for_ms);
    cut_off(a.node, a.for_ms);
    world_.log("net", fmt::format("partition {} for {}", a.node, format_duration(a.for_ms)));
  }
  void operator()(const PartitionLink& a) const {
    if (a.for_ms > world_.scenario_.server.turn_ms) coverage::sometimes(coverage::Probe::sim_partition_over_turn);
    world_.network_.partition_link(a.from, a.to, a.both_ways, now_ + a.for_ms);
    for (const std::string& node : {a.from, a.to}) cut_off(node, a.for_ms);
    world_.log("net", fmt::format("partition {}{}{} for {}", a.from, a.both_ways ? "<->" : "->", a.to,
                                  format_duration(a.for_ms)));
  }
  void operator()(const ChannelLoss& a) const {
    World& world = world_;
    world.network_.set_channel_loss(a.pattern, a.loss);
    TimeMs& until_ms = world.channel_loss_until_ms_[a.pattern];
    until_ms = std::max(until_ms, now_ + a.for_ms);
    world.log("net", fmt::format("loss {:.0f}% on {} for {}", a.loss * 100, a.pattern, format_duration(a.for_ms)));
    world.schedule_at(now_ + a.for_ms, [&world, pattern = a.pattern] {
      auto active = world.channel_loss_until_ms_.find(pattern);
      if (active == world.channel_loss_until_ms_.end() || active->second > world.scheduler_.now()) return;
      world.channel_loss_until_ms_.erase(active);
      world.network_.clear_channel_loss(pattern);
      world.log("net", fmt::format("loss on {} ends", pattern));
    });
  }
  void operator()(const Burst& a) const { world_.burst(a); }
  void operator()(const Chaos& a) const { world_.schedule_chaos(now_ + a.for_ms, a.mean_interval_ms); }
  void operator()(const PresenceTrouble& a) const { world_.presence_trouble(a); }
  void operator()(const SpuriousTimeout& a) const {
    auto player = world_.players_.find(a.player);
    const bool sent = player != world_.players_.end() && !player->second.channel.empty() &&
                      world_.network_.spurious_timeout(player->second.channel, a.player);
    world_.log("net", sent ? fmt::format("presence: a spurious timeout for {}", a.player)
                           : fmt::format("line {}: {} is not present; spurious timeout skipped", action_.line,
                                         a.player));
  }
  void operator()(const Pause& a) const {
    if (a.in_state) {
      return world_.arm_in_state(a.node, *a.in_state, Action{now_, Pause{a.node, a.for_ms}, action_.line});
    }
    world_.pause_node(a.node, a.for_ms);
  }
  void operator()(const Slow& a) const { world_.slow_node(a.node, a.by_ms, a.for_ms); }
  void operator()(const ClockChange& a) const { world_.change_clock(a); }
  void operator()(const PowerCut& a) const { world_.power_cut_server(a.torn); }
  void operator()(const ChuteSensor& a) const { world_.set_chute_stuck(a.stuck); }
  void operator()(const Heal&) const { world_.heal(); }
  void operator()(const auto&) const {}  // Not a fault: WorldActions (world_actions.cpp).

 private:
  // A scenario partition keeps `node` unreachable until now + for_ms at least.
  void cut_off(const std::string& node, TimeMs for_ms) const {
    TimeMs& until_ms = world_.cut_off_until_ms_[node];
    until_ms = std::max(until_ms, now_ + for_ms);
  }

  World& world_;
  const Action& action_;
  TimeMs now_;
};

// Returns false iff `action` is not a fault (World::apply handles it).
bool World::apply_fault(const Action& action) {
  const bool fault = std::visit([](const auto& body) { return is_fault<std::decay_t<decltype(body)>>; }, action.body);
  if (fault) std::visit(WorldFaults(*this, action), action.body);
  return fault;
}

// Random faults, about one per mean interval: crashes with restarts,
// partitions and loss bursts, each over within a minute.
void World::schedule_chaos(TimeMs until_ms, TimeMs mean_interval_ms) {
  const TimeMs at_ms = scheduler_.now() + static_cast<TimeMs>(chaos_rng_.exponential(static_cast<double>(mean_interval_ms))) + 1;
  if (at_ms >= until_ms) return;
  schedule_at(at_ms, [this, until_ms, mean_interval_ms] {
    if (healed_) return;
    chaos_seq_ += 1;
    const TimeMs now = scheduler_.now();
    const TimeMs length_ms = chaos_rng_.between(2'000, 40'000);
    const std::uint64_t fault = chaos_rng_.below(5);
    log("chaos", fmt::format("fault {} for {}", fault, format_duration(length_ms)));
    if (fault == 0 && server_) {
      crash_server();
      schedule_at(now + length_ms, [this] {
        if (server_) return;
        network_.restart("server");
        start_server();
      });
    } else if (fault == 1 && claw_) {
      crash_claw();
      schedule_at(now + length_ms, [this] {
        if (claw_) return;
        network_.restart("claw");
        start_claw(false);
      });
    } else if (fault == 2 || fault == 3) {
      const std::string node = fault == 2 ? "claw" : "server";
      network_.partition_node(node, now + length_ms);
      cut_off_until_ms_[node] = std::max(cut_off_until_ms_[node], now + length_ms);
      log("net", fmt::format("partition {} for {}", node, format_duration(length_ms)));
    } else {
      burst(Burst{chaos_rng_.unit() * 0.4, chaos_rng_.unit() * 0.1, chaos_rng_.unit() * 0.2, length_ms,
                  chaos_rng_.between(0, 2'000)});
    }
    schedule_chaos(until_ms, mean_interval_ms);
  });
}

void World::burst(const Burst& trouble) {
  NetworkOptions options = scenario_.network;
  options.loss = trouble.loss;
  options.duplication = trouble.duplication;
  options.reorder = trouble.reorder;
  options.latency_ms_min += trouble.delay_ms;
  options.latency_ms_max += trouble.delay_ms;
  if (trouble.reorder_ms_max > 0) options.reorder_ms_max = trouble.reorder_ms_max;
  if (options.reorder > 0 && options.reorder_ms_max == 0) options.reorder_ms_max = 500;
  if (std::optional<std::string> invalid = network_.set_options(options)) return fatal("burst: " + *invalid);
  log("net", fmt::format("burst: loss {:.0f}% duplication {:.0f}% reorder {:.0f}% delay +{} for {}", trouble.loss * 100,
                         trouble.duplication * 100, trouble.reorder * 100, format_duration(trouble.delay_ms),
                         format_duration(trouble.for_ms)));
  burst_generation_ += 1;
  schedule_at(scheduler_.now() + trouble.for_ms, [this, generation = burst_generation_] {
    if (generation != burst_generation_) return;  // A later burst owns the options now.
    network_.set_options(scenario_.network);
    log("net", "burst ends");
  });
}

void World::presence_trouble(const PresenceTrouble& trouble) {
  const PresenceFaults faults{trouble.loss, trouble.duplication, trouble.delay_ms};
  if (std::optional<std::string> invalid = network_.set_presence_faults(faults)) return fatal("presence: " + *invalid);
  log("net", fmt::format("presence trouble: loss {:.0f}% duplication {:.0f}% delay +{} for {}", trouble.loss * 100,
                         trouble.duplication * 100, format_duration(trouble.delay_ms), format_duration(trouble.for_ms)));
  presence_generation_ += 1;
  schedule_at(scheduler_.now() + trouble.for_ms, [this, generation = presence_generation_] {
    if (generation != presence_generation_) return;  // A later one owns the faults now.
    network_.set_presence_faults(PresenceFaults{});
    log("net", "presence trouble ends");
  });
}

void World::arm_in_state(NodeKind node, std::string state, Action action) {
  log("scenario", fmt::format("armed for when the {} is {}: {}", to_string(node), state, action_text(action.body)));
  state_triggers_.push_back(StateTrigger{node, std::move(state), std::move(action)});
  fire_state_triggers(node);
}

// Runs, as the next event at this instant, every fault armed for the state
// `node` is in now (so the step that entered the state completes first).
void World::fire_state_triggers(NodeKind node) {
  const std::string_view state = node == NodeKind::server ? (server_ ? server_->state_name() : std::string_view())
                                                          : (claw_ ? claw_->state_name() : std::string_view());
  for (auto it = state_triggers_.begin(); it != state_triggers_.end();) {
    if (it->node != node || it->state != state) {
      ++it;
      continue;
    }
    // A heal between now and then disarms it, as it disarms every trigger.
    schedule_at(scheduler_.now(), [this, action = it->action, armed_healed = healed_] {
      if (healed_ == armed_healed) apply(action);
    });
    it = state_triggers_.erase(it);
  }
}

// A claw that faulted (a drop-cycle step overran: a clock step, a slow
// controller) stays stopped until someone power-cycles it: the heal does, and
// so it does for a fault a pre-heal fault causes while things settle.
void World::power_cycle_faulted_claw() {
  if (!claw_ || claw_->state_name() != "Fault") return;
  log("scenario", "heal: the faulted claw is power-cycled");
  crash_claw();
  network_.restart("claw");
  start_claw(false);
}

// Every fault stops at once; crashed nodes restart; the oracle's heal phase begins.
void World::set_chute_stuck(bool stuck) {
  sync_physics();
  physics_.set_chute_stuck(stuck, scheduler_.now());
  chute_stuck_ = stuck;
  reschedule_physics();
  log("cabinet", stuck ? "the prize chute sensor sticks" : "the prize chute sensor works");
}

void World::heal() {
  log("scenario", "heal: every fault stops");
  healed_ = true;
  network_.heal_all();
  cut_off_until_ms_.clear();
  for (const auto& [pattern, until_ms] : channel_loss_until_ms_) network_.clear_channel_loss(pattern);
  channel_loss_until_ms_.clear();
  burst_generation_ += 1;  // Ends any burst...
  presence_generation_ += 1;  // ...and any presence trouble.
  network_.set_presence_faults(PresenceFaults{});
  network_.set_options(scenario_.network);
  server_crash_after_.reset();
  claw_crash_after_.reset();
  state_triggers_.clear();
  end_stalls();
  if (chute_stuck_) set_chute_stuck(false);
  heal_settles_at_ms_ =
      scheduler_.now() + heal_bounds(scenario_.server, scenario_.claw, scenario_.network).settle_ms;
  power_cycle_faulted_claw();
  if (!claw_) {
    network_.restart("claw");
    start_claw(false);
  }
  if (!server_) {
    network_.restart("server");
    start_server();
  }
  release_operator_hold();
  oracle_.on_heal(scheduler_.now());
}

}  // namespace clawnet::sim
