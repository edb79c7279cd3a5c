#pragma once
// The kernel's routing socket (NETLINK_ROUTE): RTM_GETLINK / RTM_GETADDR dumps and the parsers
// for their replies, which turn kernel messages into interface_info / address_info with the
// names `ip addr` uses. The parsers take raw bytes so tests can feed them made-up messages.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "lsock/interfaces.hpp"
#include "lsock/result.hpp"

namespace lsock::detail::netlink {

/// One RTM_NEWLINK message.
struct link_message {
  interface_info info;          ///< everything but the flag names and `addresses`
  unsigned flag_bits = 0;       ///< ifi_flags (IFF_*)
  unsigned link_index = 0;      ///< IFLA_LINK: the link this one sits on (a veth's peer), or 0
  unsigned master_index = 0;    ///< IFLA_MASTER: its bridge or bond, or 0
  bool link_elsewhere = false;  ///< IFLA_LINK_NETNSID: that link is in another namespace
};

/// One RTM_NEWADDR message of family inet or inet6.
struct address_message {
  unsigned index = 0;  ///< ifa_index: the interface the address belongs to
  address_info info;
};

/// A message's type, flags and payload (the bytes after the nlmsghdr).
struct message {
  std::uint16_t type = 0;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;
  std::span<const std::byte> payload;
};

/// What one received datagram of a dump held.
struct chunk {
  bool done = false;         ///< NLMSG_DONE seen: the dump is complete
  bool interrupted = false;  ///< a message carried NLM_F_DUMP_INTR: the tables changed meanwhile
};

/// Walks the messages of one datagram, calling `on` for each reply to `seq` that is neither
/// NLMSG_DONE nor NLMSG_ERROR. Replies to other sequence numbers are skipped. Errors: the
/// NLMSG_ERROR code the kernel sent (op "netlink"), EPROTO for a malformed datagram.
[[nodiscard]] result<chunk> walk(std::span<const std::byte> datagram, std::uint32_t seq,
                                 const std::function<void(const message&)>& on);

/// Parses an RTM_NEWLINK payload; false when it is too short or has no name.
[[nodiscard]] bool parse_link(std::span<const std::byte> payload, link_message& out);
/// Parses an RTM_NEWADDR payload; false when it is too short, has no address, or is of
/// another family than inet/inet6.
[[nodiscard]] bool parse_address(std::span<const std::byte> payload, address_message& out);

/// `ip`'s names for interface flags, in its order ("NO-CARRIER", "LOOPBACK", "BROADCAST",
/// "POINTOPOINT", "MULTICAST", "NOARP", ..., "UP", "LOWER_UP", "DORMANT", "ECHO"); unknown bits
/// as one hex number; "M-DOWN" last when the link this one sits on is down.
[[nodiscard]] std::vector<std::string> link_flag_names(unsigned flags, bool lower_link_down);
/// `ip`'s names for address flags ("secondary"/"temporary", "nodad", "tentative", "dynamic"
/// for an address that is not permanent...); unknown bits as one hex number.
[[nodiscard]] std::vector<std::string> address_flag_names(lsock::family f, std::uint32_t flags);
/// "global", "site", "link", "host", "nowhere", else the number.
[[nodiscard]] std::string scope_name(unsigned scope);
/// "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP", else the number.
[[nodiscard]] std::string operstate_name(unsigned state);
/// `ip`'s link type names for ARPHRD_* ("ether", "loopback", "none", "sit"...), else "[N]".
[[nodiscard]] std::string link_type_name(unsigned type);
/// A link-layer address as `ip` prints it: an IPv4/IPv6 address for IP tunnels, else hex
/// bytes separated by ':'.
[[nodiscard]] std::string link_address_text(unsigned type, std::span<const std::byte> bytes);

/// Sends a dump request of `type` (RTM_GETLINK, RTM_GETADDR) on a fresh NETLINK_ROUTE socket
/// and calls `on` for every reply message, through the syscall seam. The receive loop is
/// bounded by `timeout_ms` and by a count of datagrams. Errors (op "netlink"): the failed
/// call's errno, ETIMEDOUT, EMSGSIZE for a datagram larger than the buffer, EAGAIN when the
/// dump was interrupted by a change (NLM_F_DUMP_INTR), so the caller can start again.
[[nodiscard]] result<void> dump(std::uint16_t type, int timeout_ms,
                                const std::function<void(const message&)>& on);

}  // namespace lsock::detail::netlink
