#pragma once
// The one wait of every command: readiness, a deadline, or Ctrl-C, whichever comes first.

#include <cstdint>
#include <lsock/poll.hpp>
#include <lsock/result.hpp>
#include <span>

namespace lsock::cli {

/// Waits for readiness until the deadline (0: none). Once the stop handlers are installed, a
/// SIGINT / SIGTERM ends the wait at once (a self-pipe in the wait); before that it waits in
/// slices of 100 ms. Returns true when something is ready; false when the deadline passed or a
/// stop was requested.
result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns);

}  // namespace lsock::cli
