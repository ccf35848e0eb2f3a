// Overloaded: a visitor built from lambdas, for std::visit over messages and effects.
#pragma once

namespace clawnet {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace clawnet
