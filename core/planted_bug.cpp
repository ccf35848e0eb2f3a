// The strong definition of planted_bug() for one planted test program; CMake
// compiles this file once per bug with CLAWNET_PLANTED_BUG set to its name.
#include "core/planted.hpp"

#ifndef CLAWNET_PLANTED_BUG
#error "CLAWNET_PLANTED_BUG names the bug (core/planted.hpp)"
#endif

namespace clawnet {

PlantedBug planted_bug() { return PlantedBug::CLAWNET_PLANTED_BUG; }

}  // namespace clawnet
