#pragma once
// Conversions between kernel socket addresses and lsock's strings and families.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "lsock/address.hpp"

namespace lsock::detail {

/// The raw storage of an endpoint, for libcore's own system calls only (front ends see
/// addresses as text, families and ports).
struct endpoint_access {
  static const void* storage(const endpoint& ep) noexcept { return ep.storage_.data(); }
  static void* storage(endpoint& ep) noexcept { return ep.storage_.data(); }
  static void set_size(endpoint& ep, std::uint32_t n) noexcept { ep.size_ = n; }
  static constexpr std::uint32_t capacity = sizeof(endpoint::storage_);
};

/// How many bytes an endpoint can hold (at least sizeof(sockaddr_storage)).
inline constexpr std::uint32_t endpoint_capacity = endpoint_access::capacity;
/// The endpoint's bytes, to fill or read as a sockaddr_in / sockaddr_in6 / sockaddr_un.
inline const void* storage(const endpoint& ep) noexcept { return endpoint_access::storage(ep); }
inline void* storage(endpoint& ep) noexcept { return endpoint_access::storage(ep); }
/// Records how many bytes of the storage the address uses (the length a call gave back).
inline void set_size(endpoint& ep, std::uint32_t n) noexcept { endpoint_access::set_size(ep, n); }

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
/// The same text written into `out` (NUL-terminated), without allocating; returns its length.
std::size_t ip_text(const sockaddr* sa, bool with_scope,
                    std::span<char, ip_text_capacity> out) noexcept;
/// Number of leading one bits in a netmask (inet or inet6).
[[nodiscard]] int prefix_length(const sockaddr* mask) noexcept;
/// Fills `ep` from a kernel address of `len` bytes.
void endpoint_from(endpoint& ep, const sockaddr* sa, socklen_t len) noexcept;

inline const sockaddr* as_sockaddr(const endpoint& ep) noexcept {
  return static_cast<const sockaddr*>(storage(ep));
}
inline sockaddr* as_sockaddr(endpoint& ep) noexcept { return static_cast<sockaddr*>(storage(ep)); }

}  // namespace lsock::detail
