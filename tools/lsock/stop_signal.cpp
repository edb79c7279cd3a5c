#include "stop_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

namespace lsock::cli {
namespace {

/// The signal that asked to stop (SIGINT, SIGTERM), 0 while none did.
volatile std::sig_atomic_t stop_flag = 0;
/// Self-pipe: the handler writes a byte, so a wait that has the read end wakes at once.
int wake_pipe[2] = {-1, -1};
bool handlers_installed = false;

void on_stop_signal(int sig) {
  stop_flag = sig;
  if (wake_pipe[1] >= 0) {
    const int saved = errno;
    (void)!::write(wake_pipe[1], "", 1);
    errno = saved;
  }
}

}  // namespace

void install_stop_handlers() {
  // Without the pipe (no descriptor left) waits fall back to 100 ms slices.
  if (wake_pipe[0] < 0 && ::pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
    wake_pipe[0] = wake_pipe[1] = -1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  handlers_installed = true;
}

bool stop_requested() noexcept { return stop_flag != 0; }

void remove_stop_handlers() noexcept {
  if (!handlers_installed) return;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  handlers_installed = false;
  if (wake_pipe[0] >= 0) {
    (void)::close(wake_pipe[0]);
    (void)::close(wake_pipe[1]);
  }
  wake_pipe[0] = wake_pipe[1] = -1;
  stop_flag = 0;
}

void end_by_signal() {
  const int sig = stop_flag != 0 ? static_cast<int>(stop_flag) : SIGINT;
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  std::_Exit(128 + sig);  // the signal is blocked or ignored: exit as a shell would report it
}

int stop_wake_fd() noexcept { return wake_pipe[0]; }

std::span<const int> stop_fds() noexcept {
  if (wake_pipe[0] < 0) return {};
  return {wake_pipe, 1};
}

}  // namespace lsock::cli
