// Randomness from the operating system (getrandom(2)), for player channels and
// broker passwords. Production only: sim/ injects its own seeded generator.
//
// Contract: every function either returns fresh random bits or throws
// std::system_error (the kernel's pool failed: nothing sensible to do but stop).
// Thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace clawnet::prod {

// `bytes` random bytes as 2 * bytes lowercase hex digits.
std::string random_hex(std::size_t bytes);
// "p-" + 128 random bits in hex: a well-formed player channel (core::is_player_channel).
std::string new_player_channel();

}  // namespace clawnet::prod
