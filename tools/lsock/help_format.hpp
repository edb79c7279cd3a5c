#pragma once
// How lsock's --help looks.

#include <CLI/CLI.hpp>
#include <memory>

namespace lsock::cli {

/// Help without CLI11's "(2x)" markers: positionals read as their names ("[ADDR] PORT").
[[nodiscard]] std::shared_ptr<CLI::Formatter> help_formatter();

}  // namespace lsock::cli
