#include "standard_streams.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <lsock/error.hpp>
#include <lsock/poll.hpp>

#include "stop_signal.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

/// std::cout's buffer when prepare_standard_streams() ran: while it is still in place, stdout
/// is written with write(2) directly (nothing is ever left in std::cout's buffer).
std::streambuf* direct_stdout = nullptr;

std::string write_error_text(int errnum) {
  return "write to stdout failed: " + std::string(std::strerror(errnum)) + " (" +
         errno_name(errnum) + ")";
}

}  // namespace

write_error::write_error(int errnum) : std::runtime_error(write_error_text(errnum)), code(errnum) {}

void prepare_standard_streams() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free number: this one, since the lower ones are open by now.
    const int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null_fd >= 0 && null_fd != fd) {
      (void)::dup2(null_fd, fd);
      (void)::close(null_fd);
    }
  }
  (void)std::signal(SIGPIPE, SIG_IGN);
  direct_stdout = std::cout.rdbuf();
}

std::size_t write_stdout_some(std::string_view data) {
  for (;;) {
    const ssize_t n = ::write(STDOUT_FILENO, data.data(), std::min(data.size(), stdout_chunk));
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR) throw write_error(errno);
  }
}

namespace {

/// Writes all of `data` to fd 1 itself: resumes partial writes, waits for room when the
/// description was made non-blocking by someone else (EAGAIN), and stops on Ctrl-C while a
/// stalled reader blocks it.
void write_fd_all(std::string_view data) {
  selector sel;
  const int fd = STDOUT_FILENO;
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      if (stop_requested()) throw write_error(EINTR);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto w = wait_until(sel, {}, std::span<const int>(&fd, 1), 0);
      if (!w) throw write_error(w.error().code);
      if (!*w) throw write_error(EINTR);  // Ctrl-C while waiting for room
      continue;
    }
    throw write_error(n < 0 ? errno : EIO);
  }
}

}  // namespace

long read_some(int fd, char* buf, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd, buf, size);
    if (n >= 0 || errno != EINTR) return static_cast<long>(n);
  }
}

void write_stdout(std::string_view data) {
  if (direct_stdout != nullptr && std::cout.rdbuf() == direct_stdout) {
    write_fd_all(data);
    return;
  }
  // std::cout was redirected (the in-process tests capture it): write through it, flushed
  // every time, so a failure is found here.
  errno = 0;
  std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
  std::cout.flush();
  if (std::cout) return;
  const int err = errno != 0 ? errno : EIO;
  std::cout.clear();
  throw write_error(err);
}

int stdout_watch_fd() noexcept {
  struct stat st {};
  if (::fstat(STDOUT_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode)) return -1;
  // A FIFO opened read-write would poll readable on its own data: watch write-only ends only.
  const int flags = ::fcntl(STDOUT_FILENO, F_GETFL);
  return flags != -1 && (flags & O_ACCMODE) == O_WRONLY ? STDOUT_FILENO : -1;
}

void stdout_reader_gone() { throw write_error(EPIPE); }

}  // namespace lsock::cli
