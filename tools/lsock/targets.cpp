#include "targets.hpp"

#include <charconv>
#include <lsock/address_kind.hpp>

#include "address_checks.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

constexpr const char* no_port_for_unix = "a unix path or @name takes no PORT";

}  // namespace

std::string target_text(const target& t) { return address_port_text(t.address, t.port); }

lsock::error with_address(lsock::error err, const target& t) {
  err.message += " (" + target_text(t) + ")";
  return err;
}

int parse_port(std::string_view text) {
  int port = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 0 || port > max_port) {
    throw usage_error("invalid port '" + std::string(text) + "' (expected 0-" +
                      std::to_string(max_port) + ")");
  }
  return port;
}

int parse_destination_port(std::string_view text) {
  const int port = parse_port(text);
  if (port == 0) {
    throw usage_error("port 0 is not a destination (expected 1-" + std::to_string(max_port) + ")");
  }
  return port;
}

target listen_target(const std::vector<std::string>& args, std::string_view default_address) {
  if (args.size() == 1) {
    if (is_unix_address(args[0])) {
      check_address(args[0]);
      return {args[0], 0};
    }
    return {std::string(default_address), parse_port(args[0])};
  }
  if (args.size() == 2) {
    check_address(args[0]);
    if (is_unix_address(args[0])) throw usage_error(no_port_for_unix);
    return {args[0], parse_port(args[1])};
  }
  throw usage_error("expected [ADDR] PORT");
}

target connect_target(const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 2) throw usage_error("expected HOST PORT");
  check_address(args[0]);
  if (is_unix_address(args[0])) {
    if (args.size() == 2) throw usage_error(no_port_for_unix);
    return {args[0], 0};
  }
  if (args.size() != 2) throw usage_error("missing PORT");
  return {args[0], parse_destination_port(args[1])};
}

}  // namespace lsock::cli
