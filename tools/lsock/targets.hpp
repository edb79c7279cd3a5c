#pragma once
// Where a command listens or connects, from its positionals: "[ADDR] PORT", "HOST PORT", or a
// unix path / '@name' without a port.

#include <lsock/error.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lsock::cli {

/// An address and port as the user gave them.
struct target {
  std::string address;
  int port = 0;
};

/// "127.0.0.1:80", "[::1]:80", "/run/x.sock", "@name": a target as people write it.
[[nodiscard]] std::string target_text(const target& t);
/// `err` with the address it concerns appended to its message: "Address already in use
/// (127.0.0.1:8000)". For bind() failures, whose errno alone does not say which address.
[[nodiscard]] lsock::error with_address(lsock::error err, const target& t);

/// A port 0..65535 from its text, else usage_error.
int parse_port(std::string_view text);
/// As parse_port, but 0 is a usage_error too: nothing can be sent to port 0.
int parse_destination_port(std::string_view text);
/// Listener positionals "[ADDR] PORT" (or just ADDR for unix paths / '@names').
target listen_target(const std::vector<std::string>& args, std::string_view default_address);
/// Client positionals "HOST PORT" (or just HOST for unix paths / '@names'); port 0 is no
/// destination.
target connect_target(const std::vector<std::string>& args);

}  // namespace lsock::cli
