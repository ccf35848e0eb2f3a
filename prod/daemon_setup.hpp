// Start-up of both daemons: the command line (`--config PATH`), the config file,
// the broker password from the environment or its file, and validation. Every
// failure is one line naming what was wrong.
#pragma once

#include "prod/config.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace clawnet::prod {

// Returns the loaded, secret-resolved and validated config, or the error line.
std::variant<Config, std::string> load_daemon_config(std::string_view program, int argc, char** argv);

// Writes "<program>: <text>" to stderr (journald keeps it).
void log_line(std::string_view program, std::string_view text);

}  // namespace clawnet::prod
