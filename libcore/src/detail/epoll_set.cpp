#include "detail/epoll_set.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "detail/fd_events.hpp"
#include "detail/syscalls.hpp"

namespace lsock::detail {
namespace {

constexpr short read_events = POLLIN | POLLHUP | POLLERR | POLLNVAL;
constexpr short write_events = POLLOUT | POLLHUP | POLLERR | POLLNVAL;

bool same_fds(std::span<const int> a, const std::vector<int>& b) noexcept {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

std::size_t live_count(std::span<const int> fds) noexcept {
  return static_cast<std::size_t>(
      std::count_if(fds.begin(), fds.end(), [](int fd) { return fd >= 0; }));
}

}  // namespace

epoll_set::~epoll_set() { drop(); }

bool epoll_set::prepare(std::span<const int> read_fds, std::span<const int> write_fds,
                        bool unchanged) {
  if (fork_gen_ != fork_generation()) {
    // A child shares the parent's epoll instance: changing it would change the parent's. Close
    // our copy (that touches nothing of the parent's) and start afresh.
    drop();
    fork_gen_ = fork_generation();
    untrusted_ = false;
  }
  // Descriptors that go by the dozen between calls (a port scan closes each attempt and opens
  // the next on the same number) would cost two epoll_ctl each: poll() them until they settle.
  const std::uint64_t gen = fd_gone_generation();
  const bool churning = gen - seen_gen_ > last_live_ / 4 + 8;
  seen_gen_ = gen;
  if (churning) {
    drop();
    untrusted_ = false;
    last_read_.assign(read_fds.begin(), read_fds.end());
    last_write_.assign(write_fds.begin(), write_fds.end());
    last_live_reads_ = live_count(read_fds);
    last_live_ = last_live_reads_ + live_count(write_fds);
    return false;
  }
  // A caller's word that nothing changed is taken only where the sizes agree (its first
  // large table, for one, was never seen here).
  const bool trusted =
      unchanged && read_fds.size() == last_read_.size() && write_fds.size() == last_write_.size();
  const bool reads_same = trusted || same_fds(read_fds, last_read_);
  const bool writes_same = trusted || same_fds(write_fds, last_write_);
  if (reads_same && writes_same) {
    if (valid_ && gone_gen_ == fd_gone_generation()) return true;  // the common case
    if (valid_) return recheck_gone();
    if (last_live_ < epoll_min_fds) return false;
    if (untrusted_ && gone_gen_ == fd_gone_generation()) return false;
    untrusted_ = !rebuild();
    return !untrusted_;
  }
  // A table that did not change is neither counted nor copied again: an echo server's write
  // table comes and goes on every event while its large read table stays.
  const std::size_t live_reads = reads_same ? last_live_reads_ : live_count(read_fds);
  const std::size_t live = live_reads + live_count(write_fds);
  bool ok = false;
  if (valid_ && live >= epoll_min_fds) ok = update(read_fds, write_fds, !reads_same, !writes_same);
  if (!ok) drop();
  untrusted_ = false;
  if (!reads_same) last_read_.assign(read_fds.begin(), read_fds.end());
  if (!writes_same) last_write_.assign(write_fds.begin(), write_fds.end());
  last_live_ = live;
  last_live_reads_ = live_reads;
  return ok;
}

/// A fresh epoll instance holding every descriptor of last_read_ / last_write_.
bool epoll_set::rebuild() {
  drop();
  const std::uint64_t gen = fd_gone_generation();
  epfd_ = sys().epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return false;
  std::fill(read_head_.begin(), read_head_.end(), npos);
  std::fill(write_head_.begin(), write_head_.end(), npos);
  place(last_read_, read_head_, read_next_);
  place(last_write_, write_head_, write_next_);
  for (const int fd : last_read_) {
    if (fd >= 0 && !sync(fd)) return drop(), false;
  }
  for (const int fd : last_write_) {
    if (fd >= 0 && !sync(fd)) return drop(), false;
  }
  gone_gen_ = gen;
  valid_ = true;
  return true;
}

/// The tables changed: epoll_ctl for the differences only, unless they are most of the set (a
/// table that changes wholesale every call is cheaper on poll()).
bool epoll_set::update(std::span<const int> read_fds, std::span<const int> write_fds,
                       bool reads_changed, bool writes_changed) {
  if (!recheck_gone()) return false;
  // Only a table that changed is walked (an echo server's write table comes and goes while
  // its read table stays).
  if (reads_changed) {
    unplace(last_read_, read_head_);
    place(read_fds, read_head_, read_next_);
  }
  if (writes_changed) {
    unplace(last_write_, write_head_);
    place(write_fds, write_head_, write_next_);
  }
  std::array<std::span<const int>, 4> touched{};
  std::size_t k = 0;
  if (reads_changed) touched[k++] = last_read_, touched[k++] = read_fds;
  if (writes_changed) touched[k++] = last_write_, touched[k++] = write_fds;
  std::size_t changes = 0;
  std::size_t size = 0;
  for (std::size_t t = 0; t < k; ++t) {
    size += touched[t].size();
    for (const int fd : touched[t]) {
      if (fd >= 0 && registered_[static_cast<std::size_t>(fd)] != desired(fd)) ++changes;
    }
  }
  if (changes > size / 4 + 8) return false;
  for (std::size_t t = 0; t < k; ++t) {
    for (const int fd : touched[t]) {
      if (fd >= 0 && !sync(fd)) return false;
    }
  }
  return true;
}

/// Descriptors libcore closed or gave away since the last call may name other files now: drop
/// their registration and register them again as they are.
bool epoll_set::recheck_gone() {
  const std::uint64_t gen = fd_gone_generation();
  if (gen == gone_gen_) return true;
  bool ok = true;
  const bool complete = each_fd_gone_since(gone_gen_, [&](int fd) {
    if (fd < 0 || static_cast<std::size_t>(fd) >= registered_.size()) return;
    const auto slot = static_cast<std::size_t>(fd);
    if (registered_[slot] != 0) {
      epoll_event ev{};
      (void)sys().epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);  // ENOENT when the file is gone
      registered_[slot] = 0;
      --registered_count_;
    }
    if (ok && desired(fd) != 0) ok = sync(fd);
  });
  if (!complete) return rebuild();
  gone_gen_ = gen;
  if (!ok) drop();
  return ok;
}

void epoll_set::drop() noexcept {
  if (epfd_ >= 0) sys().close(epfd_);
  epfd_ = -1;
  valid_ = false;
  // Nothing registered, nothing to clear: a table that changes on every call drops each time.
  if (registered_count_ != 0) std::fill(registered_.begin(), registered_.end(), 0);
  registered_count_ = 0;
}

/// Registers `fd` for what the tables want of it now.
bool epoll_set::sync(int fd) {
  const auto slot = static_cast<std::size_t>(fd);
  const std::uint32_t want = desired(fd);
  const std::uint32_t have = registered_[slot];
  if (want == have) return true;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  int op = want == 0 ? EPOLL_CTL_DEL : have == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  int rc = sys().epoll_ctl(epfd_, op, fd, &ev);
  if (rc < 0 && op != EPOLL_CTL_DEL) {
    // The number may name another file than the one registered: try the other operation.
    if (op == EPOLL_CTL_MOD && errno == ENOENT)
      op = EPOLL_CTL_ADD;
    else if (op == EPOLL_CTL_ADD && errno == EEXIST)
      op = EPOLL_CTL_MOD;
    else
      return false;  // EBADF (closed), EPERM (a regular file): poll() reports those
    rc = sys().epoll_ctl(epfd_, op, fd, &ev);
    if (rc < 0) return false;
  }
  if (have == 0) ++registered_count_;
  if (want == 0) --registered_count_;
  registered_[slot] = want;
  return true;
}

/// Records the positions of `fds` per descriptor; iterated backwards so each chain ascends.
void epoll_set::place(std::span<const int> fds, std::vector<std::size_t>& head,
                      std::vector<std::size_t>& next) {
  next.resize(fds.size());
  for (std::size_t i = fds.size(); i-- > 0;) {
    const int fd = fds[i];
    if (fd < 0) continue;
    ensure_fd(fd);
    const auto slot = static_cast<std::size_t>(fd);
    next[i] = head[slot];
    head[slot] = i;
  }
}

void epoll_set::unplace(std::span<const int> fds, std::vector<std::size_t>& head) {
  for (const int fd : fds) {
    if (fd >= 0) head[static_cast<std::size_t>(fd)] = npos;
  }
}

std::uint32_t epoll_set::desired(int fd) const noexcept {
  const auto slot = static_cast<std::size_t>(fd);
  return (read_head_[slot] != npos ? std::uint32_t{EPOLLIN} : 0) |
         (write_head_[slot] != npos ? std::uint32_t{EPOLLOUT} : 0);
}

void epoll_set::ensure_fd(int fd) {
  const auto need = static_cast<std::size_t>(fd) + 1;
  if (need <= registered_.size()) return;
  registered_.resize(need, 0);
  read_head_.resize(need, npos);
  write_head_.resize(need, npos);
}

int epoll_set::wait(int wait_ms, std::vector<std::size_t>& ready_read,
                    std::vector<std::size_t>& ready_write) {
  events_.resize(std::max<std::size_t>(registered_count_, 1));
  const int n = sys().epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), wait_ms);
  if (n <= 0) return n;
  // Ask poll() about exactly these: its answer is the result, as on the poll() path.
  check_.resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < check_.size(); ++i) {
    const int fd = events_[i].data.fd;
    const std::uint32_t mask = registered_[static_cast<std::size_t>(fd)];
    check_[i] = pollfd{fd,
                       static_cast<short>(((mask & EPOLLIN) != 0 ? POLLIN : 0) |
                                          ((mask & EPOLLOUT) != 0 ? POLLOUT : 0)),
                       0};
  }
  if (retry_eintr([&] { return sys().poll(check_.data(), check_.size(), 0); }) < 0) return -1;
  bool stale = false;
  for (const pollfd& p : check_) {
    if (p.revents == 0) {
      stale = true;
      continue;
    }
    const auto slot = static_cast<std::size_t>(p.fd);
    if ((p.revents & read_events) != 0) {
      for (std::size_t i = read_head_[slot]; i != npos; i = read_next_[i]) ready_read.push_back(i);
    }
    if ((p.revents & write_events) != 0) {
      for (std::size_t i = write_head_[slot]; i != npos; i = write_next_[i]) {
        ready_write.push_back(i);
      }
    }
  }
  if (stale) drop();  // rebuilt on the next call with these tables
  if (ready_read.empty() && ready_write.empty()) return lost_trust;
  std::sort(ready_read.begin(), ready_read.end());
  std::sort(ready_write.begin(), ready_write.end());
  return 1;
}

}  // namespace lsock::detail
