// clawcab: the cabinet daemon. Usage: clawcab --config PATH (docs/config.md).
#include "prod/clawcab_driver.hpp"
#include "prod/daemon_setup.hpp"
#include "prod/gpio_simulated.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <exception>

int main(int argc, char** argv) {
  using namespace clawnet;
  using namespace clawnet::prod;
  const auto log = [](std::string_view text) { log_line("clawcab", text); };
  auto loaded = load_daemon_config("clawcab", argc, argv);
  if (auto* error = std::get_if<std::string>(&loaded)) {
    log(*error);
    return 2;
  }
  const Config config = std::get<Config>(std::move(loaded));

  boost::asio::io_context io;
  ClawcabDriver* driver = nullptr;
  const SwitchHandler on_switch = [&driver](Switch which, bool pressed) {
    if (driver != nullptr) driver->on_switch(which, pressed);
  };
  std::unique_ptr<Gpio> gpio;
  if (config.gpio.backend == GpioBackend::simulated) {
    gpio = std::make_unique<SimulatedGpio>(io, CabinetConfig{}, config.gpio.sim_seed, on_switch);
  } else {
    GpioResult opened = open_libgpiod_gpio(io, config.gpio, on_switch);
    if (auto* error = std::get_if<GpioError>(&opened)) {
      log(error->message);
      return 2;
    }
    gpio = std::move(std::get<std::unique_ptr<Gpio>>(opened));
  }
  gpio->all_off();

  int exit_code = 0;
  try {
    ClawcabDriver running(io, config, *gpio, log);
    driver = &running;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    drive_off_on_signals(signals, *gpio, [&](int signal) {
      log(signal == SIGINT ? "SIGINT: motors off, stopping" : "SIGTERM: motors off, stopping");
      running.stop();
      io.stop();
    });
    if (auto error = running.start()) {
      log(*error);
      running.stop();
      return 2;
    }
    io.run();
    driver = nullptr;
  } catch (const std::exception& error) {
    log(std::string("fatal: ") + error.what());
    exit_code = 1;
  }
  gpio->all_off();
  return exit_code;
}
