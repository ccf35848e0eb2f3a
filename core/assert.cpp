#include "core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace clawnet {

// The one place core/ writes anything itself: the process is about to die, and
// the message is all that tells a reader which fact broke.
void assertion_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "clawnet: assertion failed at %s:%d: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace clawnet
