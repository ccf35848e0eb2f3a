// ClawdDriver: runs a ServerMachine on Boost.Asio with the broker, the HTTP API
// and the SQLite queue. No queue logic of its own: inputs go to the machine,
// its effects are carried out in order (Publish -> the Transport; Persist* -> QueueStore,
// committed in groups before any effect after them, prod/group_commit.hpp;
// JoinReply -> the waiting HTTP request; Log -> the log function), and one timer
// wakes it at next_deadline().
//
// A join: a fresh channel (128 OS random bits); the transport admits it (on MQTT
// with broker.player_accounts, a dynsec account; prod/transport.hpp); then
// handle_join(); the JoinReply answers the HTTP request. A player who departs, or
// whose turn ended for good, is released by the transport (RevokePlayer).
// HTTP routes (prod/http_server.hpp; errors are {"error": "..."}):
//   POST /v1/join    body empty, `{}` or {"name":"<display name>"} (prod/join_request.hpp)
//                    -> 200 {"channel","ticket","position","wait_ms",
//                            "broker":{"url","username","password","client_id","keepalive_s"},
//                            "topics":{"player","presence","lobby"},"turn_ms","ready_ms","grace_ms"}
//                       (username and password empty with broker.player_accounts = none)
//                       400 for another body; 429 + Retry-After when the client IP is over
//                       its rate; 503 when refused, with "reason": queue_full, starting,
//                       broker_unreachable, broker_refused, busy, stopping or refused
//   GET  /v1/status  -> 200 with status()
//   GET  /v1/watch   -> 200, what spectators see (prod/watch_board.hpp), cacheable 1 s
//   GET  /v1/config, and with web.dir the pages and their files (prod/web_routes.hpp)
//   GET  /metrics    -> 200, Prometheus text format (prod/clawd_metrics.hpp)
//   POST /v1/admin/* and GET /v1/admin/queue, with http.admin_token_file set
//                       (prod/admin_api.hpp)
//   GET /v1/turns, GET /v1/turns/{turn}   the claw's per-turn records, behind the
//                       same token (prod/turns_api.hpp)
// Log lines: the machine's rejections go through a LogAggregator (one line per
// reason per aggregation_interval_ms under a flood); everything else at once.
// Inputs from the transport: the secure channel, player channels (the ready
// check's answers), the claw's presence and each player's presence.
// A failed store write throws std::runtime_error out of io_context::run(): the
// process must stop (systemd restarts it, and the store recovers the queue).
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/server_machine.hpp"
#include "prod/clawd_metrics.hpp"
#include "prod/config.hpp"
#include "prod/driver_support.hpp"
#include "prod/group_commit.hpp"
#include "prod/http_server.hpp"
#include "prod/log_aggregator.hpp"
#include "prod/transport.hpp"
#include "prod/watch_board.hpp"
#include "prod/web_files.hpp"
#include "store/queue_store.hpp"


#include <map>
#include <memory>
#include <optional>
#include <string>

namespace clawnet::prod {

using LogFunction = std::function<void(std::string_view text)>;

class ClawdDriver {
 public:
  // Opens the store and loads the queue. Returns an error naming the problem.
  static std::variant<std::unique_ptr<ClawdDriver>, std::string> open(boost::asio::io_context& io,
                                                                      const Config& config, LogFunction log);
  ~ClawdDriver();

  // Starts the machine with the stored queue, connects, listens for HTTP.
  std::optional<std::string> start();
  void stop();

  const ServerMachine& machine() const { return machine_; }
  std::uint16_t http_port() const { return http_->port(); }
  // What GET /v1/status answers.
  boost::json::object status() const;
  // What GET /metrics reads at scrape time.
  ClawdSnapshot snapshot() const;

 private:
  struct PendingJoin {
    HttpResponder respond;
    std::string channel;
    PlayerAccess access;  // From the transport's admission.
    std::string name;     // The display name; may be empty.
  };

  ClawdDriver(boost::asio::io_context& io, const Config& config, LogFunction log, std::unique_ptr<QueueStore> store,
              StoredQueue stored, std::optional<WebFiles> web_files);
  void add_routes();
  void on_join(const HttpRequest& request, HttpResponder respond);
  HttpResponse join_answer(const JoinReply& reply, const PendingJoin& join) const;
  void on_message(std::string_view channel, std::string_view payload);
  bool on_player_presence(const std::string& channel, PresenceKind kind);
  void admit(PendingJoin join);
  bool knows_player(const std::string& channel) const;
  void carry_out();
  void carry(Effect& effect);

  boost::asio::io_context& io_;
  Config config_;
  LogFunction log_;
  std::unique_ptr<QueueStore> store_;
  GroupCommit commits_;
  StoredQueue stored_;
  ServerMachine machine_;
  DeadlineTimer timer_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<HttpServer> http_;
  ClawdMetrics metrics_;
  std::optional<WebFiles> web_files_;  // With web.dir: the pages and their files.
  WatchBoard watch_;
  LogAggregator rejections_;  // The machine's rejection lines, bounded under a flood.
  DeadlineTimer flush_timer_;
  RequestId request_counter_ = 0;
  std::map<RequestId, PendingJoin> awaiting_reply_;
};

}  // namespace clawnet::prod
