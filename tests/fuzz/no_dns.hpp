#pragma once
// Fuzzers must never send traffic: names are answered only when numeric (AI_NUMERICHOST), so
// getaddrinfo() never asks a DNS server.
#include "detail/syscalls.hpp"

namespace lsock::fuzz {

inline void forbid_dns() {
  detail::sys().getaddrinfo = [](const char* node, const char* service, const addrinfo* hints,
                                 addrinfo** res) {
    addrinfo h = hints ? *hints : addrinfo{};
    h.ai_flags |= AI_NUMERICHOST;
    return detail::real_syscalls().getaddrinfo(node, service, &h, res);
  };
}

}  // namespace lsock::fuzz
