#include "lsock/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include "detail/resolver_error.hpp"
#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"

namespace lsock {

std::string_view family_name(family f) noexcept {
  switch (f) {
    case family::inet:
      return "inet";
    case family::inet6:
      return "inet6";
    case family::unix_domain:
      return "unix";
    default:
      return "unspec";
  }
}

std::string_view type_name(socket_type t) noexcept {
  switch (t) {
    case socket_type::tcp:
      return "tcp";
    case socket_type::udp:
      return "udp";
    default:
      return "mcast";
  }
}

family endpoint::family() const noexcept {
  if (size_ < sizeof(sa_family_t)) return family::unspec;
  return detail::family_from_af(detail::as_sockaddr(*this)->sa_family);
}

std::size_t endpoint::ip_text(std::span<char, ip_text_capacity> out) const noexcept {
  if (size_ < sizeof(sa_family_t)) {
    out[0] = '\0';
    return 0;
  }
  return detail::ip_text(detail::as_sockaddr(*this), true, out);
}

std::string endpoint::addr() const {
  const sockaddr* sa = detail::as_sockaddr(*this);
  switch (family()) {
    case family::inet:
    case family::inet6:
      return detail::ip_to_string(sa, true);
    case family::unix_domain: {
      constexpr auto path_offset = offsetof(sockaddr_un, sun_path);
      if (size_ <= path_offset) return {};  // unnamed socket
      const auto* un = reinterpret_cast<const sockaddr_un*>(sa);
      const std::size_t len = size_ - path_offset;
      // Abstract names start with a NUL byte and are exactly len - 1 bytes long.
      if (un->sun_path[0] == '\0') return "@" + std::string(un->sun_path + 1, len - 1);
      return std::string(un->sun_path, strnlen(un->sun_path, len));
    }
    default:
      return {};
  }
}

int endpoint::port() const noexcept {
  const sockaddr* sa = detail::as_sockaddr(*this);
  switch (family()) {
    case family::inet:
      return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
    case family::inet6:
      return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
    default:
      return 0;
  }
}

std::string endpoint::to_string() const {
  switch (family()) {
    case family::inet:
      return addr() + ":" + std::to_string(port());
    case family::inet6:
      return "[" + addr() + "]:" + std::to_string(port());
    default:
      return addr();
  }
}

bool is_unix_address(std::string_view address) noexcept {
  return address.find('/') != std::string_view::npos || address.starts_with('@');
}

result<void> check_port(std::string_view op, long long port) {
  if (port < 0 || port > 65535) {
    return library_error(op, EINVAL, "port " + std::to_string(port) + " out of range (0-65535)");
  }
  return {};
}

namespace {

result<std::vector<endpoint>> unix_endpoint(std::string_view op, std::string_view address) {
  const bool abstract = address.starts_with('@');
  const std::string_view name = abstract ? address.substr(1) : address;
  if (name.size() > max_unix_path)
    return library_error(op, ENAMETOOLONG, "unix domain path too long");
  if (!abstract && name.find('\0') != std::string_view::npos) {
    return library_error(op, EINVAL, "unix domain path contains a NUL byte");
  }
  endpoint ep;
  auto* un = static_cast<sockaddr_un*>(detail::storage(ep));
  un->sun_family = AF_UNIX;
  constexpr auto path_offset = offsetof(sockaddr_un, sun_path);
  if (abstract) {
    // Exact length, no trailing NUL (the original counted one): peers such as socat and systemd
    // use the exact length.
    un->sun_path[0] = '\0';
    std::memcpy(un->sun_path + 1, name.data(), name.size());
    detail::set_size(ep, static_cast<std::uint32_t>(path_offset + 1 + name.size()));
  } else {
    std::memcpy(un->sun_path, name.data(), name.size());
    detail::set_size(ep, static_cast<std::uint32_t>(path_offset + name.size() + 1));
  }
  return std::vector<endpoint>{ep};
}

void set_port(endpoint& ep, int port) noexcept {
  auto* sa = detail::as_sockaddr(ep);
  const auto p = htons(static_cast<std::uint16_t>(port));
  if (sa->sa_family == AF_INET) reinterpret_cast<sockaddr_in*>(sa)->sin_port = p;
  if (sa->sa_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(sa)->sin6_port = p;
}

int af_for(family_preference prefer) noexcept {
  switch (prefer) {
    case family_preference::inet:
      return AF_INET;
    case family_preference::inet6:
      return AF_INET6;
    default:
      return AF_UNSPEC;
  }
}

}  // namespace

namespace {

/// inet_pton(AF_INET)'s grammar, without its copy into a terminated string: exactly four
/// decimal octets 0-255, no leading zeros, nothing else. Every sendto parses its destination.
bool parse_ipv4(std::string_view s, in_addr& out) noexcept {
  unsigned char octets[4] = {};
  int n = 0;
  unsigned cur = 0;
  bool digit = false;  // the current octet has a digit
  for (const char ch : s) {
    const unsigned d = static_cast<unsigned char>(ch) - unsigned{'0'};
    if (d <= 9) {
      if (digit && cur == 0) return false;  // a leading zero
      cur = cur * 10 + d;
      if (cur > 255) return false;
      digit = true;
    } else if (ch == '.' && digit && n < 3) {
      octets[n++] = static_cast<unsigned char>(cur);
      cur = 0;
      digit = false;
    } else {
      return false;
    }
  }
  if (n != 3 || !digit) return false;
  octets[3] = static_cast<unsigned char>(cur);
  std::memcpy(&out, octets, sizeof octets);
  return true;
}

}  // namespace

namespace detail {

std::optional<error> unknown_zone_error(std::string_view op, std::string_view host) {
  const auto percent = host.find('%');
  if (percent == std::string_view::npos) return std::nullopt;
  const std::string_view zone = host.substr(percent + 1);
  if (zone.empty() || zone.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::nullopt;  // getaddrinfo judges these
  }
  if (endpoint ep;
      !parse_ip_literal(host.substr(0, percent), 0, ep) || ep.family() != family::inet6) {
    return std::nullopt;
  }
  if (zone.size() < IF_NAMESIZE && if_nametoindex(std::string(zone).c_str()) != 0) {
    return std::nullopt;
  }
  return library_error(op, ENODEV, "no such interface: " + std::string(zone));
}

}  // namespace detail

bool parse_ip_literal(std::string_view address, int port, endpoint& out) noexcept {
  // Only the bytes a sockaddr_in6 covers are cleared: the size says how many the kernel reads,
  // and sendto parses its destination on every call.
  void* raw = detail::storage(out);
  if (in_addr v4{}; parse_ipv4(address, v4)) {
    std::memset(raw, 0, sizeof(sockaddr_in6));
    auto* in = static_cast<sockaddr_in*>(raw);
    in->sin_family = AF_INET;
    in->sin_addr = v4;
    detail::set_size(out, sizeof(sockaddr_in));
    set_port(out, port);
    return true;
  }
  // inet_pton needs a terminated string; anything longer than this is no literal.
  char text[INET6_ADDRSTRLEN + 1];
  if (address.empty() || address.size() >= sizeof text) return false;
  // inet_pton stops at a NUL: "127.0.0.1\0junk" would parse as 127.0.0.1.
  if (address.find('\0') != std::string_view::npos) return false;
  std::memcpy(text, address.data(), address.size());
  text[address.size()] = '\0';
  in6_addr v6{};
  if (inet_pton(AF_INET6, text, &v6) != 1) return false;
  std::memset(raw, 0, sizeof(sockaddr_in6));
  auto* in6 = static_cast<sockaddr_in6*>(raw);
  in6->sin6_family = AF_INET6;
  in6->sin6_addr = v6;
  detail::set_size(out, sizeof(sockaddr_in6));
  set_port(out, port);
  return true;
}

result<std::vector<endpoint>> resolve_endpoints(std::string_view op, std::string_view address,
                                                int port, socket_type type,
                                                family_preference prefer) {
  if (is_unix_address(address)) return unix_endpoint(op, address);
  if (auto ok = check_port(op, port); !ok) return std::move(ok).error();
  if (address.empty()) return library_error(op, EINVAL, "empty address");
  if (address.find('\0') != std::string_view::npos) {
    return detail::resolver_error(op, EAI_NONAME);
  }
  // Literals first, by parsing rather than by looking at which characters they contain
  // ("cafe" and "deadbeef" are names; the original took them for numeric addresses).
  if (endpoint ep; parse_ip_literal(address, port, ep)) return std::vector<endpoint>{ep};
  const std::string host(address);

  addrinfo hints{};
  hints.ai_family = af_for(prefer);
  hints.ai_socktype = type == socket_type::tcp ? SOCK_STREAM : SOCK_DGRAM;
  // Scoped IPv6 literals ("fe80::1%eth0") are numeric too: never ask DNS for them.
  if (host.find('%') != std::string::npos) {
    if (auto bad = detail::unknown_zone_error(op, host)) return std::move(*bad);
    hints.ai_flags = AI_NUMERICHOST;
  }
  addrinfo* list = nullptr;
  const int rc = detail::sys().getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return detail::resolver_error(op, rc, errno);
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(list, detail::sys().freeaddrinfo);

  std::vector<endpoint> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    // Every entry is visited once, whatever its family (the original looped forever on an entry
    // of another family).
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    endpoint e;
    detail::endpoint_from(e, ai->ai_addr, ai->ai_addrlen);
    set_port(e, port);
    out.push_back(e);
  }
  if (out.empty()) return detail::resolver_error(op, EAI_ADDRFAMILY);
  return out;
}

}  // namespace lsock
