#include "viz/world_driver.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace clawnet::viz {

WorldDriver::WorldDriver(sim::Scenario scenario, std::uint64_t seed, std::string play)
    : scenario_(std::move(scenario)), seed_(seed), play_(std::move(play)) {
  start();
}

WorldDriver::~WorldDriver() = default;

void WorldDriver::start() {
  // A fresh World has a fresh disk: a restarted World does not find the last run's queue.
  world_.reset();
  world_ = std::make_unique<sim::World>(scenario_, seed_);
  if (!play_.empty()) world_->join_human(play_);
  viewer_ms_ = world_->now_ms();
}

// Once the run is over there is nothing after its last instant to show.
void WorldDriver::settle_viewer_clock() {
  viewer_ms_ = world_->finished() ? world_->now_ms() : std::max(viewer_ms_, world_->now_ms());
}

sim::Snapshot WorldDriver::snapshot() {
  sim::Snapshot shot = world_->snapshot();
  shot.now_ms = viewer_ms_;
  // The World's cabinet stands where its last sync left it. No switch changes
  // before the World's next event (a change is itself an event), so a copy
  // moved on to the viewer's instant is exactly where the cabinet is then.
  sim::CabinetPhysics cabinet = world_->cabinet();
  if (viewer_ms_ > cabinet.time_ms()) cabinet.advance_to(viewer_ms_);
  shot.cabinet = cabinet.view();
  return shot;
}

void WorldDriver::advance_ms(TimeMs virtual_ms) {
  assert(virtual_ms > 0);
  if (world_->finished()) return;
  viewer_ms_ += virtual_ms;
  world_->run_until(viewer_ms_);
  settle_viewer_clock();
}

void WorldDriver::step_one_event() {
  if (world_->finished()) return;
  world_->step();
  settle_viewer_clock();
}

void WorldDriver::restart() { start(); }

void WorldDriver::send_player_command(std::string_view player, std::string_view command) {
  world_->human_command(std::string(player), command);
}

}  // namespace clawnet::viz
