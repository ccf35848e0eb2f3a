#include "prod/daemon_setup.hpp"

#include <malloc.h>

#include <cstdlib>
#include <iostream>

namespace clawnet::prod {

std::variant<Config, std::string> load_daemon_config(std::string_view program, int argc, char** argv) {
  const std::string usage = std::string("usage: ") + std::string(program) + " --config PATH";
  if (argc != 3 || std::string_view(argv[1]) != "--config") return usage;
  ConfigResult loaded = load_config_file(argv[2]);
  if (auto* error = std::get_if<ConfigError>(&loaded)) return error->describe();
  Config config = std::get<Config>(std::move(loaded));
  std::optional<std::string> environment_password;
  if (const char* password = std::getenv("CLAWNET_BROKER_PASSWORD")) environment_password = password;
  if (auto error = resolve_secrets(config, std::move(environment_password))) return error->describe();
  if (auto error = validate_config(config, argv[2])) return error->describe();
  return config;
}

void log_line(std::string_view program, std::string_view text) { std::cerr << program << ": " << text << std::endl; }

void keep_heap_slack() { mallopt(M_TOP_PAD, static_cast<int>(heap_slack_bytes)); }

}  // namespace clawnet::prod
