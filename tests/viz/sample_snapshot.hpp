// A hand-made Snapshot with something in every part of the picture, for the
// viz tests and the sample PNG. No simulation is involved.
#pragma once

#include "sim/snapshot.hpp"

namespace clawnet::viz::testing {

inline sim::Snapshot sample_snapshot() {
  sim::Snapshot s;
  s.now_ms = 83'456;
  s.seed = 42;
  s.scenario = "two_players_with_partition";
  s.server_up = true;
  s.claw_up = true;
  s.server_state = "TurnInProgress";
  s.claw_state = "Controlled";
  s.controller = "alice";
  s.turn = 3;
  s.turn_ends_ms = 101'000;
  s.turn_ms = 30'000;
  s.queue_length = 5;
  const char* names[] = {"alice", "bob", "carol", "dave", "erin"};
  for (std::uint64_t i = 0; i < 5; ++i) {
    s.queue.push_back({names[i], "p-" + std::to_string(1000 + i), i, i, i != 3});
  }
  s.cabinet.x_mm = 330;
  s.cabinet.y_mm = 280;
  s.cabinet.z_mm = 90;
  s.cabinet.claw_closed = false;
  s.cabinet.motors[3] = true;  // gantry_right
  s.cabinet.switches[5] = true;  // claw_top
  s.cabinet.prizes = {
      {210, 330, false, false}, {450, 120, false, false}, {520, 420, false, false},
      {300, 180, false, false}, {60, 60, false, true},    {400, 300, false, false},
  };
  s.cabinet.prizes_won = 1;
  s.faults = {{"partition claw until 95s"}, {"loss 20% on clawcomm"}};
  s.recent_log = {
      "00:01:10.002 server  join alice -> p-1000 position 0",
      "00:01:10.950 server  join bob -> p-1001 position 1",
      "00:01:12.004 server  publish clawcomm {\"CHANNEL_LISTEN\":\"p-1000\",\"turn\":3}",
      "00:01:12.130 claw    subscribe p-1000",
      "00:01:12.402 claw    publish p-1000 {\"control\":true,\"turn\":3}",
      "00:01:13.000 fault   partition claw until 95s",
      "00:01:20.218 alice   command rightOn seq 14",
      "00:01:23.400 claw    motor gantry_right on",
  };
  return s;
}

}  // namespace clawnet::viz::testing
