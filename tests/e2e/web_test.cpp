// The web app's HTTP side on the real deployment: GET /v1/config, a named join and
// its answer, what spectators read from GET /v1/watch through a whole turn, join
// refusals with their reasons, and the pages with their types, caching and
// Content-Security-Policy. The pages themselves are tested in a browser (tests/browser).
#include "tests/e2e/cluster_test.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <thread>

namespace clawnet::e2e {
namespace {

namespace fs = std::filesystem;

boost::json::object json_of(const std::optional<HttpAnswer>& answer) {
  if (!answer.has_value()) {
    ADD_FAILURE() << "no answer";
    return {};
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(answer->body, ec);
  if (ec || !value.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << answer->body;
    return {};
  }
  return value.as_object();
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The value of header `name` in a response head, or "".
std::string header_of(const std::string& head, const std::string& name) {
  const std::string lower = lowercase(head);
  const auto at = lower.find("\r\n" + lowercase(name) + ":");
  if (at == std::string::npos) return "";
  const auto start = head.find_first_not_of(' ', at + 2 + name.size() + 1);
  return head.substr(start, head.find("\r\n", start) - start);
}

class WebTest : public ClusterTest {
 protected:
  std::optional<HttpAnswer> get(const std::string& path, const std::string& headers = "") {
    return http_request(cluster_->http_port(), "GET", path, "", headers);
  }
  boost::json::object watch() { return json_of(get("/v1/watch")); }
  // Polls GET /v1/watch until `holds`, within the wait limit.
  bool wait_watch(const std::function<bool(const boost::json::object&)>& holds) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (holds(watch())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
};

TEST_F(WebTest, ConfigTellsAPageWhereTheBrokerIsAndHowTurnsGo) {
  start();
  const boost::json::object config = json_of(get("/v1/config"));
  EXPECT_EQ(config.at("transport").as_string(), "mqtt");
  EXPECT_EQ(config.at("broker_url").as_string(), "ws://e2e:8083");  // "{host}" is the request's Host (e2e).
  EXPECT_EQ(config.at("lobby_topic").as_string(), "clawnet/lobby");
  EXPECT_EQ(config.at("turn_ms").as_int64(), cluster_->options().turn_ms);
  EXPECT_EQ(config.at("keepalive_s").as_int64(), 10);
  EXPECT_EQ(config.at("command_repeat_ms").as_int64(), 200);
  EXPECT_EQ(config.at("name_chars_max").as_int64(), 20);
  EXPECT_EQ(config.at("camera").at("kind").as_string(), "none");
}

TEST_F(WebTest, SpectatorsSeeTheNamedPlayerTheQueueAndTheResult) {
  start();
  const auto answer = http_request(cluster_->http_port(), "POST", "/v1/join", R"({"name":"  Alice "})");
  ASSERT_TRUE(answer.has_value());
  ASSERT_EQ(answer->status, 200) << answer->body;
  const boost::json::object reply = json_of(answer);
  const std::string channel(reply.at("channel").as_string());
  EXPECT_EQ(reply.at("topics").at("player").as_string(), "clawnet/player/" + channel);
  EXPECT_EQ(reply.at("topics").at("presence").as_string(), "clawnet/presence/" + channel);
  EXPECT_EQ(reply.at("topics").at("lobby").as_string(), "clawnet/lobby");
  EXPECT_EQ(reply.at("broker").at("url").as_string(), "ws://e2e:8083");
  EXPECT_EQ(reply.at("broker").at("client_id").as_string(), channel);
  EXPECT_EQ(reply.at("broker").at("keepalive_s").as_int64(), 10);
  EXPECT_EQ(reply.at("turn_ms").as_int64(), cluster_->options().turn_ms);
  EXPECT_GE(reply.at("ticket").as_int64(), 1);

  Player alice;
  alice.channel = channel;
  alice.password = std::string(reply.at("broker").at("password").as_string());
  alice.player_topic = std::string(reply.at("topics").at("player").as_string());
  alice.lobby = std::string(reply.at("topics").at("lobby").as_string());
  cluster_->connect(alice);
  ASSERT_TRUE(alice.wait_control().has_value()) << alice.process->output();
  const Player bob = cluster_->join_only(R"({"name":"Bob"})");
  ASSERT_FALSE(bob.channel.empty());

  const boost::json::object playing = watch();
  EXPECT_EQ(playing.at("claw").as_string(), "online");
  EXPECT_EQ(playing.at("queue").as_string(), "running");
  EXPECT_EQ(playing.at("queue_length").as_int64(), 1);  // Bob waits; Alice plays.
  ASSERT_TRUE(playing.at("turn").is_object()) << boost::json::serialize(playing);
  EXPECT_EQ(playing.at("turn").at("name").as_string(), "Alice");  // Trimmed.
  const std::int64_t left_ms = playing.at("turn").at("left_ms").as_int64();
  EXPECT_GT(left_ms, 0);
  EXPECT_LE(left_ms, cluster_->options().turn_ms);
  EXPECT_TRUE(playing.at("last_result").is_null());

  // Alice never drops: the claw's turn timer does, and the result is hers.
  ASSERT_TRUE(wait_watch([](const boost::json::object& board) { return board.at("last_result").is_object(); }))
      << boost::json::serialize(watch());
  const boost::json::object after = watch();
  EXPECT_EQ(after.at("last_result").at("name").as_string(), "Alice");
  EXPECT_EQ(after.at("last_result").at("result").as_string(), "timeout");

  const auto head = get("/v1/watch");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(header_of(head->head, "Cache-Control"), "public, max-age=1");
}

TEST_F(WebTest, RefusedJoinsSayWhyInWordsAndAsAReason) {
  ClusterOptions options;
  options.queue_length_max = 1;
  start(options);
  const auto bad_name = http_request(cluster_->http_port(), "POST", "/v1/join", R"({"name":""})");
  ASSERT_TRUE(bad_name.has_value());
  EXPECT_EQ(bad_name->status, 400);
  EXPECT_EQ(json_of(bad_name).at("reason").as_string(), "bad_request");
  EXPECT_NE(json_of(bad_name).at("error").as_string().find("name"), std::string::npos) << bad_name->body;

  ASSERT_FALSE(cluster_->join_only(R"({"name":"First"})").channel.empty());  // Absent: it keeps its place.
  const auto full = http_request(cluster_->http_port(), "POST", "/v1/join", R"({"name":"Second"})");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->status, 503) << full->body;
  EXPECT_EQ(json_of(full).at("reason").as_string(), "queue_full");
  EXPECT_NE(json_of(full).at("error").as_string().find("full"), std::string::npos) << full->body;
}

class WebPagesTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    if (IsSkipped()) return;
    std::string pattern = (fs::temp_directory_path() / "clawnet-e2e-web-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    web_dir_ = pattern;
    write("index.html", "<!doctype html><title>play</title>");
    write("watch.html", "<!doctype html><title>watch</title>");
    write("js/play.js", "export const x = 1;");
    write("node_modules/mqtt/dist/mqtt.min.js", "var mqtt = {};");
    write("node_modules/pubnub/dist/web/pubnub.min.js", "var PubNub = {};");
  }
  void TearDown() override {
    WebTest::TearDown();
    if (!web_dir_.empty()) fs::remove_all(web_dir_);
  }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((web_dir_ / relative).parent_path());
    std::ofstream(web_dir_ / relative) << text;
  }
  fs::path web_dir_;
};

TEST_F(WebPagesTest, PagesComeWithTheirTypeRevalidationAndAStrictPolicy) {
  ClusterOptions options;
  options.web_dir = web_dir_.string();
  start(options);
  const auto page = get("/");
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(page->body, "<!doctype html><title>play</title>");
  EXPECT_EQ(header_of(page->head, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(header_of(page->head, "Cache-Control"), "no-cache");
  EXPECT_EQ(header_of(page->head, "X-Content-Type-Options"), "nosniff");
  const std::string policy = header_of(page->head, "Content-Security-Policy");
  EXPECT_TRUE(policy.starts_with("default-src 'none'; script-src 'self'; style-src 'self';")) << policy;
  EXPECT_NE(policy.find("connect-src 'self' ws://e2e:8083;"), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;

  const std::string etag = header_of(page->head, "ETag");
  ASSERT_FALSE(etag.empty()) << page->head;
  const auto unchanged = get("/", "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(unchanged.has_value());
  EXPECT_EQ(unchanged->status, 304);
  EXPECT_TRUE(unchanged->body.empty());

  const auto watch_page = get("/watch");
  ASSERT_TRUE(watch_page.has_value());
  EXPECT_EQ(watch_page->body, "<!doctype html><title>watch</title>");
  const auto script = get("/js/play.js");
  ASSERT_TRUE(script.has_value());
  EXPECT_EQ(header_of(script->head, "Content-Type"), "text/javascript; charset=utf-8");
  const auto vendored = get("/vendor/mqtt.min.js");
  ASSERT_TRUE(vendored.has_value());
  EXPECT_EQ(vendored->status, 200);
  EXPECT_EQ(vendored->body, "var mqtt = {};");

  const auto missing = get("/js/nope.js");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json_of(missing).at("reason").as_string(), "not_found");
  const auto outside = get("/node_modules/mqtt/dist/mqtt.min.js");
  ASSERT_TRUE(outside.has_value());
  EXPECT_EQ(outside->status, 404);
  const auto status = get("/v1/status");  // The API's own routes come first.
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->status, 200);
}

// On PubNub the page's link goes to PubNub's REST origin (here the fixture), which
// /v1/config names and the policy lets the page reach; the SDK's bundle is served.
TEST_F(WebPagesTest, OnPubnubTheConfigAndThePolicyNamePubnubsOrigin) {
  ClusterOptions options;
  options.web_dir = web_dir_.string();
  options.transport = ClusterTransport::pubnub;
  start(options);
  const std::string origin = "127.0.0.1:" + std::to_string(cluster_->broker_port());
  const boost::json::object config = json_of(get("/v1/config"));
  EXPECT_EQ(config.at("transport").as_string(), "pubnub");
  EXPECT_FALSE(config.contains("broker_url"));
  EXPECT_EQ(config.at("pubnub").at("origin").as_string(), origin);
  EXPECT_FALSE(config.at("pubnub").at("tls").as_bool());
  const auto page = get("/");
  ASSERT_TRUE(page.has_value());
  const std::string policy = header_of(page->head, "Content-Security-Policy");
  EXPECT_NE(policy.find("connect-src 'self' http://" + origin + ";"), std::string::npos) << policy;
  const auto bundle = get("/vendor/pubnub.min.js");
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->status, 200);
  EXPECT_EQ(bundle->body, "var PubNub = {};");
}

}  // namespace
}  // namespace clawnet::e2e
