#pragma once
// The selector's memory: an epoll set kept across calls that watch the same descriptors, so an
// event loop passing the same table every time pays for what is ready, not for what it watches.
// Level-triggered, and every descriptor epoll reports is checked again with poll(): the results
// are exactly poll()'s, and a registration that no longer matches its descriptor (a file closed
// outside libcore while a duplicate keeps it open) is caught and the set rebuilt.

#include <poll.h>
#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lsock::detail {

/// Below this many watched descriptors poll() is as cheap: one poll() over n descriptors costs
/// about what epoll_wait plus poll() of the ready one costs at n = 12-17 on a 2-core x86 VM
/// (measured: n = 9: 4.9 µs vs 5.4 µs; n = 17: 6.8 µs vs 5.8 µs; n = 33: 15.5 µs vs 5.1 µs).
inline constexpr std::size_t epoll_min_fds = 16;

class epoll_set {
 public:
  epoll_set() = default;
  ~epoll_set();
  epoll_set(const epoll_set&) = delete;
  epoll_set& operator=(const epoll_set&) = delete;

  /// Brings the set in line with this call's tables. True: wait through wait(). False: poll()
  /// this call (the set is too small, seen for the first time, changing too much, or epoll
  /// refused a descriptor — poll() reports those, e.g. POLLNVAL).
  /// `unchanged`: the caller knows the tables are those of its previous call (the comparison is
  /// skipped when their sizes agree).
  bool prepare(std::span<const int> read_fds, std::span<const int> write_fds,
               bool unchanged = false);

  /// wait() found only registrations that no longer match their descriptor: poll this call.
  static constexpr int lost_trust = -2;

  /// One epoll_wait of up to `wait_ms`. > 0: ready positions appended (ascending); 0: timeout;
  /// -1: error (errno); lost_trust.
  int wait(int wait_ms, std::vector<std::size_t>& ready_read,
           std::vector<std::size_t>& ready_write);

 private:
  static constexpr std::size_t npos = SIZE_MAX;

  bool rebuild();
  bool update(std::span<const int> read_fds, std::span<const int> write_fds, bool reads_changed,
              bool writes_changed);
  bool recheck_gone();
  void drop() noexcept;
  bool sync(int fd);
  void place(std::span<const int> fds, std::vector<std::size_t>& head,
             std::vector<std::size_t>& next);
  void unplace(std::span<const int> fds, std::vector<std::size_t>& head);
  [[nodiscard]] std::uint32_t desired(int fd) const noexcept;
  void ensure_fd(int fd);

  int epfd_ = -1;
  bool valid_ = false;      ///< the registration reflects last_read_ / last_write_
  bool untrusted_ = false;  ///< epoll refused these tables: poll until they or a descriptor change
  std::uint64_t gone_gen_ = 0;
  std::uint64_t seen_gen_ = 0;  ///< fd_gone_generation() at the previous prepare()
  std::uint64_t fork_gen_ = 0;
  std::size_t last_live_ = 0;                ///< open descriptors in last_read_ and last_write_
  std::size_t last_live_reads_ = 0;          ///< of which in last_read_
  std::vector<int> last_read_, last_write_;  ///< the previous call's tables
  std::vector<std::uint32_t> registered_;    ///< per fd: the epoll events registered, 0: none
  std::size_t registered_count_ = 0;
  std::vector<std::size_t> read_head_, write_head_;  ///< per fd: first table position, or npos
  std::vector<std::size_t> read_next_, write_next_;  ///< per position: next with the same fd
  std::vector<epoll_event> events_;
  std::vector<pollfd> check_;
};

}  // namespace lsock::detail
