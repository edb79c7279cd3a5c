#pragma once
// A listener's socket: bound on the first address of what the user gave that binds.

#include <cstdint>
#include <lsock/socket.hpp>
#include <optional>

#include "output.hpp"
#include "targets.hpp"

namespace lsock::cli {

/// A socket of `type` bound on `where`: an IP literal or unix address as it is, a host name's
/// addresses in resolver order (looked up until `deadline_ns`, 0: none) until one binds. A
/// failure is reported on `out` (a bind failure names the address) and gives nullopt; Ctrl-C
/// during the lookup ends the process by its signal.
std::optional<lsock::socket> bind_first_address(socket_type type, const target& where,
                                                const socket_options& so, std::int64_t deadline_ns,
                                                const output& out);

}  // namespace lsock::cli
