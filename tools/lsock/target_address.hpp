#pragma once
// The one address a diagnostic probes for a host: tcp-ping and probe resolve a name once and
// aim at its first address, as ping does.

#include <cstdint>
#include <lsock/address.hpp>
#include <lsock/result.hpp>
#include <string>
#include <vector>

#include "common.hpp"

namespace lsock::cli {

/// An IP literal as it is; else the first address the resolver gives for `host`, looked up
/// off the calling thread until `deadline_ns` (0: none) or Ctrl-C (see lookup()).
[[nodiscard]] result<std::string> first_address(const std::string& host, family_preference prefer,
                                                std::int64_t deadline_ns);

/// The endpoints to connect to for `to`: unix addresses and IP literals as they are, a host
/// name's every address in resolver order, looked up as first_address() does.
[[nodiscard]] result<std::vector<endpoint>> endpoints_for(const target& to,
                                                          family_preference prefer,
                                                          std::int64_t deadline_ns);

}  // namespace lsock::cli
