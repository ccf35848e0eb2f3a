#include "prod/clawcab_driver.hpp"

#include "core/protocol.hpp"
#include "prod/metrics_support.hpp"
#include "prod/make_transport.hpp"

#include <fmt/format.h>

namespace clawnet::prod {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
}  // namespace

ClawcabDriver::ClawcabDriver(boost::asio::io_context& io, const Config& config, Gpio& gpio, LogFunction log)
    : gpio_(gpio), log_(std::move(log)), machine_(config.claw),
      timer_(io, [this] {
        machine_.handle_timeout(steady_now_ms());
        carry_out();
      }),
      rejections_([this](std::string_view line) { log_(line); }),
      flush_timer_(io, [this] {
        rejections_.flush(steady_now_ms());
        flush_timer_.arm(rejections_.next_flush_ms());
      }) {
  TransportCallbacks callbacks;
  callbacks.on_message = [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); };
  callbacks.on_link = [this](bool up) { on_link(up); };
  callbacks.on_subscribed = [this](std::string_view channel, bool granted) { on_subscribed(channel, granted); };
  callbacks.on_player_presence = [](std::string_view, PresenceKind) { return true; };
  callbacks.on_claw_presence = [](bool) {};
  callbacks.on_error = [this](std::string_view text) { log_(text); };
  transport_ = make_transport(io, config, TransportRole::claw, std::move(callbacks));
  if (config.metrics.port == 0) return;
  HttpConfig http;
  http.address = config.metrics.address;
  http.port = config.metrics.port;
  http.connections_max = 16;  // Scrapers, not players.
  metrics_http_ = std::make_unique<HttpServer>(io, http);
  add_metrics_route(*metrics_http_, metrics_.registry(),
                    [this] { metrics_.refresh(machine_.counters(), transport_->link_up()); });
}

ClawcabDriver::~ClawcabDriver() { stop(); }

std::optional<std::string> ClawcabDriver::start() {
  transport_->subscribe(secure_channel);
  machine_.handle_boot(gpio_.switches(), steady_now_ms());
  carry_out();
  transport_->start();
  if (!metrics_http_) return std::nullopt;
  if (auto error = metrics_http_->start()) return "metrics: " + *error;
  log_(fmt::format("metrics on port {}", metrics_http_->port()));
  return std::nullopt;
}

void ClawcabDriver::stop() {
  timer_.cancel();
  flush_timer_.cancel();
  if (metrics_http_) metrics_http_->stop();
  gpio_.all_off();
  transport_->stop();
}

void ClawcabDriver::on_switch(Switch which, bool pressed) {
  log_(fmt::format("gpio: switch {} {}", to_string(which), pressed ? "pressed" : "released"));
  machine_.handle_switch(which, pressed, steady_now_ms());
  carry_out();
}

void ClawcabDriver::on_message(std::string_view channel, std::string_view payload) {
  message_read_at_ = std::chrono::steady_clock::now();
  if (channel == secure_channel) {
    machine_.handle_secure_message(payload, steady_now_ms());
  } else if (is_player_channel(channel)) {
    machine_.handle_player_message(std::string(channel), payload, steady_now_ms());
  } else {
    message_read_at_.reset();
    return;
  }
  carry_out();
}

void ClawcabDriver::on_link(bool up) {
  log_(up ? "broker link up" : "broker link down");
  machine_.handle_link(up, steady_now_ms());
  carry_out();
}

void ClawcabDriver::on_subscribed(std::string_view channel, bool granted) {
  if (!is_player_channel(channel)) return;
  if (!granted) {
    log_(fmt::format("the broker refused the subscription to {}", channel));
    return;  // The machine gives the turn up after subscribe_ms_max.
  }
  machine_.handle_subscribed(std::string(channel), steady_now_ms());
  carry_out();
}

void ClawcabDriver::carry_out() {
  for (Effect& effect : machine_.take_effects()) {
    std::visit(Overloaded{
                   [this](Publish& e) {
                     const std::string payload = encode(e.message);
                     transport_->publish(e.channel, payload);
                     if (e.channel != secure_channel || !std::holds_alternative<ClawStatusMessage>(e.message)) return;
                     transport_->announce_claw_status(payload);
                   },
                   [this](Subscribe& e) { transport_->subscribe(e.channel); },
                   [this](Unsubscribe& e) { transport_->unsubscribe(e.channel); },
                   [this](SetMotor& e) {
                     const bool applied = gpio_.set_motor(e.motor, e.on);
                     if (message_read_at_.has_value()) {
                       const auto elapsed = std::chrono::steady_clock::now() - *message_read_at_;
                       metrics_.observe_command_to_gpio(
                           std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
                     }
                     log_(fmt::format("gpio: {}{}", describe(Effect{e}), applied ? "" : " refused: end switch pressed"));
                   },
                   [this](Log& e) { log_machine_line(e.text); },
                   // Server-side effects never come from the claw.
                   [this](auto& other) { log_(fmt::format("unexpected effect: {}", describe(Effect{other}))); },
               },
               effect);
  }
  message_read_at_.reset();
  timer_.arm(machine_.next_deadline());
}

void ClawcabDriver::log_machine_line(std::string_view text) {
  rejections_.log_line(text, steady_now_ms());
  flush_timer_.arm(rejections_.next_flush_ms());
}

}  // namespace clawnet::prod
