// Planted bugs: realistic mistakes that a test build can carry, one at a time,
// to measure whether the simulation's harness catches them (scripts/planted.sh
// and docs/explore.md list each with the invariant it should break).
//
// Contract:
//  1. planted_bug() is PlantedBug::none in every program but the planted test
//     programs (clawsim-planted-NAME, built with CLAWNET_PLANTED_BUGS=ON, which
//     the release build refuses). There is no runtime switch: the choice is the
//     object a program links (core/planted.cpp holds a weak `none`; a planted
//     program links a strong definition), so a planted build is one relink.
//  2. Each bug site is `if (planted(PlantedBug::NAME)) ...`; with none linked,
//     the code is the real code.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace clawnet {

enum class PlantedBug : std::uint8_t {
  none,
  fifo_slip,             // The server grants the second present player, not the first.
  grace_never_expires,   // A player marked absent gets no grace deadline: it is never dropped.
  deadman_unarmed,       // A gantry motor started from rest gets no dead-man deadline.
  stale_turn_accepted,   // The claw's turn check is off by one: a repeat of the last turn is fresh.
  ack_before_commit,     // A join is acknowledged before it is committed.
  position_off_by_one,   // Position messages beyond the front say one less than the rank.
  departure_not_stored,  // A departure is not written to the store.
  turn_end_requeues,     // The store puts a player whose turn the server ended back as waiting.
  motors_on_at_drop,     // A drop leaves the gantry motors running.
  limit_switch_ignored,  // A pressed end switch does not stop its motor.
  timer_in_the_past,     // The claw re-arms its CLAW_READY repeat for the present instant, again and again.
  canary,                // The simulation fails one seed in ten on purpose (the harness's own test).
  count
};

PlantedBug planted_bug();
inline bool planted(PlantedBug bug) { return planted_bug() == bug; }

std::string_view to_string(PlantedBug bug);
std::optional<PlantedBug> planted_bug_named(std::string_view name);

}  // namespace clawnet
