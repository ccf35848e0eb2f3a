#include "prod/clawd_driver.hpp"

#include "core/protocol.hpp"
#include "prod/admin_api.hpp"
#include "prod/turns_api.hpp"
#include "prod/join_request.hpp"
#include "prod/metrics_support.hpp"
#include "prod/make_transport.hpp"
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
    : io_(io), config_(config), log_(std::move(log)), store_(std::move(store)),
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
      web_files_(std::move(web_files)), rejections_([this](std::string_view line) { log_(line); }),
      flush_timer_(io, [this] {
        rejections_.flush(steady_now_ms());
        flush_timer_.arm(rejections_.next_flush_ms());
      }) {
  TransportCallbacks callbacks;
  callbacks.on_message = [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); };
  callbacks.on_link = [this](bool up) { log_(up ? "broker link up" : "broker link down"); };
  callbacks.on_subscribed = [](std::string_view, bool) {};
  callbacks.on_player_presence = [this](std::string_view channel, PresenceKind kind) {
    return on_player_presence(std::string(channel), kind);
  };
  callbacks.on_claw_presence = [this](bool online) {
    machine_.handle_claw_presence(online, steady_now_ms());
    carry_out();
  };
  callbacks.on_error = [this](std::string_view text) { log_(text); };
  transport_ = make_transport(io, config, TransportRole::server, std::move(callbacks));
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
                          ClientSettings{transport_->client_settings(), config_.server.turn_ms,
                                         config_.server.ready_ms, config_.server.grace_ms});
  if (web_files_.has_value()) add_page_routes(*http_, *web_files_, config_.web, transport_->page_connect_url());
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
  transport_->subscribe(secure_channel);
  machine_.handle_start(std::move(stored_), steady_now_ms());
  carry_out();
  transport_->start();
  if (auto error = http_->start()) return "http: " + *error;
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
  flush_timer_.cancel();
}

void ClawdDriver::on_join(const HttpRequest& request, HttpResponder respond) {
  std::optional<std::string> broker_url = broker_url_for(config_.web, request);
  if (!broker_url.has_value()) return respond(json_error(400, "the Host header is not a host name or address"));
  auto name = parse_join_body(request.body);  // Checked already (check_join_body).
  if (name.index() != 0) return respond(json_error(400, std::get<1>(name)));
  if (!transport_->link_up()) {
    return respond(refusal(no_broker, "the queue server cannot reach the broker; try again soon"));
  }
  if (transport_->admissions_pending() + awaiting_reply_.size() >= pending_joins_max) {
    return respond(refusal("busy", "too many joins in progress; try again soon"));
  }
  const std::string channel = new_player_channel();
  auto join = std::make_shared<PendingJoin>(
      PendingJoin{std::move(respond), channel, {}, std::get<0>(std::move(name))});
  transport_->admit_player(channel, *broker_url, [this, join](AdmitResult result) {
    if (auto* refused = std::get_if<AdmitRefusal>(&result)) return join->respond(refusal(refused->reason, refused->text));
    join->access = std::get<PlayerAccess>(std::move(result));
    admit(std::move(*join));
  });
}

void ClawdDriver::admit(PendingJoin join) {
  const RequestId request = ++request_counter_;
  const std::string channel = join.channel;
  awaiting_reply_.emplace(request, std::move(join));
  machine_.handle_join(request, channel, steady_now_ms());
  carry_out();
}

void ClawdDriver::on_message(std::string_view channel, std::string_view payload) {
  const TimeMs now_ms = steady_now_ms();
  if (channel == secure_channel) {
    machine_.handle_secure_message(payload, now_ms);
  } else if (is_player_channel(channel)) {
    machine_.handle_player_message(std::string(channel), payload, now_ms);  // The ready check's answer.
  } else {
    return;
  }
  carry_out();
}

// Returns whether the player is still the machine's to know of.
bool ClawdDriver::on_player_presence(const std::string& channel, PresenceKind kind) {
  if (!knows_player(channel)) return false;
  machine_.handle_player_presence(channel, kind, steady_now_ms());
  carry_out();
  return true;
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
                       machine_.claw_online(), machine_.counters(), transport_->presence_cleared()};
}

bool ClawdDriver::knows_player(const std::string& channel) const {
  if (machine_.queue().ticket_of(channel).has_value()) return true;
  const std::optional<TurnView> open = machine_.open_turn();
  return open.has_value() && open->channel == channel;
}

void ClawdDriver::carry_out() {
  for (Effect& effect : machine_.take_effects()) commits_.push(std::move(effect));
  timer_.arm(machine_.next_deadline());
}

HttpResponse ClawdDriver::join_answer(const JoinReply& reply, const PendingJoin& join) const {
  return json_response(200, boost::json::object{{"channel", reply.channel},
                                                {"ticket", reply.ticket},
                                                {"position", reply.position},
                                                {"wait_ms", reply.wait_ms},
                                                {"broker", join.access.broker},
                                                {"topics", join.access.topics},
                                                {"turn_ms", config_.server.turn_ms},
                                                {"ready_ms", config_.server.ready_ms},
                                                {"grace_ms", config_.server.grace_ms}});
}

void ClawdDriver::carry(Effect& effect) {
  metrics_.on_effect(effect, steady_now_ms());
  watch_.observe(effect);
  std::visit(Overloaded{
                 [this](Publish& e) { transport_->publish(e.channel, encode(e.message)); },
                 [this](Subscribe& e) { transport_->subscribe(e.channel); },
                 [this](Unsubscribe& e) { transport_->unsubscribe(e.channel); },
                 [this](RevokePlayer& e) { transport_->release_player(e.channel); },
                 [](PersistJoin&) {}, [](PersistDeparture&) {}, [](PersistTurnStart&) {}, [](PersistTurnEnd&) {},
                 [](PersistAdminAction&) {}, [](PersistTurnRecord&) {},
                 [this](JoinReply& e) {
                   const auto it = awaiting_reply_.find(e.request);
                   if (it == awaiting_reply_.end()) return;
                   PendingJoin join = std::move(it->second);
                   awaiting_reply_.erase(it);
                   if (!e.accepted) {
                     transport_->release_player(join.channel);
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
