#include "lsock/resolve.hpp"

#include <netdb.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>

#include "detail/resolver_error.hpp"
#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"

namespace lsock {

result<std::vector<resolved_address>> resolve(std::string_view name, family_preference prefer) {
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    return detail::resolver_error("resolve", EAI_NONAME);
  }
  if (auto bad = detail::unknown_zone_error("resolve", name)) return std::move(*bad);
  const std::string host(name);
  addrinfo hints{};
  hints.ai_family = prefer == family_preference::inet    ? AF_INET
                    : prefer == family_preference::inet6 ? AF_INET6
                                                         : AF_UNSPEC;
  // One socket type keeps getaddrinfo from listing each address once per protocol.
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = detail::sys().getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return detail::resolver_error("resolve", rc, errno);
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(list, detail::sys().freeaddrinfo);

  std::vector<resolved_address> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    resolved_address r{detail::family_from_af(ai->ai_family),
                       detail::ip_to_string(ai->ai_addr, true)};
    const bool seen = std::any_of(out.begin(), out.end(), [&](const resolved_address& o) {
      return o.family == r.family && o.addr == r.addr;
    });
    if (!seen) out.push_back(std::move(r));
  }
  if (out.empty()) return detail::resolver_error("resolve", EAI_NODATA);
  return out;
}

std::vector<endpoint> endpoints_of(const std::vector<resolved_address>& list, int port) {
  std::vector<endpoint> out;
  out.reserve(list.size());
  for (const resolved_address& r : list) {
    // Numeric, so no lookup: literals parse, scoped ones ("fe80::1%eth0") go to getaddrinfo
    // with AI_NUMERICHOST.
    auto eps = resolve_endpoints("connect", r.addr, port, socket_type::tcp);
    if (eps) out.insert(out.end(), eps->begin(), eps->end());
  }
  return out;
}

}  // namespace lsock
