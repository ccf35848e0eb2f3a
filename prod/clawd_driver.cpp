#include "prod/clawd_driver.hpp"

#include "core/protocol.hpp"
#include "prod/admin_api.hpp"
#include "prod/turns_api.hpp"
#include "prod/broker_accounts.hpp"
#include "prod/join_request.hpp"
#include "prod/metrics_support.hpp"
#include "prod/os_random.hpp"
#include "prod/web_routes.hpp"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

namespace clawnet::prod {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

// Joins waiting for the broker at once; more get 503 (the broker is slow or gone).
constexpr std::size_t pending_joins_max = 1'000;
constexpr TimeMs account_answer_ms_max = 10'000;
// A finished player keeps its account this long, so {"control":false} and the
// last position still reach it.
constexpr TimeMs account_linger_ms = 5'000;
constexpr std::size_t password_random_bytes = 16;

// A refused join: 503 with the reason a page acts on and words a person reads.
HttpResponse refusal(std::string_view reason, std::string_view text) { return json_error(503, text, reason); }

std::string_view reason_of(JoinRefusal refusal) {
  switch (refusal) {
    case JoinRefusal::starting: return "starting";
    case JoinRefusal::queue_full: return "queue_full";
    default: return "refused";
  }
}

constexpr std::string_view no_broker = "broker_unreachable";

}  // namespace

std::variant<std::unique_ptr<ClawdDriver>, std::string> ClawdDriver::open(boost::asio::io_context& io,
                                                                          const Config& config, LogFunction log) {
  auto opened = QueueStore::open(config.store.path);
  if (auto* error = std::get_if<StoreError>(&opened)) return fmt::format("store.path: {}", error->message);
  auto store = std::move(std::get<std::unique_ptr<QueueStore>>(opened));
  store->set_turn_records_kept(config.store.turn_records_kept);
  store->set_history_kept(config.store.history_kept);
  std::optional<WebFiles> web_files;
  if (!config.web.dir.empty()) {
    auto files = WebFiles::load(config.web.dir);
    if (auto* error = std::get_if<std::string>(&files)) return fmt::format("web.dir: {}", *error);
    web_files = std::get<WebFiles>(std::move(files));
  }
  auto loaded = store->load();
  if (auto* error = std::get_if<StoreError>(&loaded)) return fmt::format("store.path: {}", error->message);
  return std::unique_ptr<ClawdDriver>(new ClawdDriver(io, config, std::move(log), std::move(store),
                                                      std::move(std::get<StoredQueue>(loaded)), std::move(web_files)));
}

ClawdDriver::ClawdDriver(boost::asio::io_context& io, const Config& config, LogFunction log,
                         std::unique_ptr<QueueStore> store, StoredQueue stored, std::optional<WebFiles> web_files)
    : io_(io), config_(config), log_(std::move(log)), topics_(config.broker.topic_prefix), store_(std::move(store)),
      commits_(io, *store_, config.store.commit_writes_max, std::chrono::microseconds(config.store.commit_wait_us),
               GroupCommit::Callbacks{
                   .carry = [this](Effect& effect) { carry(effect); },
                   .committed = [this](std::size_t writes,
                                       std::chrono::microseconds took) { metrics_.observe_store_commit(writes, took); },
                   // The process must stop (systemd restarts it, and the store recovers the queue).
                   .on_failure = [](const StoreError& error) { throw std::runtime_error("store: " + error.message); },
               }),
      stored_(std::move(stored)), machine_(config.server),
      timer_(io, [this] {
        machine_.handle_timeout(steady_now_ms());
        carry_out();
      }),
      sweep_timer_(io), web_files_(std::move(web_files)), rejections_([this](std::string_view line) { log_(line); }),
      flush_timer_(io, [this] {
        rejections_.flush(steady_now_ms());
        flush_timer_.arm(rejections_.next_flush_ms());
      }) {
  MqttCallbacks callbacks;
  callbacks.on_message = [this](std::string_view topic, std::string_view payload) { on_message(topic, payload); };
  callbacks.on_link = [this](bool up) { on_link(up); };
  callbacks.on_error = [this](std::string_view text) { log_(fmt::format("mqtt: {}", text)); };
  transport_ = std::make_unique<MqttTransport>(io, mqtt_options(config.broker, "clawd"), std::move(callbacks));
  http_ = std::make_unique<HttpServer>(io, config.http);
  add_routes();
}

void ClawdDriver::add_routes() {
  RouteOptions join_options;
  join_options.check_body = check_join_body;
  join_options.rate_limited = true;
  http_->route(
      Method::post, "/v1/join",
      [this](const HttpRequest& request, HttpResponder respond) { on_join(request, std::move(respond)); },
      std::move(join_options));
  http_->route(Method::get, "/v1/status",
               [this](const HttpRequest&, HttpResponder respond) { respond(json_response(200, status())); });
  http_->route(Method::get, "/v1/watch", [this](const HttpRequest&, HttpResponder respond) {
    HttpResponse answer = json_response(200, watch_.view(machine_, steady_now_ms()));
    // Public and the same for everyone: a reverse proxy may serve it to many spectators.
    answer.headers.emplace_back("Cache-Control", "public, max-age=1");
    respond(std::move(answer));
  });
  add_client_config_route(*http_, config_.web,
                          ClientSettings{*topics_.topic_of(lobby_channel), config_.broker.player_keepalive_s,
                                         config_.server.turn_ms, config_.server.ready_ms, config_.server.grace_ms});
  if (web_files_.has_value()) add_page_routes(*http_, *web_files_, config_.web);
  add_metrics_route(*http_, metrics_.registry(), [this] { metrics_.refresh(snapshot()); });
  if (config_.http.admin_token.empty()) return;
  AdminHandlers admin;
  admin.act = [this](AdminRequest request, std::string_view client) {
    log_(fmt::format("admin {} requested from {}", to_string(request.action), client));
    AdminAnswer answer = machine_.handle_admin(request, steady_now_ms());
    carry_out();
    commits_.flush();  // Recorded in the store before the operator hears the answer.
    return answer;
  };
  admin.queue = [this](std::size_t limit) { return admin_queue_view(machine_, limit); };
  add_admin_routes(*http_, config_.http.admin_token, std::move(admin));
  add_turn_routes(*http_, config_.http.admin_token, *store_);
}

ClawdDriver::~ClawdDriver() { stop(); }

std::optional<std::string> ClawdDriver::start() {
  // no_local: our own messages on the secure channel are not for us.
  transport_->subscribe(*topics_.topic_of(secure_channel), 1, true);
  transport_->subscribe(topics_.claw_status_topic(), 1);
  transport_->subscribe(topics_.presence_filter(), 1);
  if (config_.broker.player_accounts) transport_->subscribe(control_response_topic(), 1);
  machine_.handle_start(std::move(stored_), steady_now_ms());
  carry_out();
  transport_->start();
  if (auto error = http_->start()) return "http: " + *error;
  sweep();
  return std::nullopt;
}

void ClawdDriver::stop() {
  try {
    commits_.flush();
  } catch (const std::runtime_error& error) {
    log_(error.what());  // Stopping anyway; the store kept none of the group.
  }
  http_->stop();
  transport_->stop();
  timer_.cancel();
  sweep_timer_.cancel();
  flush_timer_.cancel();
  for (auto& [correlation, join] : awaiting_account_) join.respond(refusal("stopping", "the queue server is stopping"));
  awaiting_account_.clear();
}

void ClawdDriver::on_join(const HttpRequest& request, HttpResponder respond) {
  std::optional<std::string> broker_url = broker_url_for(config_.web, request);
  if (!broker_url.has_value()) return respond(json_error(400, "the Host header is not a host name or address"));
  auto name = parse_join_body(request.body);  // Checked already (check_join_body).
  if (name.index() != 0) return respond(json_error(400, std::get<1>(name)));
  if (!transport_->link_up()) {
    return respond(refusal(no_broker, "the queue server cannot reach the broker; try again soon"));
  }
  if (awaiting_account_.size() + awaiting_reply_.size() >= pending_joins_max) {
    return respond(refusal("busy", "too many joins in progress; try again soon"));
  }
  PendingJoin join{std::move(respond), new_player_channel(), "", steady_now_ms(), std::get<0>(std::move(name)),
                   std::move(*broker_url)};
  if (!config_.broker.player_accounts) return admit(std::move(join));
  join.password = random_hex(password_random_bytes);
  const std::string correlation = fmt::format("join-{}", ++correlation_counter_);
  const PlayerCredentials credentials{join.channel, join.password, join.channel};
  if (!transport_->publish(control_topic(), create_player_request(topics_, credentials, correlation), 1, false)) {
    return join.respond(refusal(no_broker, "the queue server cannot reach the broker; try again soon"));
  }
  awaiting_account_.emplace(correlation, std::move(join));
}

void ClawdDriver::on_account_answer(std::string_view payload) {
  auto parsed = parse_control_response(payload);
  if (auto* error = std::get_if<std::string>(&parsed)) return log_(fmt::format("dynsec: {}", *error));
  std::map<std::string, std::optional<std::string>> outcomes;  // correlation -> first error
  for (const ControlAnswer& answer : std::get<std::vector<ControlAnswer>>(parsed)) {
    const std::string correlation = answer.correlation.substr(0, answer.correlation.find(':'));
    auto& outcome = outcomes[correlation];
    if (answer.error.has_value() && !outcome.has_value()) outcome = answer.command + ": " + *answer.error;
  }
  for (auto& [correlation, error] : outcomes) {
    auto it = awaiting_account_.find(correlation);
    if (it == awaiting_account_.end()) continue;  // A deletion's answer, or a join already given up.
    PendingJoin join = std::move(it->second);
    awaiting_account_.erase(it);
    if (error.has_value()) {
      log_(fmt::format("dynsec refused the account of {}: {}", join.channel, *error));
      delete_account(join.channel);
      join.respond(refusal("broker_refused", "the broker refused the player account; try again"));
      continue;
    }
    admit(std::move(join));
  }
}

void ClawdDriver::admit(PendingJoin join) {
  const RequestId request = ++request_counter_;
  const std::string channel = join.channel;
  awaiting_reply_.emplace(request, std::move(join));
  machine_.handle_join(request, channel, steady_now_ms());
  carry_out();
}

void ClawdDriver::delete_account(const std::string& channel) {
  if (!config_.broker.player_accounts) return;
  transport_->publish(control_topic(), delete_player_request(channel, fmt::format("leave-{}", ++correlation_counter_)), 1,
                      false);
}

void ClawdDriver::on_message(std::string_view topic, std::string_view payload) {
  const TimeMs now_ms = steady_now_ms();
  if (topic == control_response_topic()) return on_account_answer(payload);
  if (topic == topics_.claw_status_topic()) {
    const DecodeResult decoded = decode(payload);
    const auto* message = std::get_if<Message>(&decoded);
    const auto* status = message != nullptr ? std::get_if<ClawStatusMessage>(message) : nullptr;
    if (status == nullptr) return log_("ignored a malformed claw status");
    machine_.handle_claw_presence(status->status != ClawStatus::offline, now_ms);
  } else if (auto channel = topics_.presence_channel_of(topic)) {
    if (payload.empty()) return;  // A presence cleared (by us).
    if (!knows_player(*channel)) return clear_presence(*channel);
    if (payload == "join") machine_.handle_player_presence(*channel, PresenceKind::join, now_ms);
    else if (payload == "leave") machine_.handle_player_presence(*channel, PresenceKind::leave, now_ms);
    else if (payload == "timeout") machine_.handle_player_presence(*channel, PresenceKind::timeout, now_ms);
    else return;
  } else if (const std::optional<std::string> named = topics_.channel_of(topic)) {
    if (*named == secure_channel) {
      machine_.handle_secure_message(payload, now_ms);
    } else if (is_player_channel(*named)) {
      machine_.handle_player_message(*named, payload, now_ms);  // The ready check's answer.
    } else {
      return;
    }
  } else {
    return;
  }
  carry_out();
}

void ClawdDriver::on_link(bool up) {
  log_(up ? "broker link up" : "broker link down");
  if (up) return;
  // Account answers will not come on this connection.
  for (auto& [correlation, join] : awaiting_account_) {
    join.respond(refusal(no_broker, "the broker connection was lost; try again"));
  }
  awaiting_account_.clear();
}

void ClawdDriver::sweep() {
  const TimeMs now_ms = steady_now_ms();
  for (auto it = awaiting_account_.begin(); it != awaiting_account_.end();) {
    if (now_ms - it->second.started_ms < account_answer_ms_max) {
      ++it;
      continue;
    }
    it->second.respond(refusal(no_broker, "the broker did not answer; try again"));
    it = awaiting_account_.erase(it);
  }
  while (!account_deletions_.empty() && account_deletions_.begin()->first <= now_ms) {
    delete_account(account_deletions_.begin()->second);
    account_deletions_.erase(account_deletions_.begin());
  }
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sweep();
  });
}

boost::json::object ClawdDriver::status() const {
  const auto turn = machine_.open_turn();
  const ServerCounters& counters = machine_.counters();
  return boost::json::object{
      {"state", machine_.state_name()},
      {"claw_online", machine_.claw_online()},
      {"broker_link", transport_->link_up()},
      {"queue_length", machine_.queue().size()},
      {"players_present", machine_.queue().present_count()},
      {"turn", turn.has_value() ? turn->turn : 0},
      {"joins_accepted", counters.joins_accepted},
      {"joins_refused", counters.joins_refused},
      {"turns_completed", counters.turns_completed},
  };
}

ClawdSnapshot ClawdDriver::snapshot() const {
  return ClawdSnapshot{machine_.queue().size(), machine_.queue().present_count(), transport_->link_up(),
                       machine_.claw_online(), machine_.counters(), presence_cleared_};
}

bool ClawdDriver::knows_player(const std::string& channel) const {
  if (machine_.queue().ticket_of(channel).has_value()) return true;
  const std::optional<TurnView> open = machine_.open_turn();
  return open.has_value() && open->channel == channel;
}

// A retained presence outlives its player in the broker: the player departed (its
// RevokePlayer), or spoke after it did, or departed before a crash of ours (a
// restart reads every retained presence). An empty retained message removes it.
void ClawdDriver::clear_presence(const std::string& channel) {
  transport_->publish(topics_.presence_topic(channel), "", 1, true);
  presence_cleared_ += 1;
}

void ClawdDriver::carry_out() {
  for (Effect& effect : machine_.take_effects()) commits_.push(std::move(effect));
  timer_.arm(machine_.next_deadline());
}

HttpResponse ClawdDriver::join_answer(const JoinReply& reply, const PendingJoin& join) const {
  const bool accounts = config_.broker.player_accounts;
  const boost::json::object broker{{"url", join.broker_url},
                                   {"username", accounts ? reply.channel : ""},
                                   {"password", accounts ? join.password : ""},
                                   {"client_id", reply.channel},
                                   {"keepalive_s", config_.broker.player_keepalive_s}};
  const boost::json::object topics{{"player", *topics_.topic_of(reply.channel)},
                                   {"presence", topics_.presence_topic(reply.channel)},
                                   {"lobby", *topics_.topic_of(lobby_channel)}};
  return json_response(200, boost::json::object{{"channel", reply.channel},
                                                {"ticket", reply.ticket},
                                                {"position", reply.position},
                                                {"wait_ms", reply.wait_ms},
                                                {"broker", broker},
                                                {"topics", topics},
                                                {"turn_ms", config_.server.turn_ms},
                                                {"ready_ms", config_.server.ready_ms},
                                                {"grace_ms", config_.server.grace_ms}});
}

void ClawdDriver::carry(Effect& effect) {
  metrics_.on_effect(effect, steady_now_ms());
  watch_.observe(effect);
  std::visit(Overloaded{
                 [this](Publish& e) {
                   const std::optional<std::string> topic = topics_.topic_of(e.channel);
                   if (!topic.has_value()) return log_(fmt::format("no topic for channel {}", e.channel));
                   transport_->publish(*topic, encode(e.message), 1, false);
                 },
                 [this](Subscribe& e) {
                   // no_local: what we publish there (control, positions) is not input for us.
                   if (auto topic = topics_.topic_of(e.channel)) transport_->subscribe(*topic, 1, true);
                 },
                 [this](Unsubscribe& e) {
                   if (auto topic = topics_.topic_of(e.channel)) transport_->unsubscribe(*topic);
                 },
                 [this](RevokePlayer& e) {
                   clear_presence(e.channel);
                   if (!config_.broker.player_accounts) return;
                   account_deletions_.emplace(steady_now_ms() + account_linger_ms, std::move(e.channel));
                 },
                 [](PersistJoin&) {}, [](PersistDeparture&) {}, [](PersistTurnStart&) {}, [](PersistTurnEnd&) {},
                 [](PersistAdminAction&) {}, [](PersistTurnRecord&) {},
                 [this](JoinReply& e) {
                   const auto it = awaiting_reply_.find(e.request);
                   if (it == awaiting_reply_.end()) return;
                   PendingJoin join = std::move(it->second);
                   awaiting_reply_.erase(it);
                   if (!e.accepted) {
                     delete_account(join.channel);
                     return join.respond(refusal(reason_of(e.reason), e.refusal));
                   }
                   watch_.named(e.ticket, join.name);
                   join.respond(join_answer(e, join));
                 },
                 [this](Log& e) {
                   rejections_.log_line(e.text, steady_now_ms());
                   flush_timer_.arm(rejections_.next_flush_ms());
                 },
                 [this](SetMotor& e) { log_(fmt::format("unexpected effect: {}", describe(Effect{e}))); },
             },
             effect);
}

}  // namespace clawnet::prod
