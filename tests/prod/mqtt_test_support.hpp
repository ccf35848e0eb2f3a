// Helpers for tests that run MqttTransport on a real broker.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>

namespace clawnet::prod::testing {

// Runs `io` until `done()` or until `limit` passes (a guard against a hang, not a
// timing assertion). Returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(50));
    if (io.stopped()) io.restart();
  }
  return done();
}

}  // namespace clawnet::prod::testing
