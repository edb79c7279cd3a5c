#pragma once
// Helpers every subcommand shares: argument interpretation, deadlines, Ctrl-C.

#include <cstdint>
#include <lsock/address.hpp>
#include <lsock/address_kind.hpp>
#include <lsock/error.hpp>
#include <lsock/poll.hpp>
#include <lsock/result.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lsock::cli {

/// Bad command-line input found after parsing (bad port, malformed address...): exit 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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
/// -4 / -6.
family_preference family_choice(bool v4, bool v6);
/// usage_error when -4 / -6 contradicts an IP literal ("-6" with 127.0.0.1) or is given with
/// a unix path or @name (which have no IP family).
void check_family(std::string_view address, family_preference prefer);
/// usage_error unless `address` is an IPv4 group (224.0.0.0/4), 255.255.255.255 or a local
/// subnet's broadcast address, or an IPv6 group (ff00::/8, optionally %scoped).
void check_group(std::string_view address);
/// usage_error when `address` is a multicast group or 255.255.255.255: `what` ("TCP") cannot
/// use it.
void check_not_group(std::string_view address, std::string_view what);
/// The address by libcore's one rule (classify_address); usage_error with its reason when it
/// is malformed.
address_class check_address(std::string_view address);

/// Removes a unix socket path this process bound when it goes out of scope (as socat does), so
/// the next run can bind it again. Abstract names and IP addresses are left alone.
class unix_path_cleanup {
 public:
  explicit unix_path_cleanup(std::string_view address);
  ~unix_path_cleanup();
  unix_path_cleanup(const unix_path_cleanup&) = delete;
  unix_path_cleanup& operator=(const unix_path_cleanup&) = delete;

 private:
  std::string path_;
};

/// read(2) on a plain descriptor (stdin), retrying EINTR: bytes read, 0 at end of input, -1 on
/// error.
[[nodiscard]] long read_some(int fd, char* buf, std::size_t size);

/// SIGINT / SIGTERM set a flag that the wait loops check; the work stops cleanly.
void install_stop_handlers();
[[nodiscard]] bool stop_requested() noexcept;

/// A deadline `seconds` from now (steady clock ns), or 0 for none (seconds <= 0).
[[nodiscard]] std::int64_t deadline_after(double seconds);
[[nodiscard]] bool passed(std::int64_t deadline_ns);

/// Waits for readiness in slices of at most 100 ms so Ctrl-C is noticed. Returns true when
/// something is ready; false when the deadline passed or a stop was requested.
result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns);

/// `s` padded with spaces to `width` columns (a column of aligned text).
[[nodiscard]] std::string pad(std::string s, std::size_t width);

/// "1.234 ms".
[[nodiscard]] std::string ms_text(double ms);
/// "3 s", "0.5 s".
[[nodiscard]] std::string seconds_text(double seconds);

}  // namespace lsock::cli
