// Per-turn records end to end (docs/deploy.md, "A player says it didn't move"):
// a player steers and drops through the real mosquitto, clawcab and clawd; the
// claw's summary of the turn reaches clawd's store, GET /v1/turns and
// GET /v1/turns/{turn} show it with the commands the player sent, and clawviz
// replays the saved answer to a PNG. Skips only when the mosquitto binary is missing.
#include "tests/e2e/cluster_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace clawnet::e2e {
namespace {

class TurnsTest : public ClusterTest {
 protected:
  // GET `path` with the admin token, parsed; a test failure unless it answers `status`.
  std::optional<boost::json::object> get(const std::string& path, int status = 200) {
    const auto answer = cluster_->admin("GET", path);
    if (!answer) {
      ADD_FAILURE() << "no answer to " << path;
      return std::nullopt;
    }
    EXPECT_EQ(answer->status, status) << path << ": " << answer->body;
    boost::system::error_code code;
    const boost::json::value value = boost::json::parse(answer->body, code);
    if (code || !value.is_object()) {
      ADD_FAILURE() << path << " answered no JSON object: " << answer->body;
      return std::nullopt;
    }
    return value.as_object();
  }

  // Polls GET /v1/turns until turn `turn` has its record (a guard against a hang).
  bool wait_for_record(std::uint64_t turn) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto answer = cluster_->admin("GET", "/v1/turns?limit=5");
      if (answer && answer->status == 200) {
        const boost::json::value value = boost::json::parse(answer->body);
        for (const auto& row : value.at("turns").as_array()) {
          if (row.at("turn").to_number<std::uint64_t>() == turn && row.at("has_record").as_bool()) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

// The entries of `record` that carry `key`, in order.
std::vector<boost::json::object> entries_with(const boost::json::object& record, const std::string& key) {
  std::vector<boost::json::object> found;
  for (const auto& entry : record.at("entries").as_array()) {
    if (entry.as_object().contains(key)) found.push_back(entry.as_object());
  }
  return found;
}

TEST_F(TurnsTest, APlayedTurnIsRecordedServedAndReplaysInClawviz) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player player = cluster_->join();
  ASSERT_TRUE(player.wait_control().has_value()) << cluster_->logs();
  std::size_t from = cluster_->clawcab().line_count();
  player.process->write_line("cmd rightOn");
  const auto right_on = clawcab_line("gpio: motor gantry_right on", from);
  ASSERT_TRUE(right_on.has_value()) << cluster_->logs();
  player.process->write_line("cmd rightOff");
  ASSERT_TRUE(clawcab_line("gpio: motor gantry_right off", *right_on).has_value()) << cluster_->logs();
  player.process->write_line("cmd drop");
  ASSERT_TRUE(wait_for_record(1)) << cluster_->logs();

  const auto listed = get("/v1/turns?limit=5");
  ASSERT_TRUE(listed.has_value());
  const auto& turns = listed->at("turns").as_array();
  ASSERT_EQ(turns.size(), 1U) << *listed;
  const auto& row = turns[0].as_object();
  EXPECT_EQ(row.at("turn"), 1);
  EXPECT_EQ(row.at("channel").as_string(), player.channel);
  EXPECT_EQ(row.at("outcome"), "completed") << row;
  EXPECT_TRUE(row.at("result") == "loss" || row.at("result") == "win") << row;

  const auto one = get("/v1/turns/1");
  ASSERT_TRUE(one.has_value());
  const auto& record = one->at("record").as_object();
  EXPECT_EQ(record.at("turn"), 1);
  EXPECT_EQ(record.at("channel").as_string(), player.channel);
  // The commands the player sent, each accepted with its sequence number.
  const std::vector<boost::json::object> commands = entries_with(record, "command");
  ASSERT_EQ(commands.size(), 3U) << record;
  EXPECT_EQ(commands[0].at("command"), "rightOn");
  EXPECT_EQ(commands[0].at("seq"), 1);
  EXPECT_EQ(commands[1].at("command"), "rightOff");
  EXPECT_EQ(commands[2].at("command"), "drop");
  EXPECT_TRUE(entries_with(record, "rejected").empty()) << record;
  const std::vector<boost::json::object> motors = entries_with(record, "motor");
  ASSERT_GE(motors.size(), 2U) << record;
  EXPECT_EQ(motors[0].at("motor"), "gantry_right");
  EXPECT_EQ(motors[0].at("on"), true);
  EXPECT_FALSE(motors[0].contains("why")) << "the player's own doing";
  EXPECT_EQ(record.at("result"), row.at("result"));

  // What is refused, and how.
  get("/v1/turns/2", 404);
  get("/v1/turns/one", 400);
  get("/v1/turns/0", 400);
  get("/v1/turns?limit=0", 400);
  get("/v1/turns?limit=1001", 400);
  const auto stranger = http_request(cluster_->http_port(), "GET", "/v1/turns/1");
  ASSERT_TRUE(stranger.has_value());
  EXPECT_EQ(stranger->status, 401) << "a record names a player's channel: admin token only";

#ifdef CLAWNET_CLAWVIZ
  // The operator saves the answer and opens it in clawviz, here headless.
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("clawnet-turns-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::filesystem::path saved = directory / "turn-1.json";
  const std::filesystem::path picture = directory / "turn-1.png";
  std::ofstream(saved) << boost::json::serialize(*one);
  const std::string command = std::string(CLAWNET_CLAWVIZ) + " --turn " + saved.string() + " --png " +
                              picture.string() + " --size 640x360 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
  EXPECT_TRUE(std::filesystem::exists(picture)) << command;
  EXPECT_GT(std::filesystem::file_size(picture), 1000U);
  std::filesystem::remove_all(directory);
#endif
}

}  // namespace
}  // namespace clawnet::e2e
