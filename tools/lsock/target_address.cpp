#include "target_address.hpp"

#include "common.hpp"

namespace lsock::cli {

result<std::string> first_address(const std::string& host, family_preference prefer,
                                  std::int64_t deadline_ns) {
  auto list = addresses_for(host, prefer, deadline_ns);
  if (!list) return list.error();
  return list->front();
}

result<std::vector<endpoint>> endpoints_for(const target& to, family_preference prefer,
                                            std::int64_t deadline_ns) {
  if (is_unix_address(to.address) || to.address.find(':') != std::string::npos) {
    return resolve_endpoints("connect", to.address, to.port, socket_type::tcp, prefer);
  }
  if (endpoint ep; parse_ip_literal(to.address, to.port, ep)) return std::vector<endpoint>{ep};
  auto list = lookup(to.address, prefer, deadline_ns);
  if (!list) return std::move(list).error();
  return endpoints_of(*list, to.port);
}

}  // namespace lsock::cli
