#pragma once
// sendto's memory of its last IP-literal destination: a datagram loop sends to the same peer
// again and again, and parsing "127.0.0.1" into a sockaddr on every call was a quarter of what
// sendto cost in user space. Names are never remembered: their addresses may change.

#include <netinet/in.h>

#include <array>
#include <cstring>
#include <string_view>

#include "lsock/address.hpp"

namespace lsock::detail {

struct last_destination {
  std::array<char, INET6_ADDRSTRLEN> text{};
  std::size_t length = 0;
  int port = -1;
  endpoint to;  ///< what the literal became for this socket (v4-mapped on an IPv6 socket)

  [[nodiscard]] bool matches(std::string_view address, int p) const noexcept {
    return p == port && address.size() == length &&
           std::memcmp(address.data(), text.data(), length) == 0;
  }

  void remember(std::string_view address, int p, const endpoint& ep) noexcept {
    if (address.size() > text.size()) return;  // no literal is longer
    std::memcpy(text.data(), address.data(), address.size());
    length = address.size();
    port = p;
    to = ep;
  }
};

}  // namespace lsock::detail
