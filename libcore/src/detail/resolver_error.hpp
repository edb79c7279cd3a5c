#pragma once
// Errors of getaddrinfo(), made only inside libcore (resolve, resolve_endpoints, the async
// resolver). Front ends read them as any lsock::error: domain resolver, name "EAI_NONAME".

#include <optional>
#include <string>
#include <string_view>

#include "lsock/error.hpp"

namespace lsock::detail {

/// An error from getaddrinfo()'s return code; EAI_SYSTEM uses `saved_errno`.
[[nodiscard]] error resolver_error(std::string_view op, int eai_code, int saved_errno = 0);
/// An IPv6 literal whose zone names no interface ("fe80::1%nosuch"): getaddrinfo calls that
/// EAI_NONAME, "Name or service not known", as if it were a host name; this says what is wrong
/// (ENODEV, "no such interface: nosuch"). Nothing for anything else, numeric zones included.
[[nodiscard]] std::optional<error> unknown_zone_error(std::string_view op, std::string_view host);
/// "EAI_NONAME" for EAI_NONAME; "EAI_<number>" for codes it does not know.
[[nodiscard]] std::string eai_name(int eai_code);

}  // namespace lsock::detail
