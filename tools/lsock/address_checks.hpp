#pragma once
// Usage checks of an address the user typed, as thin calls to libcore's classification
// (address_kind): each throws usage_error with a message people can act on.

#include <lsock/address.hpp>
#include <lsock/address_kind.hpp>
#include <string_view>

namespace lsock::cli {

/// The address by libcore's one rule (classify_address); usage_error with its reason when it
/// is malformed.
address_class check_address(std::string_view address);
/// usage_error when -4 / -6 contradicts an IP literal ("-6" with 127.0.0.1) or is given with
/// a unix path or @name (which have no IP family).
void check_family(std::string_view address, family_preference prefer);
/// usage_error unless `address` is an IPv4 group (224.0.0.0/4), 255.255.255.255 or a local
/// subnet's broadcast address, or an IPv6 group (ff00::/8, optionally %scoped).
void check_group(std::string_view address);
/// usage_error when `address` is a multicast group or 255.255.255.255: `what` ("TCP") cannot
/// use it.
void check_not_group(std::string_view address, std::string_view what);

}  // namespace lsock::cli
