// The web app's pieces without a network: the URL checks, the Host header, the
// Content-Security-Policy, the files clawd serves, the join body and the display name.
#include "prod/join_request.hpp"
#include "prod/web_files.hpp"
#include "prod/web_routes.hpp"
#include "prod/web_url.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace clawnet::prod {
namespace {

namespace fs = std::filesystem;

TEST(WebUrl, OriginsAndProblems) {
  EXPECT_EQ(url_origin("ws://127.0.0.1:8083"), "ws://127.0.0.1:8083");
  EXPECT_EQ(url_origin("wss://claw.example.com/mqtt?x=1"), "wss://claw.example.com");
  EXPECT_FALSE(url_problem("ws://{host}:8083/mqtt", {"ws", "wss"}, true).has_value());
  EXPECT_TRUE(url_problem("ws://{host}:8083", {"ws"}, false).has_value());
  EXPECT_TRUE(url_problem("ws://:8083", {"ws"}, true).has_value());
  EXPECT_TRUE(url_problem("ws://h/{host}", {"ws"}, true).has_value());
  EXPECT_TRUE(url_problem("ftp://h/", {"http", "https"}, false).has_value());
  EXPECT_TRUE(url_problem("http://h/a b", {"http"}, false).has_value());
  EXPECT_TRUE(url_problem("http://h/'; script-src *", {"http"}, false).has_value());
}

TEST(WebRoutes, HostHeaderGivesTheHostOnly) {
  EXPECT_EQ(host_of("127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(host_of("claw.example.com"), "claw.example.com");
  EXPECT_EQ(host_of("[::1]:8080"), "[::1]");
  EXPECT_FALSE(host_of("").has_value());
  EXPECT_FALSE(host_of("evil.com'; connect-src *").has_value());
  EXPECT_FALSE(host_of("[::1").has_value());
  EXPECT_FALSE(host_of("a b").has_value());
}

TEST(WebRoutes, BrokerUrlFollowsTheHostThePageCameFrom) {
  WebConfig web;
  web.broker_url = "ws://{host}:8083";
  HttpRequest request;
  request.headers = {{"Host", "192.168.1.20:8080"}};
  EXPECT_EQ(broker_url_for(web, request), "ws://192.168.1.20:8083");
  request.headers = {{"Host", "bad host"}};
  EXPECT_FALSE(broker_url_for(web, request).has_value());
  web.broker_url = "wss://claw.example.com/mqtt";  // No placeholder: the Host does not matter.
  EXPECT_EQ(broker_url_for(web, request), "wss://claw.example.com/mqtt");
}

TEST(WebRoutes, CspAllowsOnlyThisOriginTheBrokerAndTheCamera) {
  WebConfig web;
  const std::string without_camera = content_security_policy(web, "ws://h:8083/mqtt");
  EXPECT_EQ(without_camera,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self' ws://h:8083; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  web.camera_kind = CameraKind::page;
  web.camera_url = "https://cam.example.com:8889/claw/";
  const std::string with_camera = content_security_policy(web, "ws://h:8083");
  EXPECT_NE(with_camera.find("img-src 'self' data: https://cam.example.com:8889;"), std::string::npos) << with_camera;
  EXPECT_NE(with_camera.find("media-src https://cam.example.com:8889;"), std::string::npos) << with_camera;
  EXPECT_NE(with_camera.find("frame-src https://cam.example.com:8889;"), std::string::npos) << with_camera;
}

class WebFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "clawnet-web-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << text;
  }
  void write_vendored() {
    write("node_modules/mqtt/dist/mqtt.min.js", "var mqtt={};");
    write("node_modules/pubnub/dist/web/pubnub.min.js", "var PubNub={};");
  }
  fs::path dir_;
};

TEST_F(WebFilesTest, ServesKnownTypesAndTheVendoredScriptsOnly) {
  write("index.html", "<!doctype html>");
  write("js/play.js", "export {};");
  write("css/app.css", "body{}");
  write("notes.md", "not served");
  write(".hidden.js", "not served");
  write("node_modules/other/x.js", "not served");
  write("bad name.js", "not served");
  write_vendored();
  auto loaded = WebFiles::load(dir_.string());
  ASSERT_TRUE(std::holds_alternative<WebFiles>(loaded)) << std::get<std::string>(loaded);
  const WebFiles& files = std::get<WebFiles>(loaded);
  EXPECT_EQ(files.size(), 5U);
  ASSERT_NE(files.find("/index.html"), nullptr);
  EXPECT_EQ(files.find("/index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(files.find("/js/play.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files.find("/css/app.css")->body, "body{}");
  ASSERT_NE(files.find("/vendor/mqtt.min.js"), nullptr);
  EXPECT_EQ(files.find("/vendor/mqtt.min.js")->body, "var mqtt={};");
  ASSERT_NE(files.find("/vendor/pubnub.min.js"), nullptr);
  EXPECT_EQ(files.find("/vendor/pubnub.min.js")->content_type, "text/javascript; charset=utf-8");
  for (const char* absent : {"/notes.md", "/.hidden.js", "/node_modules/other/x.js", "/bad name.js", "/../x"}) {
    EXPECT_EQ(files.find(absent), nullptr) << absent;
  }
  EXPECT_NE(files.find("/index.html")->etag, files.find("/js/play.js")->etag);
  EXPECT_EQ(files.find("/index.html")->etag.front(), '"');
}

TEST_F(WebFilesTest, AMissingVendoredScriptSaysHowToGetIt) {
  write("index.html", "x");
  auto loaded = WebFiles::load(dir_.string());
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_NE(std::get<std::string>(loaded).find("npm ci"), std::string::npos) << std::get<std::string>(loaded);
}

TEST_F(WebFilesTest, AMissingDirectoryIsNamed) {
  auto loaded = WebFiles::load((dir_ / "nowhere").string());
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_NE(std::get<std::string>(loaded).find("nowhere"), std::string::npos);
}

TEST_F(WebFilesTest, AFileOverTheBoundIsRefused) {
  write_vendored();
  write("big.txt", std::string(WebFiles::file_bytes_max + 1, 'x'));
  auto loaded = WebFiles::load(dir_.string());
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_NE(std::get<std::string>(loaded).find("big.txt"), std::string::npos) << std::get<std::string>(loaded);
}

TEST(JoinBody, NamesAreTrimmedAndChecked) {
  EXPECT_EQ(std::get<0>(parse_join_body("")), "");
  EXPECT_EQ(std::get<0>(parse_join_body("{}")), "");
  EXPECT_EQ(std::get<0>(parse_join_body(R"({"name":"  Alice  "})")), "Alice");
  EXPECT_EQ(std::get<0>(parse_join_body(R"({"name":"Zoë 🦀"})")), "Zoë 🦀");
  EXPECT_EQ(std::get<0>(parse_join_body(R"({"name":"ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴ"})")),  // 20 characters.
            "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴ");
  const auto refused = [](std::string_view body) {
    auto parsed = parse_join_body(body);
    return parsed.index() == 1 ? std::get<1>(parsed) : std::string();
  };
  EXPECT_NE(refused("nope").find("not JSON"), std::string::npos);
  EXPECT_NE(refused("[]").find("object"), std::string::npos);
  EXPECT_NE(refused(R"({"nick":"x"})").find("\"nick\""), std::string::npos);
  EXPECT_NE(refused(R"({"name":7})").find("string"), std::string::npos);
  EXPECT_NE(refused(R"({"name":"   "})").find("empty"), std::string::npos);
  EXPECT_NE(refused(R"({"name":"abcdefghijklmnopqrstu"})").find("at most 20"), std::string::npos);
  EXPECT_NE(refused(R"({"name":"a\nb"})").find("not allowed"), std::string::npos);
  EXPECT_NE(refused(R"({"name":"evil\u202Eeman"})").find("U+202E"), std::string::npos);
  EXPECT_FALSE(refused("{\"name\":\"\xff\"}").empty());  // Bad UTF-8.
  EXPECT_EQ(check_join_body(R"({"name":"Bob"})"), std::nullopt);
  EXPECT_TRUE(check_join_body(R"({"name":""})").has_value());
}

TEST(JoinBody, DisplayNameProblemsNameTheField) {
  EXPECT_FALSE(display_name_problem("Alice").has_value());
  EXPECT_TRUE(display_name_problem("\xC0\x80").has_value());  // Overlong encoding.
  EXPECT_TRUE(display_name_problem("\xED\xA0\x80").has_value());  // A surrogate.
  const auto problem = display_name_problem(std::string(21, 'a'));
  ASSERT_TRUE(problem.has_value());
  EXPECT_TRUE(problem->starts_with("name: ")) << *problem;
}

}  // namespace
}  // namespace clawnet::prod
