// Time in clawnet is data: milliseconds since an epoch chosen by the driver
// (the virtual clock's zero in sim/, the steady clock's in prod/). Core code
// never reads a clock; every event carries `now_ms`.
#pragma once

#include <cstdint>
#include <limits>

namespace clawnet {

using TimeMs = std::int64_t;
inline constexpr TimeMs time_never = std::numeric_limits<TimeMs>::max();

}  // namespace clawnet
