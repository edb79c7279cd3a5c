#include "bound_socket.hpp"

#include <string>

#include "name_lookup.hpp"
#include "stop_signal.hpp"

namespace lsock::cli {

std::optional<lsock::socket> bind_first_address(socket_type type, const target& where,
                                                const socket_options& so, std::int64_t deadline_ns,
                                                const output& out) {
  auto addrs = addresses_for(where.address, so.prefer, deadline_ns);
  if (!addrs) {
    if (interrupted(addrs.error())) end_by_signal();
    out.failure(addrs.error());
    return std::nullopt;
  }
  auto sock = first_that_works(*addrs, [&](const std::string& addr) {
    return lsock::socket::bind(type, addr, where.port, so);
  });
  if (!sock) {
    out.failure(with_address(sock.error(), where));
    return std::nullopt;
  }
  return std::move(*sock);
}

}  // namespace lsock::cli
