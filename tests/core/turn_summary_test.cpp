// The turn summary, the one nested message: every entry kind survives encode ->
// decode, a record as full and as long-numbered as it can be still fits the
// message limit, and each malformed record is refused naming the field at fault.
#include "core/protocol.hpp"

#include "core/limits.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace clawnet {
namespace {

constexpr std::uint64_t uint64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

TurnSummary every_entry_kind() {
  TurnSummary summary;
  summary.turn = 8;
  summary.channel = "p-3f9a0c";
  summary.turn_ms = 30'000;
  summary.control_at_ms = 45;
  summary.ended_at_ms = 12'000;
  summary.ready_at_ms = 19'500;
  summary.result = TurnResult::win;
  summary.entries = {
      CommandEntry{100, CommandKind::right_on, 1, {}},
      MotorEntry{100, Motor::gantry_right, true, MotorCause::player},
      RejectionEntry{150, Rejection::replayed_seq, CommandKind::right_on, 1},
      RejectionEntry{160, Rejection::malformed, {}, 0},
      CommandEntry{170, CommandKind::down_on, 2, NoMove::limit_switch},
      MotorEntry{700, Motor::gantry_right, false, MotorCause::deadman},
      SwitchEntry{800, Switch::limit_right},
      CommandEntry{12'000, CommandKind::drop, 3, {}},
      MotorEntry{12'000, Motor::claw_lower, true, MotorCause::drop_cycle},
  };
  return summary;
}

// The longest form of every entry kind, with the largest numbers.
std::vector<TurnEntry> longest_entries() {
  return {
      CommandEntry{int64_max, CommandKind::right_off, uint64_max, {}},
      CommandEntry{int64_max, CommandKind::right_on, uint64_max, NoMove::limit_switch},
      RejectionEntry{int64_max, Rejection::not_in_control, CommandKind::right_off, uint64_max},
      RejectionEntry{int64_max, Rejection::not_a_command, {}, 0},
      MotorEntry{int64_max, Motor::gantry_right, false, MotorCause::motor_limit},
      MotorEntry{int64_max, Motor::gantry_right, false, MotorCause::limit_switch},
      SwitchEntry{int64_max, Switch::prize_chute},
  };
}

TEST(TurnSummary, EveryEntryKindRoundTrips) {
  for (TurnSummary summary : {every_entry_kind(), TurnSummary{1, "p-0", 1, {}, 0, 0, {}, {}, 0}}) {
    const std::string text = encode(summary);
    SCOPED_TRACE(text);
    EXPECT_TRUE(text.starts_with(R"({"turn_summary":{"turn":)"));
    DecodeResult decoded = decode(text);
    ASSERT_TRUE(std::holds_alternative<Message>(decoded)) << std::get<DecodeError>(decoded).detail;
    EXPECT_EQ(std::get<Message>(decoded), Message{summary});
    // The record alone, as the store keeps it.
    const std::string record = encode_turn_record(summary);
    auto alone = decode_turn_record(record);
    ASSERT_TRUE(std::holds_alternative<TurnSummary>(alone)) << std::get<DecodeError>(alone).detail;
    EXPECT_EQ(std::get<TurnSummary>(alone), summary);
  }
}

TEST(TurnSummary, EntriesReadAsTheDocsShowThem) {
  TurnSummary summary{8, "p-ab", 30'000, 45, 100, 200, {}, {}, 0};
  summary.entries = {CommandEntry{100, CommandKind::up_on, 1, NoMove::motor_limit},
                     RejectionEntry{120, Rejection::rate_limited, CommandKind::up_on, 2},
                     MotorEntry{130, Motor::gantry_up, false, MotorCause::deadman},
                     MotorEntry{140, Motor::gantry_up, true, MotorCause::player}, SwitchEntry{150, Switch::limit_up}};
  EXPECT_EQ(encode_turn_record(summary),
            R"({"turn":8,"channel":"p-ab","turn_ms":30000,"control_at_ms":45,"ended_at_ms":100,"ready_at_ms":200,)"
            R"("entries":[{"at_ms":100,"command":"upOn","seq":1,"no_move":"motor_limit"},)"
            R"({"at_ms":120,"rejected":"rate_limited","command":"upOn","seq":2},)"
            R"({"at_ms":130,"motor":"gantry_up","on":false,"why":"deadman"},)"
            R"({"at_ms":140,"motor":"gantry_up","on":true},{"at_ms":150,"switch":"limit_up"}],"entries_dropped":0})");
}

// limits.hpp's arithmetic, checked against the encoder: no entry is longer than
// turn_record_entry_bytes_max, and a full record of the longest entries, every
// optional field set to its longest, is still one message.
TEST(TurnSummary, AFullRecordOfTheLongestEntriesFitsTheMessageLimit) {
  for (const TurnEntry& entry : longest_entries()) {
    TurnSummary one{1, "p-0", 1, {}, 0, int64_max, {}, {entry}, 0};
    const std::size_t bytes = encode_turn_record(one).size() - encode_turn_record(TurnSummary{1, "p-0", 1, {}, 0, int64_max, {}, {}, 0}).size();
    EXPECT_LE(bytes, limits::turn_record_entry_bytes_max) << encode_turn_record(one);
  }
  TurnSummary full{uint64_max, "p-" + std::string(limits::channel_bytes_max - 2, 'f'), limits::turn_duration_ms_max,
                   int64_max, int64_max, int64_max, TurnResult::ended_by_server, {}, uint64_max};
  EXPECT_LE(encode(full).size(), limits::turn_record_header_bytes_max);
  while (full.entries.size() < limits::turn_record_entries_max) {
    for (const TurnEntry& entry : longest_entries()) {
      if (full.entries.size() < limits::turn_record_entries_max) full.entries.push_back(entry);
    }
  }
  const std::string text = encode(full);
  EXPECT_LE(text.size(), limits::turn_summary_bytes_max);
  DecodeResult decoded = decode(text);
  ASSERT_TRUE(std::holds_alternative<Message>(decoded)) << std::get<DecodeError>(decoded).detail;
  EXPECT_EQ(std::get<Message>(decoded), Message{full});
}

struct Refusal {
  std::string text;
  DecodeErrorKind kind;
  std::string detail_mentions;
};

void expect_refused(const Refusal& refusal) {
  SCOPED_TRACE(refusal.text);
  DecodeResult result = decode(refusal.text);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(result)) << "decoded as " << describe(std::get<Message>(result));
  const DecodeError& error = std::get<DecodeError>(result);
  EXPECT_EQ(to_string(error.kind), to_string(refusal.kind)) << error.detail;
  EXPECT_NE(error.detail.find(refusal.detail_mentions), std::string::npos)
      << "detail \"" << error.detail << "\" does not mention " << refusal.detail_mentions;
}

// A summary around `entries` (JSON text), with `extra` fields after the others.
std::string summary_with(const std::string& entries, const std::string& extra = "") {
  return R"({"turn_summary":{"turn":8,"channel":"p-ab","turn_ms":30000,"ended_at_ms":100,"ready_at_ms":200,)"
         R"("entries":[)" + entries + R"(],"entries_dropped":0)" + extra + "}}";
}

TEST(TurnSummary, MalformedRecordsAreRefusedNamingTheField) {
  ASSERT_TRUE(std::holds_alternative<Message>(decode(summary_with(R"({"at_ms":5,"switch":"limit_up"})"))));
  const std::vector<Refusal> refusals = {
      {summary_with("", R"(,"colour":"red")"), DecodeErrorKind::unknown_field, "turn_summary.colour"},
      {summary_with(R"({"at_ms":5,"switch":"limit_up","x":1})"), DecodeErrorKind::unknown_field,
       "turn_summary.entries[0].x"},
      {summary_with(R"({"at_ms":5})"), DecodeErrorKind::missing_field, "turn_summary.entries[0]"},
      {summary_with(R"({"switch":"limit_up"})"), DecodeErrorKind::missing_field, "turn_summary.entries[0].at_ms"},
      {summary_with(R"({"at_ms":5,"motor":"warp_drive","on":true})"), DecodeErrorKind::bad_field, "warp_drive"},
      {summary_with(R"({"at_ms":5,"motor":"gantry_up","on":1})"), DecodeErrorKind::bad_field, "entries[0].on"},
      {summary_with(R"({"at_ms":5,"motor":"gantry_up","on":true,"why":"player"})"), DecodeErrorKind::bad_field,
       "entries[0].why"},
      {summary_with(R"({"at_ms":5,"command":"upOn","seq":0})"), DecodeErrorKind::bad_field, "entries[0].seq"},
      {summary_with(R"({"at_ms":5,"command":"upOff","seq":1,"no_move":"limit_switch"})"), DecodeErrorKind::bad_field,
       "entries[0].no_move"},
      {summary_with(R"({"at_ms":5,"rejected":"wrong_turn","command":"upOn"})"), DecodeErrorKind::bad_field,
       "entries[0].seq"},
      {summary_with(R"({"at_ms":5,"rejected":"bored"})"), DecodeErrorKind::bad_field, "bored"},
      {summary_with(R"({"at_ms":-5,"switch":"limit_up"})"), DecodeErrorKind::bad_field, "entries[0].at_ms"},
      {summary_with(R"({"at_ms":9,"switch":"limit_up"},{"at_ms":5,"switch":"limit_up"})"), DecodeErrorKind::bad_field,
       "entries[1].at_ms"},
      {summary_with(R"({"at_ms":201,"switch":"limit_up"})"), DecodeErrorKind::bad_field, "ready_at_ms"},
      {summary_with(R"(7)"), DecodeErrorKind::bad_field, "entries[0]"},
      {summary_with(R"({"at_ms":5,"at_ms":6,"switch":"limit_up"})"), DecodeErrorKind::bad_field, "more than once"},
      {R"({"turn_summary":{"turn":0,"channel":"p-ab","turn_ms":1,"ended_at_ms":0,"ready_at_ms":0,"entries":[],"entries_dropped":0}})",
       DecodeErrorKind::bad_field, "turn_summary.turn"},
      {R"({"turn_summary":{"turn":1,"channel":"clawcomm","turn_ms":1,"ended_at_ms":0,"ready_at_ms":0,"entries":[],"entries_dropped":0}})",
       DecodeErrorKind::bad_field, "turn_summary.channel"},
      {R"({"turn_summary":{"turn":1,"channel":"p-ab","turn_ms":0,"ended_at_ms":0,"ready_at_ms":0,"entries":[],"entries_dropped":0}})",
       DecodeErrorKind::bad_field, "turn_summary.turn_ms"},
      {R"({"turn_summary":{"turn":1,"channel":"p-ab","turn_ms":1,"ended_at_ms":5,"ready_at_ms":4,"entries":[],"entries_dropped":0}})",
       DecodeErrorKind::bad_field, "turn_summary.ended_at_ms"},
      {R"({"turn_summary":{"turn":1,"channel":"p-ab","turn_ms":1,"ended_at_ms":0,"ready_at_ms":0,"entries":[],"entries_dropped":3}})",
       DecodeErrorKind::bad_field, "turn_summary.entries_dropped"},
      {R"({"turn_summary":{"turn":1,"channel":"p-ab","turn_ms":1,"ended_at_ms":0,"ready_at_ms":0,"entries_dropped":0}})",
       DecodeErrorKind::missing_field, "turn_summary.entries"},
      {R"({"turn_summary":{"turn":1,"channel":"p-ab","turn_ms":1,"ended_at_ms":0,"ready_at_ms":0,"entries":[],"entries_dropped":0},"x":1})",
       DecodeErrorKind::unknown_field, "x"},
      {R"({"turn_summary":7})", DecodeErrorKind::bad_field, "turn_summary"},
      {summary_with(R"({"at_ms":5,"switch":{"a":[1]}})"), DecodeErrorKind::too_deep,
       std::to_string(limits::turn_summary_json_depth_max)},
      // Only encode()'s own form may be big and nested.
      {R"({"x":1,"turn_summary":{}})", DecodeErrorKind::bad_field, "turn_summary"},
  };
  for (const Refusal& refusal : refusals) expect_refused(refusal);
}

TEST(TurnSummary, MoreEntriesThanTheBoundAreRefused) {
  std::string entries;
  for (std::size_t index = 0; index <= limits::turn_record_entries_max; index += 1) {
    entries += (index == 0 ? "" : ",") + std::string(R"({"at_ms":5,"switch":"limit_up"})");
  }
  expect_refused({summary_with(entries), DecodeErrorKind::bad_field, std::to_string(limits::turn_record_entries_max)});
}

TEST(TurnSummary, TooLargeNamesTheSummaryLimit) {
  std::string text = summary_with(R"({"at_ms":5,"switch":"limit_up"})");
  text.insert(text.size() - 2, std::string(limits::turn_summary_bytes_max, ' '));
  expect_refused({text, DecodeErrorKind::too_large, std::to_string(limits::turn_summary_bytes_max)});
}

TEST(TurnSummary, TheRecordAloneIsCheckedAsStrictly) {
  auto refused = decode_turn_record(R"({"turn":1,"channel":"p-ab","turn_ms":1,"ended_at_ms":0,"ready_at_ms":0,"entries":[{"at_ms":1,"motor":"gantry_up"}],"entries_dropped":0})");
  ASSERT_TRUE(std::holds_alternative<DecodeError>(refused));
  EXPECT_NE(std::get<DecodeError>(refused).detail.find("\"entries[0].on\""), std::string::npos)
      << std::get<DecodeError>(refused).detail;
  EXPECT_TRUE(std::holds_alternative<DecodeError>(decode_turn_record("[]")));
  EXPECT_TRUE(std::holds_alternative<DecodeError>(decode_turn_record("{")));
}

}  // namespace
}  // namespace clawnet
