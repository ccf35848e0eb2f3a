// Test helpers: pick effects of one kind out of a machine's outbox and read what
// was published, so tests speak in messages rather than JSON text.
#pragma once

#include "core/effects.hpp"
#include "core/protocol.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace clawnet::test {

// A Position as the player reads its place: the number ahead and whether it is exact.
using Shown = std::pair<std::uint64_t, bool>;
inline Shown shown(const Position& position) { return {position.position, position.exact}; }

template <class Kind>
std::vector<Kind> effects_of(const Effects& effects) {
  std::vector<Kind> found;
  for (const Effect& effect : effects) {
    if (const Kind* kind = std::get_if<Kind>(&effect)) found.push_back(*kind);
  }
  return found;
}

inline std::size_t publish_count(const Effects& effects) { return effects_of<Publish>(effects).size(); }

// What a Publish carries, as it reaches a receiver: encoded by the driver, then
// decoded (so a message our encoder cannot round-trip fails the test).
inline std::optional<Message> decoded(const Publish& publish) {
  const std::string payload = encode(publish.message);
  DecodeResult result = decode(payload);
  if (const DecodeError* failure = std::get_if<DecodeError>(&result)) {
    ADD_FAILURE() << "published payload does not decode: " << payload << ": " << failure->detail;
    return std::nullopt;
  }
  return std::get<Message>(result);
}

// Every message of type `Kind` published on `channel`, in order.
template <class Kind>
std::vector<Kind> messages_to(const Effects& effects, std::string_view channel) {
  std::vector<Kind> found;
  for (const Publish& publish : effects_of<Publish>(effects)) {
    if (publish.channel != channel) continue;
    std::optional<Message> message = decoded(publish);
    if (!message) continue;
    if (const Kind* kind = std::get_if<Kind>(&*message)) found.push_back(*kind);
  }
  return found;
}

// Every message of type `Kind` published on any channel, in order.
template <class Kind>
std::vector<Kind> messages_anywhere(const Effects& effects) {
  std::vector<Kind> found;
  for (const Publish& publish : effects_of<Publish>(effects)) {
    std::optional<Message> message = decoded(publish);
    if (!message) continue;
    if (const Kind* kind = std::get_if<Kind>(&*message)) found.push_back(*kind);
  }
  return found;
}

// Index of the first effect satisfying `match`, or effects.size() if none.
template <class Kind, class Match>
std::size_t index_of(const Effects& effects, Match match) {
  for (std::size_t i = 0; i < effects.size(); i += 1) {
    if (const Kind* kind = std::get_if<Kind>(&effects[i]); kind != nullptr && match(*kind)) return i;
  }
  return effects.size();
}

inline std::string describe_all(const Effects& effects) {
  std::string text;
  for (const Effect& effect : effects) text += "  " + describe(effect) + "\n";
  return text;
}

// A small deterministic generator (splitmix64): tests never use std:: distributions.
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, bound) for tests. REQUIRES: bound > 0.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  std::size_t index_below(std::size_t bound) { return static_cast<std::size_t>(below(bound)); }

 private:
  std::uint64_t state_;
};

}  // namespace clawnet::test
