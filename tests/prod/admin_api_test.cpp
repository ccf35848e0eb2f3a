// The admin API's pieces that need no daemon: the token comparison and the queue
// view (the routes themselves are tested end to end, tests/e2e/admin_test.cpp).
#include "prod/admin_api.hpp"

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

}  // namespace
}  // namespace clawnet::prod
