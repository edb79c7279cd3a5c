#pragma once
// Process-wide events a cached descriptor set must hear about: a descriptor number that libcore
// closed or gave away (its number may name another file on the next call), and fork() (a child
// shares its parent's epoll instances, so it must not change them).

#include <cstdint>

namespace lsock::detail {

/// Records that `fd` stopped naming the file libcore had opened (closed or released).
void note_fd_gone(int fd) noexcept;

/// How many descriptors have gone so far (a generation: compare it with an earlier value).
std::uint64_t fd_gone_generation() noexcept;

/// Calls `each(fd)` for every descriptor that went since generation `since`. Returns false when
/// the log no longer holds them all (too many went); the caller must then assume any did.
template <class F>
bool each_fd_gone_since(std::uint64_t since, F&& each);

/// Increases in a child process each time the process forks.
std::uint64_t fork_generation() noexcept;

/// The log of gone descriptors: a ring of the last `fd_gone_log_size` numbers.
inline constexpr std::uint64_t fd_gone_log_size = 256;
int fd_gone_at(std::uint64_t generation) noexcept;

template <class F>
bool each_fd_gone_since(std::uint64_t since, F&& each) {
  const std::uint64_t now = fd_gone_generation();
  if (now - since > fd_gone_log_size) return false;
  for (std::uint64_t g = since; g < now; ++g) each(fd_gone_at(g));
  // A slot may have been reused while it was read: then the log cannot be trusted.
  return fd_gone_generation() - since <= fd_gone_log_size;
}

}  // namespace lsock::detail
