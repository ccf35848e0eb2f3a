// clawviz --turn: a recorded turn's file is read and checked, every error naming
// what is wrong; the replay moves the cabinet model by the record's motor changes
// at their times from home, logs each entry as the clock reaches it, ends at the
// record's CLAW_READY with the result, and renders to the same PNG bytes twice.
#include "viz/turn_driver.hpp"

#include "viz/headless.hpp"
#include "viz/window.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace clawnet::viz {
namespace {

TurnSummary recorded_turn() {
  TurnSummary record;
  record.turn = 12;
  record.channel = "p-5eed";
  record.turn_ms = 20'000;
  record.control_at_ms = 50;
  record.ended_at_ms = 3'000;
  record.ready_at_ms = 6'000;
  record.result = TurnResult::loss;
  record.entries = {
      CommandEntry{100, CommandKind::right_on, 1, {}},
      MotorEntry{100, Motor::gantry_right, true, MotorCause::player},
      RejectionEntry{400, Rejection::replayed_seq, CommandKind::right_on, 1},
      MotorEntry{1'100, Motor::gantry_right, false, MotorCause::deadman},
      CommandEntry{1'500, CommandKind::up_on, 2, NoMove::limit_switch},
      CommandEntry{3'000, CommandKind::drop, 3, {}},
  };
  return record;
}

// The answer of GET /v1/turns/{turn} for `record`, with `edit` applied.
std::string answer_for(const TurnSummary& record, const std::function<void(boost::json::object&)>& edit = {}) {
  boost::json::object answer{{"turn", record.turn},      {"ticket", 4},          {"channel", record.channel},
                             {"started_ms", 1000},       {"ended_ms", 9000},     {"outcome", "completed"},
                             {"result", "loss"},         {"record", boost::json::parse(encode_turn_record(record))}};
  if (edit) edit(answer);
  return boost::json::serialize(answer);
}

class TurnFile {
 public:
  explicit TurnFile(const std::string& text)
      : path_((std::filesystem::temp_directory_path() / ("clawviz-turn-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(counter_++) + ".json"))
                  .string()) {
    std::ofstream(path_) << text;
  }
  ~TurnFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

std::string load_error(const std::string& text) {
  TurnFile file(text);
  auto loaded = load_turn_replay(file.path());
  if (std::holds_alternative<TurnReplay>(loaded)) {
    ADD_FAILURE() << "loaded: " << text;
    return "";
  }
  return std::get<std::string>(loaded);
}

TurnReplay loaded(const TurnSummary& record) {
  TurnFile file(answer_for(record));
  auto replay = load_turn_replay(file.path());
  EXPECT_TRUE(std::holds_alternative<TurnReplay>(replay)) << std::get<std::string>(replay);
  return std::holds_alternative<TurnReplay>(replay) ? std::get<TurnReplay>(std::move(replay)) : TurnReplay{};
}

bool logged(const sim::Snapshot& snapshot, const std::string& text) {
  return std::any_of(snapshot.recent_log.begin(), snapshot.recent_log.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

TEST(VizTurnDriver, AFileThatIsNoTurnAnswerIsRefusedNamingWhatIsWrong) {
  auto missing = load_turn_replay("/nonexistent/turn.json");
  ASSERT_TRUE(std::holds_alternative<std::string>(missing));
  EXPECT_NE(std::get<std::string>(missing).find("/nonexistent/turn.json: cannot read"), std::string::npos);
  EXPECT_NE(load_error("{\"turn\":").find("not JSON"), std::string::npos);
  EXPECT_NE(load_error("[1,2]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(load_error(R"({"turns":[]})").find("field \"turn\""), std::string::npos);
  EXPECT_NE(load_error(answer_for(recorded_turn(), [](auto& a) { a.erase("record"); })).find("no field \"record\""),
            std::string::npos);
  EXPECT_NE(load_error(answer_for(recorded_turn(), [](auto& a) { a["record"] = nullptr; })).find("no record of turn 12"),
            std::string::npos);
  EXPECT_NE(load_error(answer_for(recorded_turn(), [](auto& a) { a["turn"] = 13; }))
                .find("field \"turn\" is 13, but the record is of turn 12"),
            std::string::npos);
  const std::string bad_entry = load_error(answer_for(recorded_turn(), [](auto& a) {
    a["record"].as_object()["entries"].as_array()[1].as_object()["motor"] = "warp_drive";
  }));
  EXPECT_NE(bad_entry.find("\"entries[1].motor\""), std::string::npos) << bad_entry;
  EXPECT_NE(load_error(answer_for(recorded_turn(), [](auto& a) { a["outcome"] = 3; })).find("\"outcome\""),
            std::string::npos);
}

TEST(VizTurnDriver, TheGantryFollowsTheRecordedMotorChangesFromHome) {
  TurnDriver driver(loaded(recorded_turn()));
  const sim::Snapshot start = driver.snapshot();
  EXPECT_EQ(start.cabinet.x_mm, 0);
  EXPECT_EQ(start.cabinet.y_mm, 0);
  EXPECT_EQ(start.claw_state, "Subscribing");
  EXPECT_TRUE(logged(start, "starts at home"));
  driver.advance_ms(600);
  const sim::Snapshot moving = driver.snapshot();
  EXPECT_TRUE(moving.cabinet.motors[static_cast<std::size_t>(Motor::gantry_right)]);
  EXPECT_GT(moving.cabinet.x_mm, 0);
  EXPECT_EQ(moving.controller, std::optional<std::string>("p-5eed"));
  EXPECT_EQ(moving.claw_state, "Controlled");
  EXPECT_TRUE(logged(moving, "0.100s rightOn #1"));
  EXPECT_TRUE(logged(moving, "0.400s rejected rightOn #1: replayed_seq"));
  driver.advance_ms(1'000);  // 1.6 s: stopped at 1.1 s, after one second of travel.
  const sim::Snapshot stopped = driver.snapshot();
  EXPECT_FALSE(stopped.cabinet.motors[static_cast<std::size_t>(Motor::gantry_right)]);
  const double moved_mm = stopped.cabinet.x_mm;
  EXPECT_NEAR(moved_mm, static_cast<double>(sim::CabinetConfig{}.gantry_mm_per_s), 1.0);
  EXPECT_TRUE(logged(stopped, "1.100s motor gantry_right off (deadman)"));
  EXPECT_TRUE(logged(stopped, "1.500s upOn #2 (no move: limit_switch)"));
  driver.advance_ms(60'000);  // Never past the end.
  const sim::Snapshot end = driver.snapshot();
  EXPECT_EQ(end.now_ms, 6'000);
  EXPECT_TRUE(end.finished);
  EXPECT_EQ(end.claw_state, "Ready");
  ASSERT_TRUE(end.last_result.has_value());
  EXPECT_EQ(end.last_result->result, TurnResult::loss);
  EXPECT_TRUE(logged(end, "6.000s CLAW_READY: result loss"));
  EXPECT_EQ(end.cabinet.x_mm, moved_mm) << "nothing moved after the dead-man";
  driver.restart();
  EXPECT_EQ(driver.snapshot().now_ms, 0);
  EXPECT_EQ(driver.snapshot().cabinet.x_mm, 0);
}

TEST(VizTurnDriver, StepsGoFromEntryToEntry) {
  TurnDriver driver(loaded(recorded_turn()));
  driver.step_one_event();
  EXPECT_EQ(driver.viewer_ms(), 100);
  driver.step_one_event();
  EXPECT_EQ(driver.viewer_ms(), 400);
}

TEST(VizTurnDriver, TheSameInstantRendersTheSamePngBytes) {
  const std::filesystem::path directory = std::filesystem::temp_directory_path();
  const TurnReplay replay = loaded(recorded_turn());  // One file: its path is in the picture's title.
  std::string bytes[2];
  for (int run = 0; run < 2; run += 1) {
    TurnDriver driver(replay);
    VizOptions options;
    options.width = 640;
    options.height = 360;
    options.png_after_ms = 1'600;
    options.png_path = (directory / ("clawviz-turn-render-" + std::to_string(::getpid()) + ".png")).string();
    ASSERT_EQ(run_headless(driver, options), std::nullopt);
    std::ifstream in(options.png_path, std::ios::binary);
    bytes[run].assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    std::filesystem::remove(options.png_path);
  }
  EXPECT_GT(bytes[0].size(), 1000U);
  EXPECT_TRUE(bytes[0] == bytes[1]) << "two renders of the same instant differ";
}

}  // namespace
}  // namespace clawnet::viz
