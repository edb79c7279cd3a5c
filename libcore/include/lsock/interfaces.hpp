#pragma once
/// Interface listing: one record per interface address (getifaddrs()).

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

/// An interface as such, whether or not it has an address.
struct interface_link {
  std::string name;
  unsigned index = 0;
  interface_flags flags;
};

/// Every IPv4/IPv6 address of every interface, in getifaddrs() order.
[[nodiscard]] result<std::vector<interface_address>> interfaces();

/// Every interface, addressless ones included (as `ip link` lists them), in getifaddrs()
/// order, each once.
[[nodiscard]] result<std::vector<interface_link>> links();

/// The index of an interface given by name ("lo") or by one of its addresses ("127.0.0.1").
/// Errors: ENODEV when no interface matches.
[[nodiscard]] result<unsigned> interface_index(std::string_view name_or_addr);

}  // namespace lsock
