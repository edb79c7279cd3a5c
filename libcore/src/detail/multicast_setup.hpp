#pragma once
// The multicast part of socket::bind() and socket::connect() for type mcast.

#include "detail/unique_fd.hpp"
#include "lsock/address.hpp"
#include "lsock/result.hpp"
#include "lsock/socket.hpp"

namespace lsock::detail {

/// bind(), type mcast: SO_BROADCAST on IPv4, and a join when `local` is a group, on the
/// interface group_interface() chooses. A group that needs a scope to be bound (IPv6
/// interface- and link-local) gets that interface's index as its scope id.
[[nodiscard]] result<void> setup_mcast_receiver(unique_fd& fd, endpoint& local,
                                                const socket_options& opts);

/// connect(), type mcast: SO_BROADCAST (IPv4), TTL / hop limit, and the sending interface:
/// the named one, or the one the routing table gives the destination. `remote` gets the
/// scope id a scoped IPv6 group needs.
[[nodiscard]] result<void> setup_mcast_sender(unique_fd& fd, endpoint& remote,
                                              const socket_options& opts);

}  // namespace lsock::detail
