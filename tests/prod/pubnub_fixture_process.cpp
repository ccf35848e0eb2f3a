#include "tests/prod/pubnub_fixture_process.hpp"

#include "prod/os_random.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <stdlib.h>
#include <unistd.h>

namespace clawnet::prod::testing {

namespace {

constexpr std::string_view listening_line = "pubnub-fixture listening on 127.0.0.1:";

std::filesystem::path fresh_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "clawnet-pubnub-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

}  // namespace

PubnubKeySet random_pubnub_keyset(bool access_manager) {
  // Shaped like PubNub's keys but marked as test keys.
  return PubnubKeySet{"pub-test-" + random_hex(16), "sub-test-" + random_hex(16), "sec-test-" + random_hex(16),
                      access_manager};
}

std::string find_node() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / "node";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

PubnubFixtureProcess::~PubnubFixtureProcess() {
  stop();
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

std::optional<std::string> PubnubFixtureProcess::start(const std::vector<PubnubKeySet>& keysets,
                                                       const std::vector<std::string>& extra_args) {
  const std::string node = find_node();
  if (node.empty()) return "node not found in PATH";
  if (directory_.empty()) directory_ = fresh_directory();
  if (directory_.empty()) return "cannot make a temporary directory";
  boost::json::array sets;
  for (const PubnubKeySet& keys : keysets) {
    sets.push_back(boost::json::object{{"publish_key", keys.publish_key},
                                       {"subscribe_key", keys.subscribe_key},
                                       {"secret_key", keys.secret_key},
                                       {"pam", keys.access_manager}});
  }
  const std::filesystem::path keys_file = directory_ / "keys.json";
  std::ofstream(keys_file) << boost::json::serialize(boost::json::object{{"keysets", sets}});
  std::vector<std::string> argv{node,        CLAWNET_PUBNUB_FIXTURE,        "--port",      "0",
                                "--port-file", (directory_ / "port").string(), "--keys-file", keys_file.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  if (auto error = process_.start("pubnub-fixture", argv)) return error;
  const auto line = process_.wait_for_line(
      [](const std::string& text) { return text.starts_with(listening_line); }, std::chrono::seconds(10));
  if (!line.has_value()) return "the fixture did not start:\n" + process_.output();
  const std::string text = process_.lines().at(*line).text.substr(listening_line.size());
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port_);
  if (ec != std::errc{} || port_ == 0) return "the fixture printed no port: " + text;
  return std::nullopt;
}

void PubnubFixtureProcess::stop() { process_.stop(); }

}  // namespace clawnet::prod::testing
