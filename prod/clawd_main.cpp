// clawd: the queue server. Usage: clawd --config PATH (docs/config.md).
#include "prod/clawd_driver.hpp"
#include "prod/daemon_setup.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <exception>

int main(int argc, char** argv) {
  using namespace clawnet::prod;
  const auto log = [](std::string_view text) { log_line("clawd", text); };
  auto loaded = load_daemon_config("clawd", argc, argv);
  if (auto* error = std::get_if<std::string>(&loaded)) {
    log(*error);
    return 2;
  }
  const Config config = std::get<Config>(std::move(loaded));
  keep_heap_slack();
  boost::asio::io_context io;
  try {
    auto opened = ClawdDriver::open(io, config, log);
    if (auto* error = std::get_if<std::string>(&opened)) {
      log(*error);
      return 2;
    }
    auto& driver = *std::get<std::unique_ptr<ClawdDriver>>(opened);
    if (auto error = driver.start()) {
      log(*error);
      return 2;
    }
    log("listening for joins on port " + std::to_string(driver.http_port()));
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      log("stopping");
      driver.stop();
      io.stop();
    });
    io.run();
  } catch (const std::exception& error) {
    // A failed store write lands here: stop, and let the restart recover the queue.
    log(std::string("fatal: ") + error.what());
    return 1;
  }
  return 0;
}
