// Assertions that run in every build.
//
// `assert` is compiled out wherever NDEBUG is defined, and the dev and release
// presets define it: the machines' invariants would only ever be checked under
// the asan preset. These two macros are what core/ uses instead.
//
//  - CLAWNET_ASSERT(condition): on in every build. For cheap checks (O(1), or
//    O(log N) at most): a broken one is a programmer error, and the process
//    aborts with the file, the line and the condition's text on stderr.
//  - CLAWNET_DEBUG_ASSERT(condition): on only without NDEBUG (the asan preset),
//    for checks that cost O(N) or more. Under NDEBUG the condition is still
//    compiled (so it cannot rot) but never evaluated.
//
// Assert one fact at a time (`CLAWNET_ASSERT(a); CLAWNET_ASSERT(b);`, not
// `a && b`), so the message names the fact that broke. A peer's bad input is an
// operating error, handled and counted; never assert on it.
#pragma once

namespace clawnet {

// True iff CLAWNET_DEBUG_ASSERT checks run: in builds without NDEBUG. An O(N) check
// that is more than one condition goes in a function called under
// `if constexpr (debug_assertions)`, with CLAWNET_ASSERT inside.
#ifdef NDEBUG
inline constexpr bool debug_assertions = false;
#else
inline constexpr bool debug_assertions = true;
#endif

// Writes "clawnet: assertion failed at FILE:LINE: CONDITION" to stderr and aborts.
[[noreturn]] void assertion_failed(const char* condition, const char* file, int line) noexcept;

}  // namespace clawnet

#define CLAWNET_ASSERT(condition)                                                     \
  do {                                                                                \
    if (!(condition)) [[unlikely]] {                                                  \
      ::clawnet::assertion_failed(#condition, __FILE__, __LINE__);                    \
    }                                                                                 \
  } while (false)

#define CLAWNET_DEBUG_ASSERT(condition)          \
  do {                                           \
    if constexpr (::clawnet::debug_assertions) { \
      CLAWNET_ASSERT(condition);                 \
    }                                            \
  } while (false)
