#include "detail/fd_events.hpp"

#include <pthread.h>

#include <atomic>

namespace lsock::detail {
namespace {

std::atomic<std::uint64_t> gone_generation{0};
std::atomic<int> gone_log[fd_gone_log_size];
std::atomic<std::uint64_t> forks{0};

void on_fork_child() noexcept { forks.fetch_add(1, std::memory_order_relaxed); }

// Registered when libcore is loaded, so every fork after that is seen without a syscall per
// select call (getpid() is a real system call in current glibc).
const int atfork_registered = pthread_atfork(nullptr, nullptr, on_fork_child);

}  // namespace

// Called after the close: a selector that runs between the close and this call sees the
// change on its next call. Threads closing at once each get their own slot (fetch_add).
void note_fd_gone(int fd) noexcept {
  const std::uint64_t g = gone_generation.fetch_add(1, std::memory_order_acq_rel);
  gone_log[g % fd_gone_log_size].store(fd, std::memory_order_release);
}

std::uint64_t fd_gone_generation() noexcept {
  return gone_generation.load(std::memory_order_acquire);
}

int fd_gone_at(std::uint64_t generation) noexcept {
  return gone_log[generation % fd_gone_log_size].load(std::memory_order_relaxed);
}

std::uint64_t fork_generation() noexcept {
  (void)atfork_registered;
  return forks.load(std::memory_order_relaxed);
}

}  // namespace lsock::detail
