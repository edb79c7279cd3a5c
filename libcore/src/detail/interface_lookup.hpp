#pragma once
// Finding an interface for libcore's multicast setup: by name or address (socket_options::iface)
// and the loopback interface. Front ends list interfaces with lsock/interfaces.hpp.

#include <string>
#include <string_view>
#include <vector>

#include "lsock/interfaces.hpp"

namespace lsock::detail {

/// An interface as such, whether or not it has an address.
struct interface_link {
  std::string name;
  unsigned index = 0;
  interface_flags flags;
};

/// Every interface, addressless ones included (as `ip link` lists them), in getifaddrs()
/// order, each once.
[[nodiscard]] result<std::vector<interface_link>> links();

/// The index of an interface given by name ("lo") or by one of its addresses ("127.0.0.1").
/// Errors: ENODEV when no interface matches.
[[nodiscard]] result<unsigned> interface_index(std::string_view name_or_addr);

}  // namespace lsock::detail
