#pragma once
// The PORTS argument of `lsock probe`: "22", "22,80,443", "8000-8100", "1-65535" or a mix.

#include <string_view>
#include <vector>

namespace lsock::cli {

/// The ports `spec` names, ascending and without repeats; usage_error for anything else
/// (port 0, a port above 65535, a reversed or empty range, stray characters).
[[nodiscard]] std::vector<int> parse_port_list(std::string_view spec);

}  // namespace lsock::cli
