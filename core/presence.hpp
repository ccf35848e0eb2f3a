// PresenceKind: what a transport's presence service says about a subscriber
// (PubNub's join / leave / timeout, MQTT's retained presence and wills).
#pragma once

#include <cstdint>
#include <string_view>

namespace clawnet {

enum class PresenceKind : std::uint8_t { join, leave, timeout };

constexpr std::string_view to_string(PresenceKind kind) {
  switch (kind) {
    case PresenceKind::join: return "join";
    case PresenceKind::leave: return "leave";
    case PresenceKind::timeout: return "timeout";
  }
  return "?";
}

}  // namespace clawnet
