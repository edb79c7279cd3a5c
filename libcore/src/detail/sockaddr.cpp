#include "detail/sockaddr.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace lsock::detail {

int af_from_family(lsock::family f) noexcept {
  switch (f) {
    case family::inet:
      return AF_INET;
    case family::inet6:
      return AF_INET6;
    case family::unix_domain:
      return AF_UNIX;
    default:
      return AF_UNSPEC;
  }
}

namespace {

/// a.b.c.d as inet_ntop writes it, without its snprintf: every recvfrom formats its sender.
std::size_t ipv4_text(const in_addr& a, char* out) noexcept {
  char* p = out;
  const auto* b = reinterpret_cast<const unsigned char*>(&a);
  for (int i = 0; i < 4; ++i) {
    const unsigned v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (i < 3) *p++ = '.';
  }
  *p = '\0';
  return static_cast<std::size_t>(p - out);
}

/// inet_ntop's text of an IPv6 address, then "%ifname" (or "%index") when asked and scoped.
std::size_t ipv6_text(const sockaddr_in6& in6, bool with_scope, char* out) noexcept {
  static_assert(INET6_ADDRSTRLEN + 1 + IF_NAMESIZE <= ip_text_capacity);
  if (inet_ntop(AF_INET6, &in6.sin6_addr, out, INET6_ADDRSTRLEN) == nullptr) {
    out[0] = '\0';
    return 0;
  }
  std::size_t n = std::strlen(out);
  if (!with_scope || in6.sin6_scope_id == 0) return n;
  out[n++] = '%';
  char* zone = out + n;
  // IF_NAMESIZE bytes are left: an interface name and its NUL, or the index (at most 10 digits).
  if (if_indextoname(in6.sin6_scope_id, zone) == nullptr) {
    std::snprintf(zone, IF_NAMESIZE, "%u", static_cast<unsigned>(in6.sin6_scope_id));
  }
  return n + std::strlen(zone);
}

}  // namespace

std::size_t ip_text(const sockaddr* sa, bool with_scope,
                    std::span<char, ip_text_capacity> out) noexcept {
  if (sa->sa_family == AF_INET) {
    return ipv4_text(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, out.data());
  }
  if (sa->sa_family == AF_INET6) {
    return ipv6_text(*reinterpret_cast<const sockaddr_in6*>(sa), with_scope, out.data());
  }
  out[0] = '\0';
  return 0;
}

std::string ip_to_string(const sockaddr* sa, bool with_scope) {
  char buf[ip_text_capacity];
  const std::size_t n = ip_text(sa, with_scope, buf);
  return {buf, n};
}

int prefix_length(const sockaddr* mask) noexcept {
  const unsigned char* bytes = nullptr;
  std::size_t n = 0;
  if (mask->sa_family == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    n = 4;
  } else if (mask->sa_family == AF_INET6) {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    n = 16;
  }
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) bits += std::popcount(static_cast<unsigned>(bytes[i]));
  return bits;
}

void endpoint_from(endpoint& ep, const sockaddr* sa, socklen_t len) noexcept {
  const auto n = std::min<std::uint32_t>(len, endpoint_capacity);
  std::memcpy(storage(ep), sa, n);
  set_size(ep, n);
}

}  // namespace lsock::detail
