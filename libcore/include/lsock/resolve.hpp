#pragma once
/// Name resolution: what a hostname resolves to.

#include <string>
#include <string_view>
#include <vector>

#include "lsock/address.hpp"
#include "lsock/result.hpp"

namespace lsock {

struct resolved_address {
  lsock::family family = family::unspec;  ///< inet or inet6
  std::string addr;                       ///< numeric address
};

/// Resolves `name` (blocking: this asks the resolver). IP literals come back as they are;
/// results are de-duplicated in resolver order. Errors carry EAI_* names.
[[nodiscard]] result<std::vector<resolved_address>> resolve(
    std::string_view name, family_preference prefer = family_preference::any);

/// The addresses of a lookup, in its order, as endpoints with `port` (for socket::connect).
/// Scoped IPv6 addresses keep their scope; nothing is looked up.
[[nodiscard]] std::vector<endpoint> endpoints_of(const std::vector<resolved_address>& list,
                                                 int port);

}  // namespace lsock
