#pragma once
// The one address a diagnostic probes for a host: tcp-ping and probe resolve a name once and
// aim at its first address, as ping does.

#include <lsock/address.hpp>
#include <lsock/result.hpp>
#include <string>

namespace lsock::cli {

/// An IP literal as it is; else the first address the resolver gives for `host`.
[[nodiscard]] result<std::string> first_address(const std::string& host, family_preference prefer);

}  // namespace lsock::cli
