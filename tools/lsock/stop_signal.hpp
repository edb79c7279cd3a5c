#pragma once
// Ctrl-C (SIGINT) and SIGTERM: a flag the wait loops check and a descriptor that wakes them,
// so a command stops cleanly (summary, cleanup) instead of dying mid-write.

#include <span>

namespace lsock::cli {

/// SIGINT / SIGTERM set a flag that the wait loops check, and wake wait_until at once; the
/// work stops cleanly.
void install_stop_handlers();
[[nodiscard]] bool stop_requested() noexcept;
/// Undoes install_stop_handlers() when a command has returned: default SIGINT / SIGTERM
/// handling, the wake pipe closed, no stop requested (run_lsock may run again in-process).
void remove_stop_handlers() noexcept;
/// Ends the process by the signal that requested the stop, as if no handler had been installed
/// (a shell reports 130 for SIGINT): for commands whose Ctrl-C ends them without output.
[[noreturn]] void end_by_signal();
/// The read end of the self-pipe a stop signal writes to (readable only after a signal), or -1
/// while the handlers are not installed or no descriptor was left for the pipe.
[[nodiscard]] int stop_wake_fd() noexcept;
/// stop_wake_fd() as the list libcore's waits take (connect_limits::stop_fds): empty without it.
[[nodiscard]] std::span<const int> stop_fds() noexcept;

}  // namespace lsock::cli
