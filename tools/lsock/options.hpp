#pragma once
// Option checks with messages people can act on, and the help layout, shared by the commands.

#include <CLI/CLI.hpp>
#include <memory>

namespace lsock::cli {

/// A whole number in [min, max]: "--count: expected a whole number from 1, got '0'".
[[nodiscard]] CLI::Validator whole_number(long long min, long long max);
/// A finite number of seconds >= 0: "--timeout: expected seconds >= 0, got '-1'".
[[nodiscard]] CLI::Validator seconds();

/// Help without CLI11's "(2x)" markers: positionals read as their names ("[ADDR] PORT").
[[nodiscard]] std::shared_ptr<CLI::Formatter> help_formatter();

}  // namespace lsock::cli
