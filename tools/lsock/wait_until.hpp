#pragma once
// The one wait of every command: readiness, a deadline, or Ctrl-C, whichever comes first.

#include <cstdint>
#include <lsock/poll.hpp>
#include <lsock/result.hpp>
#include <span>

#include "watch_table.hpp"

namespace lsock::cli {

/// Waits for readiness until the deadline (0: none). Once the stop handlers are installed, a
/// SIGINT / SIGTERM ends the wait at once (a self-pipe in the wait); before that it waits in
/// slices of 100 ms. Returns true when something is ready; false when the deadline passed or a
/// stop was requested.
result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns);

/// wait_until() for a loop over many descriptors: `reads` already holds stop_wake_fd() at a
/// position the caller chose (it ignores that index in ready_read()), so the table is not
/// copied per call, and when neither table changed since the last wait the selector is told so
/// and does not compare them with what it watched before. Same Ctrl-C and deadline semantics;
/// without the stop handlers (stop_wake_fd() == -1) it waits in 100 ms slices.
result<bool> wait_until_woken(selector& sel, watch_table& reads, watch_table& writes,
                              std::int64_t deadline_ns);

}  // namespace lsock::cli
