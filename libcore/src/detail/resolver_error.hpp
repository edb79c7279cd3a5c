#pragma once
// Errors of getaddrinfo(), made only inside libcore (resolve, resolve_endpoints, the async
// resolver). Front ends read them as any lsock::error: domain resolver, name "EAI_NONAME".

#include <string>
#include <string_view>

#include "lsock/error.hpp"

namespace lsock::detail {

/// An error from getaddrinfo()'s return code; EAI_SYSTEM uses `saved_errno`.
[[nodiscard]] error resolver_error(std::string_view op, int eai_code, int saved_errno = 0);
/// "EAI_NONAME" for EAI_NONAME; "EAI_<number>" for codes it does not know.
[[nodiscard]] std::string eai_name(int eai_code);

}  // namespace lsock::detail
