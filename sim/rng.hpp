// Rng: the simulation's only source of randomness. xoshiro256** seeded through
// splitmix64, with our own distributions, so a seed gives the same numbers with
// any compiler and standard library (std:: distributions differ between them).
//
// Contract:
//  1. Same seed, same calls => same results, on every platform.
//  2. fork(tag) neither reads nor advances this generator: it derives a child
//     from the seed and the tag, so adding a consumer never shifts another
//     consumer's stream. Forking the same tag twice gives the same stream; use
//     one tag per consumer ("cabinet", "network", "player-alice").
// Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace clawnet::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  // A uniformly distributed 64-bit value.
  std::uint64_t uint64();
  // Uniform in [0, n), without modulo bias. REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [lo, hi], both inclusive. REQUIRES: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // Returns true with probability p. REQUIRES: 0 <= p <= 1.
  // chance(0) is never true, chance(1) always.
  bool chance(double p);
  // Uniform in [0, 1), with 53 random bits.
  double unit();
  // Exponentially distributed with the given mean. REQUIRES: mean >= 0.
  double exponential(double mean);

  // An independent generator for the consumer named `tag` (see contract 2).
  Rng fork(std::string_view tag) const;

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace clawnet::sim
