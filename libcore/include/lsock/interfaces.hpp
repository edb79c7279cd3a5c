#pragma once
/// Interface listing: one record per interface address (getifaddrs()), and the full table of
/// interfaces with their addresses as `ip addr` shows it (netlink).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lsock/address.hpp"
#include "lsock/result.hpp"

namespace lsock {

struct interface_flags {
  bool up = false;
  bool running = false;
  bool loopback = false;
  bool broadcast = false;
  bool multicast = false;
};

/// One IPv4 or IPv6 address of an interface. Interfaces without an address are not listed.
struct interface_address {
  std::string name;    ///< "lo", "eth0"
  unsigned index = 0;  ///< if_nametoindex()
  interface_flags flags;
  lsock::family family = family::unspec;  ///< inet or inet6
  std::string addr;                       ///< "127.0.0.1", "fe80::1%eth0" is reported as "fe80::1"
  std::string mask;                       ///< "255.0.0.0", "ffff:ffff:ffff:ffff::"
  int prefixlen = 0;                      ///< 8 for 255.0.0.0
  std::string broadcast;  ///< IPv4 broadcast address when the interface has one, else ""
};

/// Every IPv4/IPv6 address of every interface, in getifaddrs() order.
[[nodiscard]] result<std::vector<interface_address>> interfaces();

/// True for an IPv4 broadcast address given as a literal: 255.255.255.255, or the broadcast
/// address of a local subnet (the `broadcast` of one of interfaces(), "192.168.1.255").
/// False for anything else, and for a subnet's address when the interfaces cannot be listed.
[[nodiscard]] bool is_broadcast_address(std::string_view address);

/// One IPv4 or IPv6 address of an interface, with what `ip addr` shows for it.
struct address_info {
  lsock::family family = family::unspec;  ///< inet or inet6
  std::string addr;       ///< the local address without a zone: "10.0.0.1", "fe80::1"
  int prefixlen = 0;      ///< 24
  std::string mask;       ///< the prefix as a mask: "255.255.255.0"
  std::string peer;       ///< the far end of a point-to-point address ("peer" in `ip`), else ""
  std::string broadcast;  ///< the IPv4 broadcast address when one is set, else ""
  std::string label;      ///< IPv4 only: the label, "v0" or "v0:alias"; "" for IPv6
  std::string scope;      ///< "global", "site", "link", "host", "nowhere" or the number
  unsigned scope_id = 0;  ///< link-scope IPv6 address: its zone, the interface index; else 0
  std::optional<std::uint32_t> valid_lft;      ///< seconds left; nullopt: forever
  std::optional<std::uint32_t> preferred_lft;  ///< seconds left; nullopt: forever
  std::vector<std::string>
      flags;  ///< `ip`'s names: "secondary", "tentative", "nodad", "dynamic"...
};

/// An interface with its link-layer details and addresses, as `ip addr` shows it.
struct interface_info {
  std::string name;  ///< "lo", "eth0"
  unsigned index = 0;
  /// `ip`'s flag names in its order: "NO-CARRIER" (up without carrier), "LOOPBACK", "BROADCAST",
  /// "POINTOPOINT", "MULTICAST", "NOARP", "ALLMULTI", "PROMISC", ..., "UP", "LOWER_UP",
  /// "DORMANT", "ECHO", and "M-DOWN" when the link it sits on is down.
  std::vector<std::string> flags;
  unsigned mtu = 0;
  std::string operstate;  ///< RFC 2863: "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT"...
  std::string link_type;  ///< "ether", "loopback", "none"... (`ip`'s names)
  std::string address;    ///< link-layer address ("aa:bb:cc:dd:ee:ff"), "" when it has none
  std::string broadcast;  ///< link-layer broadcast (the peer on point-to-point links), or ""
  std::string qdisc;      ///< the queueing discipline: "noqueue", "fq_codel"... ("" if none)
  unsigned txqlen = 0;    ///< transmit queue length
  std::string link;       ///< the interface this one sits on here (a veth's peer, a VLAN's), or ""
  std::string master;     ///< the bridge or bond it belongs to, or ""
  std::vector<address_info> addresses;  ///< IPv4 then IPv6, in the kernel's order
};

/// Every interface with all its IPv4/IPv6 addresses, labelled ones included, in index order,
/// read from the kernel's routing socket (RTM_GETLINK and RTM_GETADDR dumps). A dump that the
/// kernel marks as interrupted by a change is started again a few times.
/// Errors (op "netlink"): the failing call's errno; EAGAIN when the interfaces kept changing;
/// ETIMEDOUT when the kernel did not finish the dump within seconds.
[[nodiscard]] result<std::vector<interface_info>> interface_table();

}  // namespace lsock
