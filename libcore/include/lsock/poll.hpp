#pragma once
/// select() as lsocket offers it: no FD_SETSIZE ceiling, fds above 1024 work. poll() for small
/// or changing sets; an epoll set kept across calls when the same descriptors are watched again.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "lsock/result.hpp"

struct pollfd;

namespace lsock {
namespace detail {
class epoll_set;
}
class socket;

/// Waits for descriptors to become readable / writable. Reusable: keeps its buffers between
/// calls so a loop over many sockets allocates nothing after the first call. When a call
/// watches at least 16 descriptors, the same as the previous call, it waits on an epoll set it
/// keeps (epoll_ctl only for what changed, nothing when nothing did): the cost per call is then
/// a comparison of the tables plus what is ready. Results are poll()'s either way
/// (level-triggered; HUP, ERR and NVAL count as ready). Not shared between threads.
class selector {
 public:
  selector();
  ~selector();
  selector(selector&&) noexcept;
  selector& operator=(selector&&) noexcept;

  /// Waits until one of `read_fds` is readable (or hung up / in error) or one of `write_fds`
  /// is writable (or in error), or `timeout_ms` passes (< 0: no timeout). Negative fds (closed
  /// sockets) are skipped. EINTR is retried with the remaining time.
  /// Returns true when something is ready, false on timeout.
  /// Error (EINVAL, "no open sockets to check and no timeout set") when every fd is negative
  /// and there is no timeout.
  ///
  /// `connecting`: sockets among the tables whose connect races several addresses
  /// (socket::connecting(); others are ignored). While one races, its entries are not
  /// reported: its attempts are watched instead, the next attempt is started when one fails or
  /// when its delay passes (the wait wakes for it), and the socket is reported once its race
  /// is over — connected, or every address failed.
  result<bool> wait(std::span<const int> read_fds, std::span<const int> write_fds,
                    std::int64_t timeout_ms, std::span<socket* const> connecting = {});

  /// wait() for a caller that knows both tables hold exactly what they held at this selector's
  /// previous wait (an event loop that records its own changes, as the CLI's listeners do):
  /// the comparison of the tables is skipped, so with a large table a call costs what is ready,
  /// not what is watched. No racing sockets. A caller that is wrong about it misses events.
  result<bool> wait_unchanged(std::span<const int> read_fds, std::span<const int> write_fds,
                              std::int64_t timeout_ms);

  /// After wait() returned true: indices into read_fds / write_fds that are ready, ascending.
  [[nodiscard]] std::span<const std::size_t> ready_read() const noexcept { return ready_read_; }
  [[nodiscard]] std::span<const std::size_t> ready_write() const noexcept { return ready_write_; }

 private:
  result<bool> wait_fds(std::span<const int> read_fds, std::span<const int> write_fds,
                        std::int64_t timeout_ms, bool unchanged = false);
  result<bool> wait_racing(std::span<const int> read_fds, std::span<const int> write_fds,
                           std::int64_t timeout_ms, std::span<socket* const> connecting);
  std::size_t fill_pollfds(std::span<const int> read_fds, std::span<const int> write_fds);
  void collect(std::size_t readers);

  std::vector<::pollfd> fds_;  ///< its first polled_ entries are this call's
  std::size_t polled_ = 0;
  std::vector<std::size_t> origin_;  ///< fds_[i] came from read_fds/write_fds index origin_[i]
  std::vector<std::size_t> ready_read_;
  std::vector<std::size_t> ready_write_;
  std::unique_ptr<detail::epoll_set> epoll_;
  std::vector<int> race_reads_;   ///< read_fds with racing sockets masked
  std::vector<int> race_writes_;  ///< write_fds with racing sockets masked, then their attempts
                                  ///< ///< made when a large set is first watched
};

/// Sleeps `ms` milliseconds (EINTR resumes with the remaining time).
void sleep_ms(std::int64_t ms);

}  // namespace lsock
