#pragma once
/// Addresses as lsocket takes them: IPv4/IPv6 literals (no DNS), hostnames (getaddrinfo),
/// unix paths (contain '/') and Linux abstract names ('@name', exact length).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lsock/result.hpp"

namespace lsock {

namespace detail {
struct endpoint_access;  // libcore's own system calls reach the raw sockaddr through it
}

enum class family { unspec, inet, inet6, unix_domain };
/// "inet", "inet6", "unix" ("unspec" for unspec).
[[nodiscard]] std::string_view family_name(family f) noexcept;

/// Which family a hostname lookup may return.
enum class family_preference { any, inet, inet6 };

/// What a socket carries; `mcast` is udp set up for broadcast / multicast.
enum class socket_type { tcp, udp, mcast };
/// "tcp", "udp", "mcast".
[[nodiscard]] std::string_view type_name(socket_type t) noexcept;

/// The largest unix path (or abstract name, '@' excluded) the kernel accepts: 107 bytes.
inline constexpr std::size_t max_unix_path = 107;

/// Room for the text of any IP address addr() gives: IPv6 (45 characters), '%' and an
/// interface name (15), and a NUL.
inline constexpr std::size_t ip_text_capacity = 64;

/// A socket address of any family, stored as the kernel sees it (a sockaddr_storage).
class endpoint {
 public:
  endpoint() = default;

  [[nodiscard]] lsock::family family() const noexcept;
  /// Numeric IP ("127.0.0.1", "::1", "fe80::1%eth0"), unix path, "@name" for abstract names,
  /// "" for an unnamed unix socket.
  [[nodiscard]] std::string addr() const;
  /// addr() of an inet / inet6 endpoint, written into `out` (NUL-terminated) without
  /// allocating: what recvfrom's caller formats for every datagram. Returns the length; 0 for
  /// other families.
  std::size_t ip_text(std::span<char, ip_text_capacity> out) const noexcept;
  /// The port; 0 for unix sockets.
  [[nodiscard]] int port() const noexcept;
  /// "127.0.0.1:80", "[::1]:80", "/run/x.sock", "@name".
  [[nodiscard]] std::string to_string() const;

  /// The address's length in bytes as the kernel gives it; 0 for an empty endpoint.
  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }

 private:
  friend struct detail::endpoint_access;
  alignas(8) std::array<std::byte, 128> storage_{};
  std::uint32_t size_ = 0;
};

/// True if lsocket treats `address` as a unix-domain address (contains '/' or starts with '@').
[[nodiscard]] bool is_unix_address(std::string_view address) noexcept;

/// Checks a port number: 0..65535, else a library error (EINVAL, "port out of range").
[[nodiscard]] result<void> check_port(std::string_view op, long long port);

/// Parses an IPv4 or IPv6 literal (no scope, no name lookup) with `port` into `out`.
/// False when `address` is not such a literal (`out` is then left as it was). Allocates nothing.
[[nodiscard]] bool parse_ip_literal(std::string_view address, int port, endpoint& out) noexcept;

/// Turns an address string and port into the endpoints to try, in order.
/// IP literals (including scoped IPv6 "fe80::1%lo") never touch DNS; hostnames go through
/// getaddrinfo() restricted by `prefer`; unix paths and '@abstract' names ignore `port`.
/// Errors: "unix domain path too long" (ENAMETOOLONG), bad port (EINVAL), resolver errors.
[[nodiscard]] result<std::vector<endpoint>> resolve_endpoints(
    std::string_view op, std::string_view address, int port, socket_type type,
    family_preference prefer = family_preference::any);

}  // namespace lsock
