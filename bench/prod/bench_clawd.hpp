// What the production benchmarks share: the clawd config they run with, against
// their own local broker (no player accounts, a free HTTP port, the store in the
// broker's directory).
#pragma once

#include "prod/config.hpp"
#include "tests/prod/broker_process.hpp"

namespace clawnet::prod::bench {

inline Config clawd_config(const testing::BrokerProcess& broker) {
  Config config;
  config.broker.port = broker.port();
  config.broker.player_accounts = false;
  config.http.port = 0;
  config.store.path = (broker.directory() / "queue.sqlite3").string();
  return config;
}

}  // namespace clawnet::prod::bench
