#pragma once
// Helpers every subcommand shares: argument interpretation, deadlines, Ctrl-C.

#include <cstdint>
#include <lsock/address.hpp>
#include <lsock/address_kind.hpp>
#include <lsock/error.hpp>
#include <lsock/poll.hpp>
#include <lsock/resolve.hpp>
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

/// read(2) on a plain descriptor (stdin), retrying EINTR: bytes read, 0 at end of input, -1 on
/// error.
[[nodiscard]] long read_some(int fd, char* buf, std::size_t size);

/// SIGINT / SIGTERM set a flag that the wait loops check, and wake wait_until at once; the
/// work stops cleanly.
void install_stop_handlers();
[[nodiscard]] bool stop_requested() noexcept;
/// The descriptor that turns readable when a stop is requested (none before
/// install_stop_handlers(), or when no descriptor was left for it).
[[nodiscard]] std::span<const int> stop_fds() noexcept;
/// Undoes install_stop_handlers() when a command has returned: default SIGINT / SIGTERM
/// handling, the wake pipe closed, no stop requested (run_lsock may run again in-process).
void remove_stop_handlers() noexcept;
/// Ends the process by the signal that requested the stop, as if no handler had been installed
/// (a shell reports 130 for SIGINT): for commands whose Ctrl-C ends them without output.
[[noreturn]] void end_by_signal();

/// A deadline `seconds` from now (steady clock ns), or 0 for none (seconds <= 0).
[[nodiscard]] std::int64_t deadline_after(double seconds);
[[nodiscard]] bool passed(std::int64_t deadline_ns);

/// Waits for readiness until the deadline (0: none). Once the stop handlers are installed, a
/// SIGINT / SIGTERM ends the wait at once (a self-pipe in the wait); before that it waits in
/// slices of 100 ms. Returns true when something is ready; false when the deadline passed or a
/// stop was requested.
result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns);

/// Looks `host` up on libcore's resolver thread pool and waits for the answer until
/// `deadline_ns` (0: until the resolver gives up) or Ctrl-C — the calling thread never sits in
/// getaddrinfo. Errors: the resolver's; op "resolve" ETIMEDOUT when the deadline passed; op
/// "resolve" EINTR ("interrupted") when a stop was requested (see interrupted()).
result<std::vector<resolved_address>> lookup(const std::string& host, family_preference prefer,
                                             std::int64_t deadline_ns);
/// The addresses to try in turn for a connect or bind to `host`: IP literals and unix addresses
/// as they are (no lookup), a host name's every address in resolver order (lookup()).
result<std::vector<std::string>> addresses_for(const std::string& host, family_preference prefer,
                                               std::int64_t deadline_ns);
/// The error lookup() reports when the deadline passed first (op "resolve", ETIMEDOUT).
[[nodiscard]] lsock::error lookup_timed_out(const std::string& host);
/// True for the error lookup() reports when a stop was requested.
[[nodiscard]] bool interrupted(const lsock::error& e) noexcept;

/// `make(address)` for each of `addrs` in turn until one succeeds; else the last failure.
template <class Make>
auto first_that_works(const std::vector<std::string>& addrs, Make&& make) {
  auto r = make(addrs.front());
  for (std::size_t i = 1; !r && i < addrs.size(); ++i) r = make(addrs[i]);
  return r;
}

/// `s` padded with spaces to `width` columns (a column of aligned text).
[[nodiscard]] std::string pad(std::string s, std::size_t width);

/// "1.234 ms".
[[nodiscard]] std::string ms_text(double ms);
/// "3 s", "0.5 s".
[[nodiscard]] std::string seconds_text(double seconds);

}  // namespace lsock::cli
