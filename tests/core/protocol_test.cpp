// The wire protocol: every message survives encode -> decode unchanged, and
// every class of malformed input is refused with the right error kind and a
// detail that names the field or limit at fault.
#include "core/protocol.hpp"

#include "core/limits.hpp"
#include "tests/core/effect_inspection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace clawnet {
namespace {

constexpr std::uint64_t uint64_max = std::numeric_limits<std::uint64_t>::max();

std::vector<Message> every_message_shape() {
  std::vector<Message> messages;
  for (int kind = 0; kind <= static_cast<int>(CommandKind::drop); kind += 1) {
    messages.push_back(Command{static_cast<CommandKind>(kind), 7, 1});
  }
  messages.push_back(Command{CommandKind::up_on, uint64_max, uint64_max});
  messages.push_back(Command{CommandKind::drop, 0, 1});
  messages.push_back(ClawStatusMessage{ClawStatus::ready, 0, {}});
  messages.push_back(ClawStatusMessage{ClawStatus::ready, 12, {}});
  messages.push_back(ClawStatusMessage{ClawStatus::controlled, uint64_max, {}});
  messages.push_back(ClawStatusMessage{ClawStatus::offline, 0, {}});
  messages.push_back(ChannelListen{"p-0123456789abcdef", 3, 1});
  messages.push_back(ChannelListen{"p-" + std::string(limits::channel_bytes_max - 2, 'f'), uint64_max,
                                   limits::turn_duration_ms_max});
  messages.push_back(StatusRequest{});
  messages.push_back(EndTurn{0});
  messages.push_back(EndTurn{uint64_max});
  messages.push_back(Control{true, 4, 30'000, {}});
  messages.push_back(Control{true, 4, 0, {}});
  messages.push_back(Control{false, 4, 0, {}});
  messages.push_back(Position{0, true, 0});
  messages.push_back(Position{1'000'000, false, 90'000});
  messages.push_back(Position{uint64_max, false, std::numeric_limits<std::int64_t>::max()});
  messages.push_back(GetReady{});
  messages.push_back(ReadyCheck{1});
  messages.push_back(ReadyCheck{limits::ready_ms_max});
  messages.push_back(ReadyConfirm{});
  for (int index = 0; index < departure_reason_count; index += 1) {
    messages.push_back(Departed{static_cast<DepartureReason>(index)});
  }
  messages.push_back(EmergencyStop{});
  messages.push_back(ResetClaw{});
  messages.push_back(ClawStatusMessage{ClawStatus::stopped, 0, {}});
  messages.push_back(QueueState{QueueMode::running});
  messages.push_back(QueueState{QueueMode::paused});
  messages.push_back(QueueState{QueueMode::stopped});
  messages.push_back(LobbyStatus{ClawStatus::ready});
  messages.push_back(LobbyStatus{ClawStatus::controlled});
  messages.push_back(LobbyStatus{ClawStatus::offline});
  for (int index = 0; index < turn_result_count; index += 1) {
    const auto result = static_cast<TurnResult>(index);
    messages.push_back(ClawStatusMessage{ClawStatus::ready, 9, result});
    messages.push_back(Control{false, 9, 0, result});
    messages.push_back(TurnOver{9, result});
  }
  return messages;
}

TEST(Protocol, EveryMessageRoundTrips) {
  for (const Message& message : every_message_shape()) {
    std::string text = encode(message);
    SCOPED_TRACE(text);
    EXPECT_LE(text.size(), limits::message_bytes_max);
    DecodeResult result = decode(text);
    ASSERT_TRUE(std::holds_alternative<Message>(result)) << std::get<DecodeError>(result).detail;
    EXPECT_EQ(std::get<Message>(result), message);
    EXPECT_EQ(encode(std::get<Message>(result)), text);
  }
}

TEST(Protocol, EncodingUsesTheSeedsNames) {
  EXPECT_EQ(encode(Command{CommandKind::up_on, 1, 2}), R"({"command":"upOn","turn":1,"seq":2})");
  EXPECT_EQ(encode(ClawStatusMessage{ClawStatus::ready, 3, {}}), R"({"status":"CLAW_READY","turn":3})");
  EXPECT_EQ(encode(ClawStatusMessage{ClawStatus::offline, 0, {}}), R"({"status":"CLAW_OFFLINE"})");
  EXPECT_EQ(encode(Control{false, 5, 0, {}}), R"({"control":false,"turn":5})");
  EXPECT_EQ(encode(Control{false, 5, 0, TurnResult::win}), R"({"control":false,"turn":5,"result":"win"})");
  EXPECT_EQ(encode(ClawStatusMessage{ClawStatus::ready, 5, TurnResult::timeout}),
            R"({"status":"CLAW_READY","turn":5,"result":"timeout"})");
  EXPECT_EQ(encode(TurnOver{5, TurnResult::abandoned}), R"({"turn_over":5,"result":"abandoned"})");
  EXPECT_EQ(encode(ReadyCheck{10'000}), R"({"notice":"ready_check","ready_ms":10000})");
  EXPECT_EQ(encode(ReadyConfirm{}), R"({"ready":true})");
  EXPECT_EQ(encode(Departed{DepartureReason::unready}), R"({"departed":"unready"})");
  EXPECT_EQ(encode(ChannelListen{"p-ab", 2, 1000}),
            R"({"request":"CHANNEL_LISTEN","channel":"p-ab","turn":2,"turn_ms":1000})");
}

// --- Malformed input --------------------------------------------------------------------

struct Refusal {
  std::string text;
  DecodeErrorKind kind;
  std::string detail_mentions;  // A field name or limit the detail must name.
};

void expect_refused(const Refusal& refusal) {
  SCOPED_TRACE(refusal.text);
  DecodeResult result = decode(refusal.text);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(result))
      << "decoded as " << describe(std::get<Message>(result));
  const DecodeError& error = std::get<DecodeError>(result);
  EXPECT_EQ(to_string(error.kind), to_string(refusal.kind)) << error.detail;
  EXPECT_NE(error.detail.find(refusal.detail_mentions), std::string::npos)
      << "detail \"" << error.detail << "\" does not mention " << refusal.detail_mentions;
}

TEST(ProtocolMalformed, TooLargeNamesTheLimit) {
  std::string padded = R"({"command":"upOn","turn":1,"seq":1})";
  padded.append(limits::message_bytes_max + 1 - padded.size(), ' ');
  ASSERT_EQ(padded.size(), limits::message_bytes_max + 1);
  expect_refused({padded, DecodeErrorKind::too_large, std::to_string(limits::message_bytes_max)});
  expect_refused({std::string(100'000, '{'), DecodeErrorKind::too_large, "512"});
}

TEST(ProtocolMalformed, ExactlyAtTheSizeLimitIsAccepted) {
  std::string padded = R"({"command":"upOn","turn":1,"seq":1})";
  padded.append(limits::message_bytes_max - padded.size(), ' ');
  ASSERT_EQ(padded.size(), limits::message_bytes_max);
  EXPECT_TRUE(std::holds_alternative<Message>(decode(padded)));
}

TEST(ProtocolMalformed, TurnResultsAreCheckedWhereTheyMayAppear) {
  expect_refused({R"({"control":false,"turn":5,"result":"jackpot"})", DecodeErrorKind::bad_field, "jackpot"});
  expect_refused({R"({"control":true,"turn":5,"turn_ms":100,"result":"win"})", DecodeErrorKind::unknown_field,
                  "result"});
  expect_refused({R"({"status":"CLAW_CONTROLLED","turn":5,"result":"win"})", DecodeErrorKind::unknown_field,
                  "result"});
  expect_refused({R"({"turn_over":5})", DecodeErrorKind::missing_field, "result"});
  expect_refused({R"({"turn_over":5,"result":7})", DecodeErrorKind::bad_field, "result"});
}

TEST(ProtocolMalformed, NotJson) {
  for (const char* text : {"", "{", "hello", R"({"command":"upOn",})", R"({"command":"upOn","turn":1,"seq":1} x)",
                           "\xff\xfe", R"({'command':'upOn'})"}) {
    expect_refused({text, DecodeErrorKind::not_json, "not JSON"});
  }
}

TEST(ProtocolMalformed, TooDeepNamesTheLimit) {
  const std::string depth = std::to_string(limits::json_depth_max);
  expect_refused({R"({"command":{"a":{"b":1}}})", DecodeErrorKind::too_deep, depth});
  expect_refused({"[[[[[[[[1]]]]]]]]", DecodeErrorKind::too_deep, depth});
}

TEST(ProtocolMalformed, NotAnObject) {
  for (const char* text : {"[1]", "[]", "1", R"("upOn")", "null", "true"}) {
    expect_refused({text, DecodeErrorKind::not_object, "object"});
  }
}

TEST(ProtocolMalformed, UnknownMessage) {
  expect_refused({"{}", DecodeErrorKind::unknown_message, "command"});
  expect_refused({R"({"cmd":"upOn"})", DecodeErrorKind::unknown_message, "command"});
}

TEST(ProtocolMalformed, MissingFieldIsNamed) {
  expect_refused({R"({"command":"upOn","seq":1})", DecodeErrorKind::missing_field, "\"turn\""});
  expect_refused({R"({"command":"upOn","turn":1})", DecodeErrorKind::missing_field, "\"seq\""});
  expect_refused({R"({"status":"CLAW_READY"})", DecodeErrorKind::missing_field, "\"turn\""});
  expect_refused({R"({"request":"CHANNEL_LISTEN","turn":1,"turn_ms":10})", DecodeErrorKind::missing_field,
                  "\"channel\""});
  expect_refused({R"({"request":"CHANNEL_LISTEN","channel":"p-1","turn":1})", DecodeErrorKind::missing_field,
                  "\"turn_ms\""});
  expect_refused({R"({"request":"END_TURN"})", DecodeErrorKind::missing_field, "\"turn\""});
  expect_refused({R"({"control":true,"turn":1})", DecodeErrorKind::missing_field, "\"turn_ms\""});
  expect_refused({R"({"control":false})", DecodeErrorKind::missing_field, "\"turn\""});
  expect_refused({R"({"position":3})", DecodeErrorKind::missing_field, "\"exact\""});
  expect_refused({R"({"position":3,"exact":true})", DecodeErrorKind::missing_field, "\"wait_ms\""});
  expect_refused({R"({"queue":"frozen"})", DecodeErrorKind::bad_field, "frozen"});
  expect_refused({R"({"request":"ESTOP","now":true})", DecodeErrorKind::unknown_field, "now"});
}

TEST(ProtocolMalformed, WrongTypeIsNamed) {
  expect_refused({R"({"command":5,"turn":1,"seq":1})", DecodeErrorKind::bad_field, "\"command\""});
  expect_refused({R"({"command":"upOn","turn":"1","seq":1})", DecodeErrorKind::bad_field, "\"turn\""});
  expect_refused({R"({"command":"upOn","turn":1,"seq":1.5})", DecodeErrorKind::bad_field, "\"seq\""});
  expect_refused({R"({"command":"upOn","turn":true,"seq":1})", DecodeErrorKind::bad_field, "\"turn\""});
  expect_refused({R"({"command":"upOn","turn":18446744073709551616,"seq":1})", DecodeErrorKind::bad_field,
                  "\"turn\""});
  expect_refused({R"({"control":"yes","turn":1})", DecodeErrorKind::bad_field, "\"control\""});
  expect_refused({R"({"position":1,"exact":1})", DecodeErrorKind::bad_field, "\"exact\""});
  expect_refused({R"({"position":[1],"exact":true})", DecodeErrorKind::bad_field, "\"position\""});
  expect_refused({R"({"request":"CHANNEL_LISTEN","channel":7,"turn":1,"turn_ms":10})", DecodeErrorKind::bad_field,
                  "\"channel\""});
}

TEST(ProtocolMalformed, NegativeNumberIsNamed) {
  expect_refused({R"({"command":"upOn","turn":-1,"seq":1})", DecodeErrorKind::bad_field, "\"turn\""});
  expect_refused({R"({"command":"upOn","turn":1,"seq":-5})", DecodeErrorKind::bad_field, "\"seq\""});
  expect_refused({R"({"position":-1,"exact":true})", DecodeErrorKind::bad_field, "\"position\""});
  expect_refused({R"({"request":"CHANNEL_LISTEN","channel":"p-1","turn":1,"turn_ms":-100})",
                  DecodeErrorKind::bad_field, "\"turn_ms\""});
}

TEST(ProtocolMalformed, UnknownExtraFieldIsNamed) {
  expect_refused({R"({"command":"upOn","turn":1,"seq":1,"speed":9})", DecodeErrorKind::unknown_field, "\"speed\""});
  expect_refused({R"({"status":"CLAW_OFFLINE","turn":3})", DecodeErrorKind::unknown_field, "\"turn\""});
  expect_refused({R"({"control":false,"turn":1,"turn_ms":5})", DecodeErrorKind::unknown_field, "\"turn_ms\""});
  expect_refused({R"({"notice":"get_ready","urgent":true})", DecodeErrorKind::unknown_field, "\"urgent\""});
  expect_refused({R"({"request":"STATUS","turn":1})", DecodeErrorKind::unknown_field, "\"turn\""});
  // Two message keys in one object: the message would mean two things.
  expect_refused({R"({"command":"drop","turn":1,"seq":1,"status":"CLAW_READY"})", DecodeErrorKind::unknown_field,
                  "\"status\""});
}

TEST(ProtocolMalformed, DuplicateKeyIsRefused) {
  // "A message means exactly one thing": with a repeated key, which value counts is
  // up to the parser, so the message must be refused rather than silently pick one.
  DecodeResult result = decode(R"({"command":"upOn","command":"drop","turn":1,"seq":1})");
  EXPECT_TRUE(std::holds_alternative<DecodeError>(result))
      << "decoded as " << describe(std::get<Message>(result));
}

TEST(ProtocolMalformed, SeqZeroIsRefused) {
  expect_refused({R"({"command":"drop","turn":1,"seq":0})", DecodeErrorKind::bad_field, "\"seq\""});
}

TEST(ProtocolMalformed, BadChannelNameIsRefused) {
  const std::string prefix = R"({"request":"CHANNEL_LISTEN","channel":")";
  const std::string suffix = R"(","turn":1,"turn_ms":1000})";
  const std::string too_long = "p-" + std::string(limits::channel_bytes_max - 1, 'a');
  for (const std::string& channel : {std::string("lobby"), std::string("clawcomm"), std::string("p-"),
                                     std::string("p-ABC"), std::string("p-12g"), std::string("q-12"),
                                     std::string("p-1 2"), too_long}) {
    expect_refused({prefix + channel + suffix, DecodeErrorKind::bad_field, "\"channel\""});
  }
  const std::string longer_than_strings = "p-" + std::string(limits::string_bytes_max, 'a');
  expect_refused({prefix + longer_than_strings + suffix, DecodeErrorKind::bad_field,
                  std::to_string(limits::string_bytes_max)});
}

TEST(ProtocolMalformed, UnknownNamesAreRefused) {
  expect_refused({R"({"command":"jump","turn":1,"seq":1})", DecodeErrorKind::bad_field, "jump"});
  expect_refused({R"({"command":"UPON","turn":1,"seq":1})", DecodeErrorKind::bad_field, "UPON"});
  expect_refused({R"({"status":"CLAW_DANCING","turn":1})", DecodeErrorKind::bad_field, "CLAW_DANCING"});
  expect_refused({R"({"request":"REBOOT","turn":1})", DecodeErrorKind::bad_field, "REBOOT"});
  expect_refused({R"({"notice":"go_away"})", DecodeErrorKind::bad_field, "go_away"});
  expect_refused({R"({"claw":"CLAW_ASLEEP"})", DecodeErrorKind::bad_field, "CLAW_ASLEEP"});
  expect_refused({R"({"departed":"bored"})", DecodeErrorKind::bad_field, "bored"});
}

TEST(ProtocolMalformed, TheReadyCheckAndItsAnswerAreChecked) {
  expect_refused({R"({"notice":"ready_check"})", DecodeErrorKind::missing_field, "\"ready_ms\""});
  expect_refused({R"({"notice":"ready_check","ready_ms":0})", DecodeErrorKind::bad_field, "\"ready_ms\""});
  expect_refused({R"({"notice":"ready_check","ready_ms":)" + std::to_string(limits::ready_ms_max + 1) + "}",
                  DecodeErrorKind::bad_field, std::to_string(limits::ready_ms_max)});
  expect_refused({R"({"ready":false})", DecodeErrorKind::bad_field, "\"ready\""});
  expect_refused({R"({"ready":"yes"})", DecodeErrorKind::bad_field, "\"ready\""});
  expect_refused({R"({"ready":true,"turn":1})", DecodeErrorKind::unknown_field, "turn"});
}

TEST(ProtocolMalformed, TurnMsOutOfRangeNamesTheField) {
  const std::string prefix = R"({"request":"CHANNEL_LISTEN","channel":"p-1","turn":1,"turn_ms":)";
  expect_refused({prefix + "0}", DecodeErrorKind::bad_field, "\"turn_ms\""});
  expect_refused({prefix + std::to_string(limits::turn_duration_ms_max + 1) + "}", DecodeErrorKind::bad_field,
                  std::to_string(limits::turn_duration_ms_max)});
  expect_refused({R"({"control":true,"turn":1,"turn_ms":)" + std::to_string(limits::turn_duration_ms_max + 1) + "}",
                  DecodeErrorKind::bad_field, "\"turn_ms\""});
}

TEST(ProtocolMalformed, LongStringNamesTheLimit) {
  const std::string name(limits::string_bytes_max + 1, 'u');
  expect_refused({R"({"command":")" + name + R"(","turn":1,"seq":1})", DecodeErrorKind::bad_field,
                  std::to_string(limits::string_bytes_max)});
}

// Random corruptions of valid messages: decode never throws, and whatever it
// accepts is a message that round-trips.
TEST(ProtocolMalformed, CorruptedMessagesNeverCrashAndAcceptedOnesRoundTrip) {
  test::SplitMix random(0x5eed'c0de);
  const std::vector<Message> messages = every_message_shape();
  const std::string alphabet = "{}[]\":,-0123456789 truefalsnl\\pabcdefCLAW_";
  std::size_t accepted = 0;
  for (int round = 0; round < 20'000; round += 1) {
    std::string text = encode(messages[random.index_below(messages.size())]);
    const std::uint64_t edits = 1 + random.below(3);
    for (std::uint64_t edit = 0; edit < edits && !text.empty(); edit += 1) {
      const std::size_t at = random.index_below(text.size());
      const char replacement = alphabet[random.index_below(alphabet.size())];
      switch (random.below(3)) {
        case 0: text[at] = replacement; break;
        case 1: text.erase(at, 1); break;
        default: text.insert(at, 1, replacement); break;
      }
    }
    DecodeResult result = decode(text);
    if (const Message* message = std::get_if<Message>(&result)) {
      accepted += 1;
      DecodeResult again = decode(encode(*message));
      ASSERT_TRUE(std::holds_alternative<Message>(again)) << text;
      EXPECT_EQ(std::get<Message>(again), *message) << text;
    } else {
      EXPECT_FALSE(std::get<DecodeError>(result).detail.empty()) << text;
    }
  }
  EXPECT_GT(accepted, 0U);  // The corpus does exercise the accepting path.
}

TEST(Protocol, PlayerChannelNames) {
  EXPECT_TRUE(is_player_channel("p-0"));
  EXPECT_TRUE(is_player_channel("p-0123456789abcdef"));
  EXPECT_TRUE(is_player_channel("p-" + std::string(limits::channel_bytes_max - 2, 'a')));
  EXPECT_FALSE(is_player_channel("p-" + std::string(limits::channel_bytes_max - 1, 'a')));
  EXPECT_FALSE(is_player_channel("p-"));
  EXPECT_FALSE(is_player_channel(""));
  EXPECT_FALSE(is_player_channel("P-12"));
  EXPECT_FALSE(is_player_channel("p-12A"));
  EXPECT_FALSE(is_player_channel(secure_channel));
  EXPECT_FALSE(is_player_channel(lobby_channel));
}

TEST(Protocol, CommandDirectionsAndOnOff) {
  EXPECT_EQ(direction_of(CommandKind::up_on), Direction::up);
  EXPECT_EQ(direction_of(CommandKind::down_off), Direction::down);
  EXPECT_EQ(direction_of(CommandKind::left_on), Direction::left);
  EXPECT_EQ(direction_of(CommandKind::right_off), Direction::right);
  EXPECT_TRUE(is_on(CommandKind::right_on));
  EXPECT_FALSE(is_on(CommandKind::up_off));
}

}  // namespace
}  // namespace clawnet
