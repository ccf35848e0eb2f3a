// WorldDriver: the visualizer's Driver over the real simulation. It builds a
// sim::World from a Scenario and a seed (its store on the World's own in-memory
// disk), and hands the window loop its snapshots. It owns no queue or
// claw logic: every input goes to the World as it would in clawsim.
//
// The World's clock stands on its last event; the driver keeps the virtual
// instant the viewer has reached (at or after the World's clock), so advancing
// past a quiet stretch still moves the displayed clock and reaches the next
// event. Snapshots carry that instant as now_ms, and the cabinet as it is at
// that instant: the World's own cabinet model moved on from its last sync, so
// the claw glides between events instead of jumping at them.
//
// Same scenario, seed and calls => the same snapshots, byte for byte.
// Not thread-safe.
#pragma once

#include "sim/run.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"
#include "viz/window.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace clawnet::viz {

class WorldDriver : public Driver {
 public:
  // `play`: a player name to join as a human at the start (and on restart), or empty.
  // Throws what the World's constructor throws (e.g. the store cannot be created).
  WorldDriver(sim::Scenario scenario, std::uint64_t seed, std::string play = {});
  ~WorldDriver() override;
  WorldDriver(const WorldDriver&) = delete;
  WorldDriver& operator=(const WorldDriver&) = delete;

  sim::Snapshot snapshot() override;
  // Runs the World's events up to the viewer's instant + virtual_ms; nothing once finished.
  void advance_ms(TimeMs virtual_ms) override;
  // Runs the World's next event; the viewer's instant moves to it if it lies ahead.
  void step_one_event() override;
  // A new World (and a new, empty store) from the same scenario and seed.
  void restart() override;
  void send_player_command(std::string_view player, std::string_view command) override;

  const sim::World& world() const { return *world_; }
  // The virtual instant shown: at or after world().now_ms().
  TimeMs viewer_ms() const { return viewer_ms_; }

 private:
  void start();
  void settle_viewer_clock();

  sim::Scenario scenario_;
  std::uint64_t seed_;
  std::string play_;
  std::unique_ptr<sim::World> world_;
  TimeMs viewer_ms_ = 0;
};

}  // namespace clawnet::viz
