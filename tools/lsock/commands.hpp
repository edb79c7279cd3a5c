#pragma once
// The subcommands. Each register_<name> adds its CLI11 subcommand and returns how to run it.

#include <CLI/CLI.hpp>
#include <functional>

#include "output.hpp"

namespace lsock::cli {

struct command {
  CLI::App* app = nullptr;
  /// Runs the parsed command; returns the exit code (0 ok, 1 operational failure).
  /// Throws usage_error for input that parsed but makes no sense (exit 2).
  std::function<int(const output&)> run;
  /// A long-running command (JSON Lines events): its errors are {"event": "error", ...} lines.
  bool streams = false;
};

command register_resolve(CLI::App& app);
command register_ifaces(CLI::App& app);
command register_tcp_listen(CLI::App& app);
command register_tcp_connect(CLI::App& app);
command register_udp_send(CLI::App& app);
command register_udp_listen(CLI::App& app);
command register_mcast_join(CLI::App& app);
command register_mcast_send(CLI::App& app);
command register_tcp_ping(CLI::App& app);
command register_probe(CLI::App& app);
command register_perf(CLI::App& app);
command register_perf_server(CLI::App& app);

}  // namespace lsock::cli
