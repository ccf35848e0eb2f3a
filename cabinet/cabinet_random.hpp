// CabinetRandom: the draws the cabinet model makes (where prizes lie, whether a
// grip holds), from a generator its user passes in. The simulation passes its
// seeded sim::Rng, so a seed gives the same cabinet as ever; clawcab's simulated
// GPIO passes a generator seeded from gpio.sim_seed. The model has no random
// source of its own.
//
// Contract:
//  1. Any copyable Generator with the members of CabinetGenerator below fits.
//  2. A copy of a CabinetRandom copies the generator's state: the copy then
//     draws what the original would, and neither disturbs the other (so a copy
//     of a CabinetPhysics, as the visualizer makes, is a cabinet of its own).
// Not thread-safe.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <utility>

namespace clawnet {

template <class Generator>
concept CabinetGenerator = std::copy_constructible<Generator> && requires(Generator g, std::int64_t n, double p) {
  { g.between(n, n) } -> std::same_as<std::int64_t>;  // Uniform in [lo, hi], both inclusive.
  { g.unit() } -> std::same_as<double>;               // Uniform in [0, 1).
  { g.chance(p) } -> std::same_as<bool>;              // True with probability p: never for 0, always for 1.
};

class CabinetRandom {
 public:
  template <CabinetGenerator Generator>
  explicit CabinetRandom(Generator generator) : self_(std::make_unique<Model<Generator>>(std::move(generator))) {}
  CabinetRandom(const CabinetRandom& other) : self_(other.self_->clone()) {}
  CabinetRandom& operator=(const CabinetRandom& other) {
    if (this != &other) self_ = other.self_->clone();
    return *this;
  }
  CabinetRandom(CabinetRandom&&) noexcept = default;
  CabinetRandom& operator=(CabinetRandom&&) noexcept = default;
  ~CabinetRandom() = default;

  // REQUIRES: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) { return self_->between(lo, hi); }
  double unit() { return self_->unit(); }
  // REQUIRES: 0 <= p <= 1.
  bool chance(double p) { return self_->chance(p); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual std::unique_ptr<Concept> clone() const = 0;
    virtual std::int64_t between(std::int64_t lo, std::int64_t hi) = 0;
    virtual double unit() = 0;
    virtual bool chance(double p) = 0;
  };
  template <class Generator>
  struct Model final : Concept {
    explicit Model(Generator g) : generator(std::move(g)) {}
    std::unique_ptr<Concept> clone() const override { return std::make_unique<Model>(generator); }
    std::int64_t between(std::int64_t lo, std::int64_t hi) override { return generator.between(lo, hi); }
    double unit() override { return generator.unit(); }
    bool chance(double p) override { return generator.chance(p); }
    Generator generator;
  };

  std::unique_ptr<Concept> self_;  // Never null, except in a moved-from CabinetRandom.
};

}  // namespace clawnet
