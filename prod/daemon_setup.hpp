// Start-up of both daemons: the command line (`--config PATH`), the config file,
// the broker password from the environment or its file, and validation. Every
// failure is one line naming what was wrong.
#pragma once

#include "prod/config.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace clawnet::prod {

// Returns the loaded, secret-resolved and validated config, or the error line.
std::variant<Config, std::string> load_daemon_config(std::string_view program, int argc, char** argv);

// Writes "<program>: <text>" to stderr (journald keeps it).
void log_line(std::string_view program, std::string_view text);

// glibc's allocator keeps up to heap_slack_bytes of freed heap for the next burst
// instead of giving it back at once: under a burst of joins, clawd spent a third of
// its time shrinking the heap and faulting the pages back in (perf, join benchmark).
inline constexpr std::size_t heap_slack_bytes = 16U << 20;
void keep_heap_slack();

}  // namespace clawnet::prod
