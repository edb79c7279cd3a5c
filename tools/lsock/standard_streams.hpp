#pragma once
// The process's standard descriptors: closed ones made safe at start, reads from stdin, and
// writes to stdout whose failure is never silent.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lsock::cli {

/// A write to standard output failed (EPIPE, ENOSPC, EIO...): the command stops and exits 1.
struct write_error : std::runtime_error {
  explicit write_error(int errnum);
  int code;
};

/// Opens /dev/null on each of fds 0-2 that is closed, so no socket or file the command opens
/// later can take its number (a socket on fd 1 would receive the command's own output), and
/// ignores SIGPIPE so that a vanished reader is a write error (exit 1), never a silent death.
/// Call first thing in main(), before anything opens a descriptor.
void prepare_standard_streams() noexcept;

/// read(2) on a plain descriptor (stdin), retrying EINTR: bytes read, 0 at end of input, -1 on
/// error.
[[nodiscard]] long read_some(int fd, char* buf, std::size_t size);

/// Writes all of `data` to stdout, waiting as any filter does while its reader is slow (also
/// when the shared description is non-blocking); Ctrl-C during that wait ends it. Throws
/// write_error.
void write_stdout(std::string_view data);

/// What a poll()-writable stdout takes without blocking: a pipe has room for at least one
/// page when it polls writable, so one write of at most this many bytes never blocks.
inline constexpr std::size_t stdout_chunk = 4096;

/// One write(2) of at most stdout_chunk bytes of `data`, for a caller that waited for stdout
/// to be writable: the bytes written (0 when it would block). Throws write_error.
/// std::cout must hold nothing unflushed (write_stdout always flushes).
[[nodiscard]] std::size_t write_stdout_some(std::string_view data);

/// A descriptor to add to a wait's read set so that a reader of stdout going away (a pipe's
/// read end closed: POLLERR on the write end) wakes the wait: STDOUT_FILENO when stdout is
/// the write-only end of a pipe, else -1 (the selector skips negative descriptors). When it
/// shows up ready, call stdout_reader_gone().
[[nodiscard]] int stdout_watch_fd() noexcept;
/// Throws write_error(EPIPE): for a wait that found stdout_watch_fd() ready.
[[noreturn]] void stdout_reader_gone();

}  // namespace lsock::cli
