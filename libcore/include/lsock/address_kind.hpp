#pragma once
/// What an address string is, judged from its text alone (no lookup): the one rule the lsock
/// CLI applies to every address argument of every command, and the limits that go with it.
///
/// The rule, in order:
///  - empty, or containing a NUL byte: malformed;
///  - contains '/': a unix path; starts with '@': an abstract name; either at most
///    max_unix_path (107) bytes (sun_path holds 108 with the terminating NUL / leading NUL);
///  - contains ':': an IPv6 literal with an optional "%zone" (zone non-empty); "HOST:PORT" and
///    "[v6]:PORT" are malformed, with a hint to give HOST and PORT as two arguments;
///  - every dot-separated part is a number (decimal, or hexadecimal "0x..."), as in the forms
///    inet_aton() accepts ("127.1", "0x7f.1", "0177.0.0.1", "999.1.1.1"): it must be a full
///    dotted quad of decimal numbers 0-255 without leading zeros, else malformed;
///  - else a host name: letters, digits, '-', '_' and '.', at most 253 characters (one trailing
///    dot not counted), no empty label, no label over 63 characters.
///
/// This is the CLI's rule; the Lua module keeps lsocket's (see resolve_endpoints).

#include <cstddef>
#include <string>
#include <string_view>

#include "lsock/address.hpp"

namespace lsock {

enum class address_kind { ipv4, ipv6, unix_path, abstract_name, host_name, malformed };

struct address_class {
  address_kind kind = address_kind::malformed;
  /// ipv6 only: the zone after '%' ("eth0", "2"), "" when there is none.
  std::string zone;
  /// malformed only: why, as a message for people ("malformed IPv4 address '127.1' ...").
  std::string reason;

  [[nodiscard]] bool is_ip() const noexcept {
    return kind == address_kind::ipv4 || kind == address_kind::ipv6;
  }
  [[nodiscard]] bool is_unix() const noexcept {
    return kind == address_kind::unix_path || kind == address_kind::abstract_name;
  }
};

/// Classifies `text` by the rule above. Allocates only for `zone` and `reason`.
[[nodiscard]] address_class classify_address(std::string_view text);

/// IPv4 224.0.0.0/4 or IPv6 ff00::/8; false for any other endpoint.
[[nodiscard]] bool is_multicast(const endpoint& ep) noexcept;
/// The IPv4 limited broadcast address 255.255.255.255.
[[nodiscard]] bool is_limited_broadcast(const endpoint& ep) noexcept;
/// The same for an IP literal as text (an IPv6 zone is allowed); false for anything that is
/// not an IP literal.
[[nodiscard]] bool is_multicast_literal(std::string_view address) noexcept;
[[nodiscard]] bool is_limited_broadcast_literal(std::string_view address) noexcept;

/// An address and port as people write them: "127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:80",
/// "host.test:80"; a unix path or '@name' as it is (it has no port). The text form of
/// endpoint::to_string() for an address that was not resolved.
[[nodiscard]] std::string address_port_text(std::string_view address, int port);

/// Limits of the numbers that come with an address.
inline constexpr int max_port = 65535;
/// IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS take 0..255.
inline constexpr int max_ttl = 255;
/// listen() backlogs above this are clipped by the kernel (somaxconn's ceiling).
inline constexpr int max_backlog = 65535;

}  // namespace lsock
