#include "address_checks.hpp"

#include <lsock/interfaces.hpp>
#include <string>

#include "usage_error.hpp"

namespace lsock::cli {

address_class check_address(std::string_view address) {
  address_class c = classify_address(address);
  if (c.kind == address_kind::malformed) throw usage_error(c.reason);
  return c;
}

void check_family(std::string_view address, family_preference prefer) {
  if (prefer == family_preference::any) return;
  const std::string flag = prefer == family_preference::inet ? "-4" : "-6";
  const address_class c = check_address(address);
  const std::string shown(address);
  if (c.is_unix()) {
    throw usage_error(flag + " does not apply to the unix address '" + shown + "'");
  }
  if (prefer == family_preference::inet && c.kind == address_kind::ipv6) {
    throw usage_error("-4 conflicts with the IPv6 address '" + shown + "'");
  }
  if (prefer == family_preference::inet6 && c.kind == address_kind::ipv4) {
    throw usage_error("-6 conflicts with the IPv4 address '" + shown + "'");
  }
}

void check_group(std::string_view address) {
  const address_class c = check_address(address);
  const std::string shown(address);
  if (!c.is_ip()) {
    throw usage_error("expected a multicast group or broadcast address, not '" + shown + "'");
  }
  if (is_multicast_literal(address) || is_broadcast_address(address)) return;
  if (c.kind == address_kind::ipv6) {
    throw usage_error("'" + shown + "' is not an IPv6 multicast group (ff00::/8)");
  }
  throw usage_error("'" + shown +
                    "' is not a multicast group (224.0.0.0/4) or a broadcast address");
}

void check_not_group(std::string_view address, std::string_view what) {
  if (is_multicast_literal(address) || is_limited_broadcast_literal(address)) {
    throw usage_error(
        std::string(what) + " takes a unicast address, not the " +
        (is_multicast_literal(address) ? "multicast group '" : "broadcast address '") +
        std::string(address) + "'");
  }
}

}  // namespace lsock::cli
