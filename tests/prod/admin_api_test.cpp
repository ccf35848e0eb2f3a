// The admin API's pieces that need no daemon: the token comparison and the queue
// view (the routes themselves are tested end to end, tests/e2e/admin_test.cpp).
#include "prod/admin_api.hpp"
#include "prod/turns_api.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace clawnet::prod {
namespace {

TEST(AdminApi, TheTokenMatchesOnlyItself) {
  const std::string expected = "0123456789abcdef";  // Not a secret: the comparison under test.
  EXPECT_TRUE(constant_time_equal(expected, expected));
  EXPECT_FALSE(constant_time_equal("", expected));
  EXPECT_FALSE(constant_time_equal("0123456789abcde", expected)) << "a prefix";
  EXPECT_FALSE(constant_time_equal("0123456789abcdef0", expected)) << "a longer one";
  EXPECT_FALSE(constant_time_equal("0123456789abcdeF", expected)) << "one byte off";
  EXPECT_FALSE(constant_time_equal(std::string("0123456789abcdef\0", 17), expected));
}

TEST(AdminApi, TheQueueViewShowsTheModeTheTurnAndTheFirstWaiting) {
  ServerConfig config;
  ServerMachine machine(config);
  machine.handle_start({}, 0);
  machine.handle_secure_message(R"({"status":"CLAW_READY","turn":0})", 0);
  for (int index = 0; index < 3; index += 1) {
    const std::string channel = "p-" + std::to_string(index + 10);
    machine.handle_join(static_cast<RequestId>(index + 1), channel, 0);
    machine.handle_player_presence(channel, PresenceKind::join, 0);
  }
  machine.handle_admin(AdminRequest{AdminAction::pause, 0}, 0);
  const boost::json::object view = admin_queue_view(machine, 1);
  EXPECT_EQ(view.at("mode"), "paused");
  EXPECT_EQ(view.at("length"), 2) << view;
  EXPECT_EQ(view.at("turn").at("ticket"), 1) << view;
  ASSERT_EQ(view.at("waiting").as_array().size(), 1U) << "limited to 1";
  EXPECT_EQ(view.at("waiting").as_array()[0].at("channel"), "p-11");
  EXPECT_EQ(view.at("waiting").as_array()[0].at("present"), true);
}

// The turns API's pieces that need no daemon (its routes: tests/e2e/turns_test.cpp).
TEST(TurnsApi, TheTurnNumberIsDigitsAboveZero) {
  EXPECT_EQ(parse_turn_number("1"), std::optional<Turn>(1));
  EXPECT_EQ(parse_turn_number("9223372036854775807"), std::optional<Turn>(9'223'372'036'854'775'807ULL));
  for (const char* bad : {"", "0", "-1", "+1", "1.0", "1x", " 1", "9223372036854775808", "99999999999999999999",
                          "1/2", "%31"}) {
    EXPECT_EQ(parse_turn_number(bad), std::nullopt) << bad;
  }
}

TEST(TurnsApi, AnOpenTurnHasNullsAndADetailCarriesItsRecord) {
  TurnRow open{7, 3, "p-3", 1'000, {}, {}, {}, false};
  const boost::json::object row = turn_row_json(open);
  EXPECT_TRUE(row.at("ended_ms").is_null());
  EXPECT_TRUE(row.at("outcome").is_null());
  EXPECT_TRUE(row.at("result").is_null());
  EXPECT_EQ(row.at("has_record"), false);
  TurnSummary record{7, "p-3", 30'000, 40, 500, 900, TurnResult::loss, {CommandEntry{100, CommandKind::up_on, 1, {}}}, 0};
  TurnDetail detail{TurnRow{7, 3, "p-3", 1'000, 2'000, "completed", "loss", true}, record};
  const boost::json::object view = turn_detail_json(detail);
  EXPECT_FALSE(view.contains("has_record"));
  EXPECT_EQ(view.at("outcome"), "completed");
  EXPECT_EQ(boost::json::serialize(view.at("record")), encode_turn_record(record));
  EXPECT_TRUE(turn_detail_json(TurnDetail{open, std::nullopt}).at("record").is_null());
}

}  // namespace
}  // namespace clawnet::prod
