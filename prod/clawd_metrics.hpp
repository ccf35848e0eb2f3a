// ClawdMetrics: clawd's Prometheus metrics (docs/deploy.md, "Metrics"), served on
// GET /metrics by clawd's HTTP server. Fed by ClawdDriver; no queue logic.
//
//   clawnet_queue_length                  gauge    players waiting (the open turn's not counted)
//   clawnet_players_present               gauge    waiting players whose presence shows
//   clawnet_broker_link                   gauge    1 while connected to the broker, else 0
//   clawnet_claw_online                   gauge    1 while the server sees the claw, else 0
//   clawnet_joins_total{outcome}          counter  accepted | refused
//   clawnet_turns_total{result}           counter  win | loss | timeout | ended_by_server | abandoned
//   clawnet_turns_regranted_total         counter  turns granted again after the claw lost them
//   clawnet_rejected_messages_total       counter  malformed or unexpected secure-channel messages
//   clawnet_rejected_events_total         counter  events the machine's state does not accept
//   clawnet_position_messages_total       counter  queue positions published to players
//   clawnet_wait_seconds                  histogram  join accepted -> the player's turn started
//   clawnet_turn_duration_seconds         histogram  turn started -> turn ended
//   clawnet_store_commit_seconds          histogram  one durable store write
//
// Contract:
//  - refresh(snapshot) sets the gauges and moves the counters to the machine's
//    counts: counters are read at scrape time, not kept twice.
//  - on_effect() sees every effect the driver carries out, with the steady time:
//    an accepted JoinReply starts the player's wait, PersistTurnStart ends it and
//    starts the turn, PersistTurnEnd ends the turn, PersistDeparture forgets the
//    player. Players restored from the store at start have no wait observed.
//  - At most waits_tracked_max waits are tracked at once; beyond, waits go unobserved.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/effects.hpp"
#include "core/server_machine.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>

namespace clawnet::prod {

struct ClawdSnapshot {
  std::size_t queue_length = 0;
  std::size_t players_present = 0;
  bool broker_link = false;
  bool claw_online = false;
  ServerCounters counters;
  std::uint64_t presence_cleared = 0;  // Retained presence messages of departed players cleared.
};

class ClawdMetrics {
 public:
  static constexpr std::size_t waits_tracked_max = 1'000'000;

  ClawdMetrics();
  ClawdMetrics(const ClawdMetrics&) = delete;
  ClawdMetrics& operator=(const ClawdMetrics&) = delete;

  void refresh(const ClawdSnapshot& snapshot);
  void on_effect(const Effect& effect, TimeMs now_ms);
  // One group commit: its writes and how long it took.
  void observe_store_commit(std::size_t writes, std::chrono::microseconds took);

  const prometheus::Registry& registry() const { return *registry_; }
  std::size_t waits_tracked() const { return joined_ms_.size(); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge& queue_length_;
  prometheus::Gauge& players_present_;
  prometheus::Gauge& broker_link_;
  prometheus::Gauge& claw_online_;
  prometheus::Family<prometheus::Counter>& joins_;
  prometheus::Counter& joins_accepted_;
  prometheus::Counter& joins_refused_;
  std::array<prometheus::Counter*, turn_result_count> turns_by_result_{};
  prometheus::Counter& turns_regranted_;
  prometheus::Counter& rejected_messages_;
  prometheus::Counter& rejected_events_;
  prometheus::Counter& position_messages_;
  prometheus::Counter& presence_cleared_;
  prometheus::Family<prometheus::Counter>& ready_checks_;
  prometheus::Counter& ready_confirmed_;
  prometheus::Counter& players_unready_;
  prometheus::Histogram& wait_seconds_;
  prometheus::Histogram& turn_duration_seconds_;
  prometheus::Histogram& store_commit_seconds_;
  prometheus::Histogram& store_commit_writes_;
  std::map<Ticket, TimeMs> joined_ms_;  // Waiting players' join times.
  std::optional<std::pair<Turn, TimeMs>> open_turn_;  // The open turn and its start.
};

}  // namespace clawnet::prod
