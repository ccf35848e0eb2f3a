// The libgpiod v1.6 backend of Gpio (prod/gpio.hpp).
#include "prod/gpio.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <gpiod.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace clawnet::prod {

namespace {

int active_low_flag(const GpioLine& line) { return line.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0; }

class LibgpiodGpio final : public Gpio {
 public:
  LibgpiodGpio(boost::asio::io_context& io, const GpioConfig& config, SwitchHandler on_switch)
      : Gpio(io, std::move(on_switch)), io_(io), config_(config) {}

  ~LibgpiodGpio() override {
    for (auto& input : inputs_) {
      if (input.descriptor) {
        boost::system::error_code ignored;
        input.descriptor->cancel(ignored);
        (void)input.descriptor->release();  // libgpiod owns the fd.
      }
    }
    all_off();
    // Released lines keep their last value on most kernels, which all_off made safe.
    if (chip_ != nullptr) gpiod_chip_close(chip_);
  }

  std::optional<std::string> open() {
    chip_ = gpiod_chip_open_lookup(config_.chip.c_str());
    if (chip_ == nullptr) {
      return fmt::format("gpio.chip '{}': cannot open: {}", config_.chip, std::strerror(errno));
    }
    for (int i = 0; i < motor_count; ++i) {
      const GpioLine& line = config_.motors.at(static_cast<std::size_t>(i));
      if (!line.offset.has_value()) continue;
      const std::string key = fmt::format("gpio.motor.{}", motor_key_name(static_cast<Motor>(i)));
      gpiod_line* handle = gpiod_chip_get_line(chip_, *line.offset);
      // Default value 0 (logical off, active-low applied by libgpiod): off from the first instant.
      if (handle == nullptr ||
          gpiod_line_request_output_flags(handle, config_.consumer.c_str(), active_low_flag(line), 0) != 0) {
        return fmt::format("{} = {}: cannot request the line as an output: {}", key, *line.offset, std::strerror(errno));
      }
      outputs_.at(static_cast<std::size_t>(i)) = handle;
    }
    for (int i = 0; i < switch_count; ++i) {
      const GpioLine& line = config_.switches.at(static_cast<std::size_t>(i));
      if (!line.offset.has_value()) continue;
      const std::string key = fmt::format("gpio.switch.{}", switch_key_name(static_cast<Switch>(i)));
      gpiod_line* handle = gpiod_chip_get_line(chip_, *line.offset);
      if (handle == nullptr ||
          gpiod_line_request_both_edges_events_flags(handle, config_.consumer.c_str(), active_low_flag(line)) != 0) {
        return fmt::format("{} = {}: cannot request the line as an input: {}", key, *line.offset, std::strerror(errno));
      }
      Input& input = inputs_.at(static_cast<std::size_t>(i));
      input.line = handle;
      input.which = static_cast<Switch>(i);
      input.debounce = std::make_unique<boost::asio::steady_timer>(io_);
      input.descriptor = std::make_unique<boost::asio::posix::stream_descriptor>(io_, gpiod_line_event_get_fd(handle));
      const int value = gpiod_line_get_value(handle);
      if (value < 0) return fmt::format("{}: cannot read the line: {}", key, std::strerror(errno));
      switch_changed(input.which, value == 1, false);
      wait_for_edge(input);
    }
    return std::nullopt;
  }

 private:
  struct Input {
    gpiod_line* line = nullptr;
    Switch which = Switch::claw_top;
    std::unique_ptr<boost::asio::posix::stream_descriptor> descriptor;
    std::unique_ptr<boost::asio::steady_timer> debounce;
  };

  void write_motor(Motor motor, bool on) override {
    gpiod_line* line = outputs_.at(static_cast<std::size_t>(motor));
    if (line != nullptr) (void)gpiod_line_set_value(line, on ? 1 : 0);
  }

  void wait_for_edge(Input& input) {
    input.descriptor->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                 [this, &input](const boost::system::error_code& ec) {
                                   if (ec) return;
                                   gpiod_line_event event{};
                                   (void)gpiod_line_event_read(input.line, &event);
                                   // Debounce: report the level once it has been still for debounce_ms.
                                   input.debounce->expires_after(std::chrono::milliseconds(config_.debounce_ms));
                                   input.debounce->async_wait([this, &input](const boost::system::error_code& timer_ec) {
                                     if (timer_ec) return;
                                     const int value = gpiod_line_get_value(input.line);
                                     if (value >= 0) switch_changed(input.which, value == 1);
                                   });
                                   wait_for_edge(input);
                                 });
  }

  boost::asio::io_context& io_;
  GpioConfig config_;
  gpiod_chip* chip_ = nullptr;
  std::array<gpiod_line*, motor_count> outputs_{};
  std::array<Input, switch_count> inputs_{};
};

}  // namespace

GpioResult open_libgpiod_gpio(boost::asio::io_context& io, const GpioConfig& config, SwitchHandler on_switch) {
  auto gpio = std::make_unique<LibgpiodGpio>(io, config, std::move(on_switch));
  if (auto error = gpio->open()) return GpioError{std::move(*error)};
  return std::unique_ptr<Gpio>(std::move(gpio));
}

}  // namespace clawnet::prod
