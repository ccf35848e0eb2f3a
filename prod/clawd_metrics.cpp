#include "prod/clawd_metrics.hpp"

#include "core/protocol.hpp"
#include "prod/metrics_support.hpp"

#include <string>

namespace clawnet::prod {

namespace {

using prometheus::Histogram;

prometheus::Gauge& gauge(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

Histogram& histogram(prometheus::Registry& registry, const std::string& name, const std::string& help,
                     const Histogram::BucketBoundaries& buckets) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add({}, buckets);
}

// A wait in the queue: seconds to an hour and more.
const Histogram::BucketBoundaries wait_buckets_s = {1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};
// A turn: its configured length, an early drop, or a server that ended it.
const Histogram::BucketBoundaries turn_buckets_s = {1, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300};

// A group commit: one write when quiet, hundreds under a burst of joins.
const Histogram::BucketBoundaries commit_writes_buckets = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

double seconds(TimeMs duration_ms) { return static_cast<double>(duration_ms) / 1000.0; }

}  // namespace

ClawdMetrics::ClawdMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      queue_length_(gauge(*registry_, "clawnet_queue_length", "Players waiting in the queue")),
      players_present_(gauge(*registry_, "clawnet_players_present", "Waiting players whose presence shows")),
      broker_link_(gauge(*registry_, "clawnet_broker_link", "1 while connected to the MQTT broker, else 0")),
      claw_online_(gauge(*registry_, "clawnet_claw_online", "1 while the server sees the claw, else 0")),
      joins_(prometheus::BuildCounter().Name("clawnet_joins_total").Help("Join requests by outcome").Register(*registry_)),
      joins_accepted_(joins_.Add({{"outcome", "accepted"}})),
      joins_refused_(joins_.Add({{"outcome", "refused"}})),
      turns_regranted_(counter(*registry_, "clawnet_turns_regranted_total",
                               "Turns granted again after the claw lost them")),
      rejected_messages_(counter(*registry_, "clawnet_rejected_messages_total",
                                 "Malformed or unexpected messages on the secure channel")),
      rejected_events_(counter(*registry_, "clawnet_rejected_events_total",
                               "Events the server machine's state does not accept")),
      position_messages_(counter(*registry_, "clawnet_position_messages_total",
                                 "Queue positions published to players")),
      presence_cleared_(counter(*registry_, "clawnet_presence_cleared_total",
                                "Retained presence messages of players no longer queued, cleared")),
      ready_checks_(prometheus::BuildCounter()
                        .Name("clawnet_ready_checks_total")
                        .Help("Ready checks by answer: confirmed in time, or the player skipped as unready")
                        .Register(*registry_)),
      ready_confirmed_(ready_checks_.Add({{"answer", "confirmed"}})),
      players_unready_(ready_checks_.Add({{"answer", "unready"}})),
      wait_seconds_(histogram(*registry_, "clawnet_wait_seconds", "From join accepted to the player's turn started",
                              wait_buckets_s)),
      turn_duration_seconds_(histogram(*registry_, "clawnet_turn_duration_seconds",
                                       "From turn started to turn ended", turn_buckets_s)),
      store_commit_seconds_(histogram(*registry_, "clawnet_store_commit_seconds", "One durable store commit",
                                      latency_buckets_s())),
      store_commit_writes_(histogram(*registry_, "clawnet_store_commit_writes", "Writes in one group commit",
                                     commit_writes_buckets)) {
  auto& turns = prometheus::BuildCounter().Name("clawnet_turns_total").Help("Finished turns by result").Register(*registry_);
  for (int i = 0; i < turn_result_count; ++i) {
    turns_by_result_.at(static_cast<std::size_t>(i)) =
        &turns.Add({{"result", std::string(to_string(static_cast<TurnResult>(i)))}});
  }
}

void ClawdMetrics::refresh(const ClawdSnapshot& snapshot) {
  queue_length_.Set(static_cast<double>(snapshot.queue_length));
  players_present_.Set(static_cast<double>(snapshot.players_present));
  broker_link_.Set(snapshot.broker_link ? 1 : 0);
  claw_online_.Set(snapshot.claw_online ? 1 : 0);
  const ServerCounters& counters = snapshot.counters;
  set_counter(joins_accepted_, counters.joins_accepted);
  set_counter(joins_refused_, counters.joins_refused);
  for (std::size_t i = 0; i < turns_by_result_.size(); ++i) {
    set_counter(*turns_by_result_.at(i), counters.turns_by_result.at(i));
  }
  set_counter(turns_regranted_, counters.turns_regranted);
  set_counter(rejected_messages_, counters.rejected_messages);
  set_counter(rejected_events_, counters.rejected_events);
  set_counter(position_messages_, counters.position_messages);
  set_counter(presence_cleared_, snapshot.presence_cleared);
  set_counter(ready_confirmed_, counters.ready_confirmed);
  set_counter(players_unready_, counters.players_unready);
}

void ClawdMetrics::on_effect(const Effect& effect, TimeMs now_ms) {
  if (const auto* reply = std::get_if<JoinReply>(&effect)) {
    if (reply->accepted && joined_ms_.size() < waits_tracked_max) joined_ms_.emplace(reply->ticket, now_ms);
  } else if (const auto* start = std::get_if<PersistTurnStart>(&effect)) {
    if (const auto it = joined_ms_.find(start->ticket); it != joined_ms_.end()) {
      wait_seconds_.Observe(seconds(now_ms - it->second));
      joined_ms_.erase(it);
    }
    open_turn_ = std::pair{start->turn, now_ms};
  } else if (const auto* end = std::get_if<PersistTurnEnd>(&effect)) {
    if (open_turn_.has_value() && open_turn_->first == end->turn) {
      turn_duration_seconds_.Observe(seconds(now_ms - open_turn_->second));
    }
    open_turn_.reset();
  } else if (const auto* departure = std::get_if<PersistDeparture>(&effect)) {
    joined_ms_.erase(departure->ticket);
  }
}

void ClawdMetrics::observe_store_commit(std::size_t writes, std::chrono::microseconds took) {
  store_commit_seconds_.Observe(static_cast<double>(took.count()) / 1e6);
  store_commit_writes_.Observe(static_cast<double>(writes));
}

}  // namespace clawnet::prod
