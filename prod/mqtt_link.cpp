#include "prod/mqtt_link.hpp"

#include "core/protocol.hpp"
#include "prod/broker_accounts.hpp"
#include "prod/driver_support.hpp"
#include "prod/os_random.hpp"

#include <fmt/format.h>

#include <chrono>

namespace clawnet::prod {

namespace {

constexpr TimeMs account_answer_ms_max = 10'000;
// A released player keeps its account this long, so {"control":false} and the
// last position still reach it.
constexpr TimeMs account_linger_ms = 5'000;
constexpr std::size_t password_random_bytes = 16;

const AdmitRefusal lost_link{"broker_unreachable", "the broker connection was lost; try again"};

}  // namespace

MqttLink::MqttLink(boost::asio::io_context& io, const BrokerConfig& broker, TransportRole role,
                   TransportCallbacks callbacks)
    : broker_(broker), role_(role), callbacks_(std::move(callbacks)), topics_(broker.topic_prefix), sweep_timer_(io) {
  MqttOptions options = mqtt_options(broker, role == TransportRole::claw ? "clawcab" : "clawd");
  if (role == TransportRole::claw) {
    options.will = MqttWill{topics_.claw_status_topic(), encode(ClawStatusMessage{ClawStatus::offline, 0, {}}), 1, true};
  }
  MqttCallbacks mqtt;
  mqtt.on_message = [this](std::string_view topic, std::string_view payload) { on_message(topic, payload); };
  mqtt.on_link = [this](bool up) { on_link(up); };
  mqtt.on_subscribed = [this](std::string_view filter, bool granted) {
    if (auto channel = topics_.channel_of(filter)) callbacks_.on_subscribed(*channel, granted);
  };
  mqtt.on_error = [this](std::string_view text) { callbacks_.on_error(fmt::format("mqtt: {}", text)); };
  mqtt_ = std::make_unique<MqttTransport>(io, std::move(options), std::move(mqtt));
}

MqttLink::~MqttLink() { stop(); }

void MqttLink::start() {
  if (role_ == TransportRole::server) {
    mqtt_->subscribe(topics_.claw_status_topic(), 1);
    mqtt_->subscribe(topics_.presence_filter(), 1);
    if (broker_.player_accounts) mqtt_->subscribe(control_response_topic(), 1);
    sweep();
  }
  mqtt_->start();
}

void MqttLink::stop() {
  sweep_timer_.cancel();
  refuse_all(AdmitRefusal{"stopping", "the queue server is stopping"});
  mqtt_->stop();
}

bool MqttLink::link_up() const { return mqtt_->link_up(); }

bool MqttLink::publish(std::string_view channel, std::string_view payload) {
  const std::optional<std::string> topic = topics_.topic_of(channel);
  if (!topic.has_value()) {
    callbacks_.on_error(fmt::format("no topic for channel {}", channel));
    return false;
  }
  return mqtt_->publish(*topic, payload, 1, false).has_value();
}

void MqttLink::subscribe(std::string_view channel) {
  if (auto topic = topics_.topic_of(channel)) mqtt_->subscribe(*topic, 1, true);
}

void MqttLink::unsubscribe(std::string_view channel) {
  if (auto topic = topics_.topic_of(channel)) mqtt_->unsubscribe(*topic);
}

void MqttLink::announce_claw_status(std::string_view payload) {
  status_payload_ = payload;
  mqtt_->publish(topics_.claw_status_topic(), status_payload_, 1, true);
}

boost::json::object MqttLink::client_settings() const {
  return {{"transport", "mqtt"},
          {"keepalive_s", broker_.player_keepalive_s},
          {"lobby_topic", *topics_.topic_of(lobby_channel)}};
}

void MqttLink::admit_player(const std::string& channel, const std::string& client_url,
                            std::function<void(AdmitResult)> done) {
  Admission admission{channel, "", client_url, steady_now_ms(), std::move(done)};
  if (!broker_.player_accounts) return admission.done(access_of(admission));
  admission.password = random_hex(password_random_bytes);
  const std::string correlation = fmt::format("join-{}", ++correlation_counter_);
  const PlayerCredentials credentials{channel, admission.password, channel};
  if (!mqtt_->publish(control_topic(), create_player_request(topics_, credentials, correlation), 1, false)) {
    return admission.done(AdmitRefusal{"broker_unreachable", "the queue server cannot reach the broker; try again soon"});
  }
  admissions_.emplace(correlation, std::move(admission));
}

void MqttLink::release_player(const std::string& channel) {
  clear_presence(channel);
  if (broker_.player_accounts) deletions_.emplace(steady_now_ms() + account_linger_ms, channel);
}

void MqttLink::on_message(std::string_view topic, std::string_view payload) {
  if (role_ == TransportRole::server) {
    if (topic == control_response_topic()) return on_account_answer(payload);
    if (topic == topics_.claw_status_topic()) {
      const DecodeResult decoded = decode(payload);
      const auto* message = std::get_if<Message>(&decoded);
      const auto* status = message != nullptr ? std::get_if<ClawStatusMessage>(message) : nullptr;
      if (status == nullptr) return callbacks_.on_error("ignored a malformed claw status");
      return callbacks_.on_claw_presence(status->status != ClawStatus::offline);
    }
    if (auto channel = topics_.presence_channel_of(topic)) return on_presence(*channel, payload);
  }
  if (auto channel = topics_.channel_of(topic)) callbacks_.on_message(*channel, payload);
}

void MqttLink::on_presence(const std::string& channel, std::string_view payload) {
  if (payload.empty()) return;  // A presence cleared (by us).
  std::optional<PresenceKind> kind;
  if (payload == "join") kind = PresenceKind::join;
  if (payload == "leave") kind = PresenceKind::leave;
  if (payload == "timeout") kind = PresenceKind::timeout;
  if (!kind.has_value()) return;
  if (!callbacks_.on_player_presence(channel, *kind)) clear_presence(channel);
}

void MqttLink::on_link(bool up) {
  if (up && role_ == TransportRole::claw && !status_payload_.empty()) {
    mqtt_->publish(topics_.claw_status_topic(), status_payload_, 1, true);
  }
  // Account answers will not come on a lost connection.
  if (!up) refuse_all(lost_link);
  callbacks_.on_link(up);
}

void MqttLink::on_account_answer(std::string_view payload) {
  auto parsed = parse_control_response(payload);
  if (auto* error = std::get_if<std::string>(&parsed)) return callbacks_.on_error(fmt::format("dynsec: {}", *error));
  std::map<std::string, std::optional<std::string>> outcomes;  // correlation -> first error
  for (const ControlAnswer& answer : std::get<std::vector<ControlAnswer>>(parsed)) {
    const std::string correlation = answer.correlation.substr(0, answer.correlation.find(':'));
    auto& outcome = outcomes[correlation];
    if (answer.error.has_value() && !outcome.has_value()) outcome = answer.command + ": " + *answer.error;
  }
  for (auto& [correlation, error] : outcomes) {
    auto it = admissions_.find(correlation);
    if (it == admissions_.end()) continue;  // A deletion's answer, or an admission already given up.
    Admission admission = std::move(it->second);
    admissions_.erase(it);
    if (!error.has_value()) {
      admission.done(access_of(admission));
      continue;
    }
    callbacks_.on_error(fmt::format("dynsec refused the account of {}: {}", admission.channel, *error));
    delete_account(admission.channel);
    admission.done(AdmitRefusal{"broker_refused", "the broker refused the player account; try again"});
  }
}

PlayerAccess MqttLink::access_of(const Admission& admission) const {
  const bool accounts = broker_.player_accounts;
  return PlayerAccess{
      .broker = {{"kind", "mqtt"},
                 {"url", admission.client_url},
                 {"username", accounts ? admission.channel : ""},
                 {"password", admission.password},
                 {"client_id", admission.channel},
                 {"keepalive_s", broker_.player_keepalive_s}},
      .topics = {{"player", *topics_.topic_of(admission.channel)},
                 {"presence", topics_.presence_topic(admission.channel)},
                 {"lobby", *topics_.topic_of(lobby_channel)}},
  };
}

// A retained presence outlives its player in the broker: the player departed (its
// release), or spoke after it did, or departed before a crash of ours (a restart
// reads every retained presence). An empty retained message removes it.
void MqttLink::clear_presence(const std::string& channel) {
  mqtt_->publish(topics_.presence_topic(channel), "", 1, true);
  presence_cleared_ += 1;
}

void MqttLink::delete_account(const std::string& channel) {
  mqtt_->publish(control_topic(), delete_player_request(channel, fmt::format("leave-{}", ++correlation_counter_)), 1,
                 false);
}

void MqttLink::refuse_all(const AdmitRefusal& refusal) {
  auto admissions = std::move(admissions_);
  admissions_.clear();
  for (auto& [correlation, admission] : admissions) admission.done(refusal);
}

void MqttLink::sweep() {
  const TimeMs now_ms = steady_now_ms();
  for (auto it = admissions_.begin(); it != admissions_.end();) {
    if (now_ms - it->second.started_ms < account_answer_ms_max) {
      ++it;
      continue;
    }
    Admission admission = std::move(it->second);
    it = admissions_.erase(it);
    admission.done(AdmitRefusal{"broker_unreachable", "the broker did not answer; try again"});
  }
  while (!deletions_.empty() && deletions_.begin()->first <= now_ms) {
    delete_account(deletions_.begin()->second);
    deletions_.erase(deletions_.begin());
  }
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sweep();
  });
}

}  // namespace clawnet::prod
