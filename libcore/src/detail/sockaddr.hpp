#pragma once
// Conversions between kernel socket addresses and lsock's strings and families.

#include <sys/socket.h>

#include <string>

#include "lsock/address.hpp"

namespace lsock::detail {

/// Inline: endpoint::family() asks it several times per recvfrom / sendto.
[[nodiscard]] inline lsock::family family_from_af(int af) noexcept {
  switch (af) {
    case AF_INET:
      return family::inet;
    case AF_INET6:
      return family::inet6;
    case AF_UNIX:
      return family::unix_domain;
    default:
      return family::unspec;
  }
}
[[nodiscard]] int af_from_family(lsock::family f) noexcept;
/// Numeric text of an inet/inet6 address ("" for other families); with_scope appends "%ifname"
/// to scoped IPv6 addresses.
[[nodiscard]] std::string ip_to_string(const sockaddr* sa, bool with_scope);
/// Number of leading one bits in a netmask (inet or inet6).
[[nodiscard]] int prefix_length(const sockaddr* mask) noexcept;
/// Fills `ep` from a kernel address of `len` bytes.
void endpoint_from(endpoint& ep, const sockaddr* sa, socklen_t len) noexcept;

inline const sockaddr* as_sockaddr(const endpoint& ep) noexcept {
  return static_cast<const sockaddr*>(ep.data());
}
inline sockaddr* as_sockaddr(endpoint& ep) noexcept { return static_cast<sockaddr*>(ep.data()); }

}  // namespace lsock::detail
