// ClawcabDriver: runs a ClawMachine on Boost.Asio against the broker and a Gpio.
// No claw logic of its own: inputs go to the machine, its effects are carried
// out in order (Publish -> MQTT, Subscribe/Unsubscribe -> MQTT, SetMotor -> Gpio,
// Log -> the log function), and one timer wakes it at next_deadline().
//
// MQTT: client id "clawcab"; retained last will {"status":"CLAW_OFFLINE"} on the
// claw status topic; every ClawStatusMessage the machine publishes on the secure
// channel is mirrored there, retained (docs/deploy.md, "Presence").
// Each input is one machine call; the transport reads one MQTT packet per
// readiness, so the loop stays fair between the broker, switches and timers.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/claw_machine.hpp"
#include "prod/config.hpp"
#include "prod/driver_support.hpp"
#include "prod/gpio.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/topics.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace clawnet::prod {

using LogFunction = std::function<void(std::string_view text)>;

class ClawcabDriver {
 public:
  // REQUIRES: validate_config(config) passed. `gpio` outlives the driver.
  ClawcabDriver(boost::asio::io_context& io, const Config& config, Gpio& gpio, LogFunction log);
  ~ClawcabDriver();

  // Boots the machine with the switches as they are and connects.
  void start();
  // Motors off, clean DISCONNECT (the claw's status stays as last published).
  void stop();
  // Wire the Gpio's switch handler here.
  void on_switch(Switch which, bool pressed);

  const ClawMachine& machine() const { return machine_; }

 private:
  void on_message(std::string_view topic, std::string_view payload);
  void on_link(bool up);
  void on_subscribed(std::string_view filter, bool granted);
  void carry_out();

  Gpio& gpio_;
  LogFunction log_;
  TopicMap topics_;
  ClawMachine machine_;
  DeadlineTimer timer_;
  std::unique_ptr<MqttTransport> transport_;
  std::string status_payload_;  // The last ClawStatusMessage, re-published on reconnect.
};

}  // namespace clawnet::prod
