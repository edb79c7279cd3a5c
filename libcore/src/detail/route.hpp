#pragma once
// Questions to the kernel's routing table (rtnetlink), for choosing a multicast interface the
// way the kernel would.

#include <vector>

#include "lsock/address.hpp"
#include "lsock/result.hpp"

namespace lsock::detail {

/// The interface the kernel routes `dst` out of when the sender names none (RTM_GETROUTE,
/// as `ip route get`). 0 when no route leads there (ENETUNREACH, EHOSTUNREACH...): the
/// caller's own send then reports that. Other failures are errors with op "route".
[[nodiscard]] result<unsigned> route_output_interface(const endpoint& dst);

/// Every interface a route for `dst` leads to, each once: the most specific routes that
/// cover `dst` in the first of the tables local, main and default that has any (the order of
/// the default policy rules). Unreachable, blackhole, prohibit and throw routes lead nowhere.
/// Used where the kernel needs an interface and will not choose one itself (IPv6 link-local
/// groups), so that a single candidate can be taken and several reported.
[[nodiscard]] result<std::vector<unsigned>> route_interfaces(const endpoint& dst);

}  // namespace lsock::detail
