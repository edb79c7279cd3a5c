#pragma once
/// Multicast groups: how far they reach and which interface one is used on.

#include <string_view>

#include "lsock/address.hpp"
#include "lsock/error.hpp"
#include "lsock/result.hpp"

namespace lsock {

/// How far a multicast group reaches. IPv6 takes it from the group's scope field
/// (RFC 4291, 7346); IPv4 groups and other families say `wider`.
enum class group_scope {
  interface_local,  ///< IPv6 ff01::/16 (and ff11::, ff31::...): never leaves the host
  link_local,       ///< IPv6 ff02::/16 (and ff12::, ff32::...): one link
  wider,            ///< every other group: the routing table decides
};

[[nodiscard]] group_scope scope_of(const endpoint& group) noexcept;

/// The interface index a group is joined on (bind, type mcast) and sent through (connect):
/// - `iface` when given: a name ("eth0") or one of the interface's addresses; ENODEV if none;
/// - the zone of a scoped IPv6 literal ("ff02::1%eth0");
/// - interface-local IPv6 groups: the loopback interface;
/// - link-local IPv6 groups: the one interface the kernel's routes for the group lead to
///   (with several, or none, the kernel cannot choose: see interface_needed());
/// - any other group: 0, the kernel's own route lookup (a receiver joins there; a sender is
///   pointed at the same route's interface, see socket::connect).
[[nodiscard]] result<unsigned> group_interface(const endpoint& group, std::string_view iface);

/// True for the error group_interface() (and so bind/connect of type mcast) reports when a
/// link-local group needs an interface and none was named: a library error, code EDESTADDRREQ.
/// Front ends treat it as a usage error (the caller must say which interface).
[[nodiscard]] bool interface_needed(const error& e) noexcept;

}  // namespace lsock
