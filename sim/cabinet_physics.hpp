// The cabinet the simulation drives: the model of cabinet/cabinet_physics.hpp
// (its own library, which clawcab's simulated GPIO shares), drawing from the
// world's seeded Rng (fork "cabinet").
#pragma once

#include "cabinet/cabinet_physics.hpp"
#include "sim/rng.hpp"

namespace clawnet::sim {

// The model's names as sim:: code (and the visualizer) spells them.
using clawnet::CabinetConfig;
using clawnet::CabinetPhysics;
using clawnet::SwitchChange;

static_assert(CabinetGenerator<Rng>, "the cabinet draws from the simulation's Rng");

}  // namespace clawnet::sim
