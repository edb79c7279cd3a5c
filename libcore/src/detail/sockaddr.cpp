#include "detail/sockaddr.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <bit>
#include <cstddef>
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
std::string ipv4_to_string(const in_addr& a) {
  char buf[INET_ADDRSTRLEN];
  char* p = buf;
  const auto* b = reinterpret_cast<const unsigned char*>(&a);
  for (int i = 0; i < 4; ++i) {
    const unsigned v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (i < 3) *p++ = '.';
  }
  return {buf, static_cast<std::size_t>(p - buf)};
}

}  // namespace

std::string ip_to_string(const sockaddr* sa, bool with_scope) {
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {};
  if (sa->sa_family == AF_INET) {
    return ipv4_to_string(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr);
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (!inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf)) return {};
    std::string s = buf;
    char ifname[IF_NAMESIZE] = {};
    if (with_scope && in6->sin6_scope_id != 0) {
      s += '%';
      s += if_indextoname(in6->sin6_scope_id, ifname) ? std::string(ifname)
                                                      : std::to_string(in6->sin6_scope_id);
    }
    return s;
  }
  return {};
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
