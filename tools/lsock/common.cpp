#include "common.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>

#include "output.hpp"

namespace lsock::cli {
namespace {

volatile std::sig_atomic_t stop_flag = 0;

void on_stop_signal(int) { stop_flag = 1; }

}  // namespace

int parse_port(std::string_view text) {
  int port = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 0 || port > 65535) {
    throw usage_error("invalid port '" + std::string(text) + "' (expected 0-65535)");
  }
  return port;
}

void check_address(std::string_view address) {
  if (address.empty()) throw usage_error("empty address");
  if (address.find('\0') != std::string_view::npos) {
    throw usage_error("malformed address (contains a NUL byte)");
  }
  if (is_unix_address(address)) {
    const std::size_t len = address.starts_with('@') ? address.size() - 1 : address.size();
    if (len > max_unix_path) throw usage_error("unix domain path too long");
    return;
  }
  const std::string shown(address);
  if (address.find(':') != std::string_view::npos) {
    // Host names never contain ':': this must be an IPv6 literal, maybe with a %scope.
    const std::string_view ip = address.substr(0, address.find('%'));
    endpoint ep;
    if (!parse_ip_literal(ip, 0, ep) || ep.family() != family::inet6 ||
        ip.size() + 1 == address.size()) {
      throw usage_error("malformed IPv6 address '" + shown + "'");
    }
    return;
  }
  const bool name_chars = std::all_of(address.begin(), address.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
  if (!name_chars || address.size() > 253) {
    throw usage_error("malformed address '" + shown + "' (expected an IP address, a host name, " +
                      "a unix path with '/' or an @abstract name)");
  }
}

unix_path_cleanup::unix_path_cleanup(std::string_view address) {
  if (is_unix_address(address) && !address.starts_with('@')) path_ = address;
}

unix_path_cleanup::~unix_path_cleanup() {
  if (!path_.empty()) (void)::unlink(path_.c_str());
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
    return {args[0], is_unix_address(args[0]) ? 0 : parse_port(args[1])};
  }
  throw usage_error("expected [ADDR] PORT");
}

target connect_target(const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 2) throw usage_error("expected HOST PORT");
  check_address(args[0]);
  if (is_unix_address(args[0])) return {args[0], 0};
  if (args.size() != 2) throw usage_error("missing PORT");
  return {args[0], parse_port(args[1])};
}

family_preference family_choice(bool v4, bool v6) {
  if (v4) return family_preference::inet;
  if (v6) return family_preference::inet6;
  return family_preference::any;
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() noexcept { return stop_flag != 0; }

std::int64_t deadline_after(double seconds) {
  if (!(seconds > 0)) return 0;
  return now_ns() + static_cast<std::int64_t>(seconds * 1e9);
}

bool passed(std::int64_t deadline_ns) { return deadline_ns != 0 && now_ns() >= deadline_ns; }

result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns) {
  constexpr std::int64_t slice_ms = 100;
  while (!stop_requested()) {
    std::int64_t wait_ms = slice_ms;
    if (deadline_ns != 0) {
      const std::int64_t left_ms = (deadline_ns - now_ns() + 999'999) / 1'000'000;
      if (left_ms <= 0) return false;
      wait_ms = std::min(wait_ms, left_ms);
    }
    auto r = sel.wait(read_fds, write_fds, wait_ms);
    if (!r || *r) return r;
  }
  return false;
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

}  // namespace lsock::cli
