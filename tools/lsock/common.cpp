#include "common.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <lsock/async_resolve.hpp>
#include <lsock/interfaces.hpp>

#include "output.hpp"

namespace lsock::cli {
namespace {

constexpr const char* no_port_for_unix = "a unix path or @name takes no PORT";

/// The signal that asked to stop (SIGINT, SIGTERM), 0 while none did.
volatile std::sig_atomic_t stop_flag = 0;
/// Self-pipe: the handler writes a byte, so a wait that has the read end wakes at once.
int wake_pipe[2] = {-1, -1};
bool handlers_installed = false;

void on_stop_signal(int sig) {
  stop_flag = sig;
  if (wake_pipe[1] >= 0) {
    const int saved = errno;
    (void)!::write(wake_pipe[1], "", 1);
    errno = saved;
  }
}

}  // namespace

std::string target_text(const target& t) {
  if (is_unix_address(t.address)) return t.address;
  const std::string port = std::to_string(t.port);
  return t.address.find(':') != std::string::npos ? "[" + t.address + "]:" + port
                                                  : t.address + ":" + port;
}

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

address_class check_address(std::string_view address) {
  address_class c = classify_address(address);
  if (c.kind == address_kind::malformed) throw usage_error(c.reason);
  return c;
}

void check_not_group(std::string_view address, std::string_view what) {
  if (is_multicast_literal(address) || is_limited_broadcast_literal(address)) {
    throw usage_error(
        std::string(what) + " takes a unicast address, not the " +
        (is_multicast_literal(address) ? "multicast group '" : "broadcast address '") +
        std::string(address) + "'");
  }
}

long read_some(int fd, char* buf, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd, buf, size);
    if (n >= 0 || errno != EINTR) return static_cast<long>(n);
  }
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

int parse_destination_port(std::string_view text) {
  const int port = parse_port(text);
  if (port == 0) {
    throw usage_error("port 0 is not a destination (expected 1-" + std::to_string(max_port) + ")");
  }
  return port;
}

void check_family(std::string_view address, family_preference prefer) {
  if (prefer == family_preference::any) return;
  const std::string flag = prefer == family_preference::inet ? "-4" : "-6";
  const address_class c = check_address(address);
  const std::string shown(address);
  if (c.is_unix()) {
    throw usage_error(flag + " does not apply to the unix address '" + shown + "'");
  }
  if (prefer == family_preference::inet && c.kind == address_kind::ipv6) {
    throw usage_error("-4 conflicts with the IPv6 address '" + shown + "'");
  }
  if (prefer == family_preference::inet6 && c.kind == address_kind::ipv4) {
    throw usage_error("-6 conflicts with the IPv4 address '" + shown + "'");
  }
}

void check_group(std::string_view address) {
  const address_class c = check_address(address);
  const std::string shown(address);
  if (!c.is_ip()) {
    throw usage_error("expected a multicast group or broadcast address, not '" + shown + "'");
  }
  if (is_multicast_literal(address) || is_limited_broadcast_literal(address)) return;
  if (c.kind == address_kind::ipv6) {
    throw usage_error("'" + shown + "' is not an IPv6 multicast group (ff00::/8)");
  }
  // A subnet's broadcast address ("192.168.1.255") is a broadcast address too.
  if (auto list = lsock::interfaces()) {
    for (const auto& a : *list) {
      if (a.broadcast == address) return;
    }
  }
  throw usage_error("'" + shown +
                    "' is not a multicast group (224.0.0.0/4) or a broadcast address");
}

family_preference family_choice(bool v4, bool v6) {
  if (v4) return family_preference::inet;
  if (v6) return family_preference::inet6;
  return family_preference::any;
}

void install_stop_handlers() {
  // Without the pipe (no descriptor left) waits fall back to 100 ms slices.
  if (wake_pipe[0] < 0 && ::pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
    wake_pipe[0] = wake_pipe[1] = -1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  handlers_installed = true;
}

bool stop_requested() noexcept { return stop_flag != 0; }

std::span<const int> stop_fds() noexcept {
  if (wake_pipe[0] < 0) return {};
  return {wake_pipe, 1};
}

void remove_stop_handlers() noexcept {
  if (!handlers_installed) return;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  handlers_installed = false;
  if (wake_pipe[0] >= 0) {
    (void)::close(wake_pipe[0]);
    (void)::close(wake_pipe[1]);
  }
  wake_pipe[0] = wake_pipe[1] = -1;
  stop_flag = 0;
}

void end_by_signal() {
  const int sig = stop_flag != 0 ? static_cast<int>(stop_flag) : SIGINT;
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  std::_Exit(128 + sig);  // the signal is blocked or ignored: exit as a shell would report it
}

std::int64_t deadline_after(double seconds) {
  if (!(seconds > 0)) return 0;
  return now_ns() + static_cast<std::int64_t>(seconds * 1e9);
}

bool passed(std::int64_t deadline_ns) { return deadline_ns != 0 && now_ns() >= deadline_ns; }

result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns) {
  const bool wakes = wake_pipe[0] >= 0;
  // The wake pipe goes last, so the callers' indices into ready_read() stay theirs; it is
  // readable only after a signal, and then this returns false.
  std::vector<int> reads(read_fds.begin(), read_fds.end());
  if (wakes) reads.push_back(wake_pipe[0]);
  constexpr std::int64_t slice_ms = 100;
  while (!stop_requested()) {
    std::int64_t wait_ms = wakes ? -1 : slice_ms;
    if (deadline_ns != 0) {
      const std::int64_t left_ms = (deadline_ns - now_ns() + 999'999) / 1'000'000;
      if (left_ms <= 0) return false;
      wait_ms = wait_ms < 0 ? left_ms : std::min(wait_ms, left_ms);
    }
    auto r = sel.wait(reads, write_fds, wait_ms);
    if (!r) return r;
    if (*r && !stop_requested()) return true;
  }
  return false;
}

result<std::vector<resolved_address>> lookup(const std::string& host, family_preference prefer,
                                             std::int64_t deadline_ns) {
  install_stop_handlers();
  auto rq = resolve_request::start(host, prefer);
  if (!rq) return std::move(rq).error();
  selector sel;
  const int fd = rq->fd();
  auto ready = wait_until(sel, std::span<const int>(&fd, 1), {}, deadline_ns);
  if (!ready) return std::move(ready).error();
  if (!*ready) {
    // Dropping the request cancels it: a lookup still running ends on its own thread.
    if (stop_requested()) return library_error("resolve", EINTR, "interrupted");
    return lookup_timed_out(host);
  }
  return rq->finalize();
}

result<std::vector<std::string>> addresses_for(const std::string& host, family_preference prefer,
                                               std::int64_t deadline_ns) {
  endpoint literal;
  if (is_unix_address(host) || host.find(':') != std::string::npos ||
      parse_ip_literal(host, 0, literal)) {
    return std::vector<std::string>{host};
  }
  auto list = lookup(host, prefer, deadline_ns);
  if (!list) return std::move(list).error();
  std::vector<std::string> addrs;
  for (const auto& a : *list) addrs.push_back(a.addr);
  return addrs;
}

lsock::error lookup_timed_out(const std::string& host) {
  return library_error("resolve", ETIMEDOUT, "lookup of " + host + " timed out");
}

bool interrupted(const lsock::error& e) noexcept {
  return e.op == "resolve" && e.domain == error_domain::library && e.code == EINTR;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string ms_text(double ms) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3f ms", ms);
  return buf;
}

std::string seconds_text(double seconds) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%g s", seconds);
  return buf;
}

}  // namespace lsock::cli
