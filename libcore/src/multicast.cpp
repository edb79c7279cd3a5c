#include "lsock/multicast.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <string>
#include <vector>

#include "detail/interface_lookup.hpp"
#include "detail/multicast_setup.hpp"
#include "detail/route.hpp"
#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"
#include "lsock/address_kind.hpp"
#include "lsock/interfaces.hpp"

namespace lsock {
namespace {

using detail::sys;

const sockaddr_in6* as_in6(const endpoint& ep) noexcept {
  return static_cast<const sockaddr_in6*>(detail::storage(ep));
}

result<unsigned> loopback_index() {
  auto all = detail::links();
  if (!all) return std::move(all).error();
  for (const auto& l : *all) {
    if (l.flags.loopback) return l.index;
  }
  return library_error("interface", ENODEV, "no loopback interface");
}

std::string index_name(unsigned index) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(index, name) != nullptr) return name;
  return "#" + std::to_string(index);
}

/// A link-local group: the kernel's routes must lead to exactly one interface.
result<unsigned> link_local_interface(const endpoint& group) {
  auto candidates = detail::route_interfaces(group);
  if (!candidates) return std::move(candidates).error();
  if (candidates->size() == 1) return candidates->front();
  std::string msg = "link-local group " + detail::ip_to_string(detail::as_sockaddr(group), false) +
                    " needs an interface: ";
  if (candidates->empty()) {
    msg += "no route leads to it";
  } else {
    msg += "the routes lead to ";
    for (std::size_t i = 0; i < candidates->size(); ++i) {
      msg += (i == 0 ? "" : ", ") + index_name((*candidates)[i]);
    }
  }
  return library_error("interface", EDESTADDRREQ, msg);
}

result<void> set_int_option(detail::unique_fd& fd, int level, int name, int value) {
  if (sys().setsockopt(fd.get(), level, name, &value, sizeof value) < 0) {
    return system_error("setsockopt", errno);
  }
  return {};
}

/// Interface- and link-local IPv6 groups are bound and connected with a scope id.
void set_scope(endpoint& ep, unsigned index) noexcept {
  if (ep.family() != family::inet6 || !is_multicast(ep) || scope_of(ep) == group_scope::wider)
    return;
  static_cast<sockaddr_in6*>(detail::storage(ep))->sin6_scope_id = index;
}

result<void> join(detail::unique_fd& fd, const endpoint& group, unsigned index) {
  int rc = 0;
  if (group.family() == family::inet) {
    ip_mreqn req{};
    req.imr_multiaddr = static_cast<const sockaddr_in*>(detail::storage(group))->sin_addr;
    req.imr_ifindex = static_cast<int>(index);
    rc = sys().setsockopt(fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &req, sizeof req);
  } else {
    ipv6_mreq req{};
    req.ipv6mr_multiaddr = as_in6(group)->sin6_addr;
    req.ipv6mr_interface = index;
    rc = sys().setsockopt(fd.get(), IPPROTO_IPV6, IPV6_JOIN_GROUP, &req, sizeof req);
  }
  if (rc < 0) return system_error("join", errno);
  return {};
}

/// The IPv4 sending interface. A connected socket has a fixed source address, and for a
/// group or the limited broadcast address without an interface the kernel then sends out of
/// that address's interface instead of the route's: so the route's interface is set here.
result<void> set_ipv4_sending_interface(detail::unique_fd& fd, const endpoint& remote,
                                        unsigned index) {
  if (index == 0 && (is_multicast(remote) || is_limited_broadcast(remote))) {
    auto routed = detail::route_output_interface(remote);
    if (!routed) return std::move(routed).error();
    index = *routed;
  }
  if (index == 0) return {};
  if (is_multicast(remote)) {
    ip_mreqn req{};
    req.imr_ifindex = static_cast<int>(index);
    if (sys().setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &req, sizeof req) < 0) {
      return system_error("setsockopt", errno);
    }
    return {};
  }
  // Broadcast (and unicast) datagrams ignore IP_MULTICAST_IF; IP_UNICAST_IF takes the index
  // in network byte order.
  return set_int_option(fd, IPPROTO_IP, IP_UNICAST_IF, static_cast<int>(htonl(index)));
}

}  // namespace

group_scope scope_of(const endpoint& group) noexcept {
  if (!is_multicast(group) || group.family() != family::inet6) return group_scope::wider;
  switch (as_in6(group)->sin6_addr.s6_addr[1] & 0x0f) {
    case 1:
      return group_scope::interface_local;
    case 2:
      return group_scope::link_local;
    default:
      return group_scope::wider;
  }
}

result<unsigned> group_interface(const endpoint& group, std::string_view iface) {
  if (!iface.empty()) return detail::interface_index(iface);
  if (group.family() != family::inet6 || !is_multicast(group)) return 0U;
  if (const unsigned zone = as_in6(group)->sin6_scope_id; zone != 0) return zone;
  switch (scope_of(group)) {
    case group_scope::interface_local:
      return loopback_index();
    case group_scope::link_local:
      return link_local_interface(group);
    case group_scope::wider:
      break;
  }
  return 0U;
}

bool interface_needed(const error& e) noexcept {
  return e.domain == error_domain::library && e.code == EDESTADDRREQ;
}

namespace detail {

result<void> setup_mcast_receiver(unique_fd& fd, endpoint& local, const socket_options& opts) {
  auto index = group_interface(local, opts.iface);
  if (!index) return std::move(index).error();
  if (local.family() == family::inet) {
    if (auto ok = set_int_option(fd, SOL_SOCKET, SO_BROADCAST, 1); !ok) return ok;
  }
  // Binding to a wildcard or unicast address just receives; a group address is joined.
  if (!is_multicast(local)) return {};
  if (auto ok = join(fd, local, *index); !ok) return ok;
  set_scope(local, *index);
  return {};
}

result<void> setup_mcast_sender(unique_fd& fd, endpoint& remote, const socket_options& opts) {
  auto index = group_interface(remote, opts.iface);
  if (!index) return std::move(index).error();
  if (remote.family() == family::inet) {
    if (auto ok = set_int_option(fd, SOL_SOCKET, SO_BROADCAST, 1); !ok) return ok;
    if (auto ok = set_int_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, opts.ttl); !ok) return ok;
    return set_ipv4_sending_interface(fd, remote, *index);
  }
  if (auto ok = set_int_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, opts.ttl); !ok) return ok;
  set_scope(remote, *index);
  if (*index == 0) return {};
  return set_int_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, static_cast<int>(*index));
}

}  // namespace detail
}  // namespace lsock
