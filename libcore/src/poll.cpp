#include "lsock/poll.hpp"

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>

#include "detail/connect_race.hpp"
#include "detail/epoll_set.hpp"
#include "detail/syscalls.hpp"
#include "lsock/socket.hpp"

namespace lsock {
namespace {

using clock = std::chrono::steady_clock;

constexpr short read_events = POLLIN | POLLHUP | POLLERR | POLLNVAL;
constexpr short write_events = POLLOUT | POLLHUP | POLLERR | POLLNVAL;

}  // namespace

selector::selector() = default;
selector::~selector() = default;
selector::selector(selector&&) noexcept = default;
selector& selector::operator=(selector&&) noexcept = default;

/// One pollfd per entry, remembering where it came from: mapping results back is O(1) each.
/// Returns how many came from read_fds.
std::size_t selector::fill_pollfds(std::span<const int> read_fds, std::span<const int> write_fds) {
  // Sized once and written through pointers: this runs on every small select.
  const std::size_t most = read_fds.size() + write_fds.size();
  if (fds_.size() < most) {
    fds_.resize(most);
    origin_.resize(most);
  }
  pollfd* out = fds_.data();
  std::size_t* from = origin_.data();
  std::size_t n = 0;
  for (std::size_t i = 0; i < read_fds.size(); ++i) {
    if (read_fds[i] < 0) continue;  // closed sockets are ignored
    out[n] = pollfd{read_fds[i], POLLIN, 0};
    from[n++] = i;
  }
  const std::size_t readers = n;
  for (std::size_t i = 0; i < write_fds.size(); ++i) {
    if (write_fds[i] < 0) continue;
    out[n] = pollfd{write_fds[i], POLLOUT, 0};
    from[n++] = i;
  }
  polled_ = n;
  return readers;
}

result<bool> selector::wait(std::span<const int> read_fds, std::span<const int> write_fds,
                            std::int64_t timeout_ms, std::span<socket* const> connecting) {
  for (socket* s : connecting) {
    if (s != nullptr && s->connecting()) {
      return wait_racing(read_fds, write_fds, timeout_ms, connecting);
    }
  }
  return wait_fds(read_fds, write_fds, timeout_ms);
}

result<bool> selector::wait_unchanged(std::span<const int> read_fds, std::span<const int> write_fds,
                                      std::int64_t timeout_ms) {
  return wait_fds(read_fds, write_fds, timeout_ms, true);
}

/// The wait with sockets whose connect races: each round moves every race on, hides the
/// racing sockets' own entries, watches their attempts (extra write entries after the
/// caller's) and wakes when the next attempt is due. Each round ends with an attempt finished,
/// an attempt due, a caller's descriptor ready or the timeout, so the rounds are bounded.
result<bool> selector::wait_racing(std::span<const int> read_fds, std::span<const int> write_fds,
                                   std::int64_t timeout_ms, std::span<socket* const> connecting) {
  if (timeout_ms > INT64_MAX / 1'000'000) timeout_ms = -1;  // centuries: no timeout (no overflow)
  const std::int64_t start = detail::monotonic_ns();
  for (;;) {
    const std::int64_t now = detail::monotonic_ns();
    std::int64_t left = -1;
    if (timeout_ms >= 0) {
      // Rounded up, so a round never ends just short of the timeout and spins to it.
      left =
          std::max<std::int64_t>(0, (timeout_ms * 1'000'000 - (now - start) + 999'999) / 1'000'000);
    }
    race_reads_.assign(read_fds.begin(), read_fds.end());
    race_writes_.assign(write_fds.begin(), write_fds.end());
    std::int64_t due = INT64_MAX;
    for (socket* s : connecting) {
      if (s == nullptr || !s->connecting() || s->settle_race()) continue;
      std::replace(race_reads_.begin(), race_reads_.end(), s->fd(), -1);
      std::replace(race_writes_.begin(),
                   race_writes_.begin() + static_cast<std::ptrdiff_t>(write_fds.size()), s->fd(),
                   -1);
      s->race_->append_watched(s->fd(), race_writes_);
      due = std::min(due, s->race_->next_start());
    }
    if (due != INT64_MAX) {
      const std::int64_t until_due = std::max<std::int64_t>(0, (due - now + 999'999) / 1'000'000);
      if (left < 0 || until_due < left) left = until_due;
    }
    auto r = wait_fds(race_reads_, race_writes_, left);
    if (!r) return r;
    // Attempts are not the caller's: drop them from the results.
    std::erase_if(ready_write_, [&](std::size_t i) { return i >= write_fds.size(); });
    if (!ready_read_.empty() || !ready_write_.empty()) return true;
    if (timeout_ms >= 0 && detail::monotonic_ns() - start >= timeout_ms * 1'000'000) return false;
  }
}

result<bool> selector::wait_fds(std::span<const int> read_fds, std::span<const int> write_fds,
                                std::int64_t timeout_ms, bool unchanged) {
  ready_read_.clear();
  ready_write_.clear();
  if (!epoll_ && read_fds.size() + write_fds.size() >= detail::epoll_min_fds) {
    epoll_ = std::make_unique<detail::epoll_set>();
  }
  bool use_epoll = epoll_ && epoll_->prepare(read_fds, write_fds, unchanged);
  std::size_t readers = 0;
  if (!use_epoll) {
    readers = fill_pollfds(read_fds, write_fds);
    if (polled_ == 0 && timeout_ms < 0) {
      return library_error("select", EINVAL, "no open sockets to check and no timeout set");
    }
  }

  // The clock is read only when a wait can end early: an interruption (EINTR) resumes with
  // the time left, and a timeout longer than poll() takes is waited in pieces.
  const auto start = timeout_ms > 0 ? clock::now() : clock::time_point{};
  std::int64_t left = timeout_ms;
  for (;;) {
    const int wait_ms = left < 0 ? -1 : static_cast<int>(std::min<std::int64_t>(left, INT_MAX));
    int rc = 0;
    if (use_epoll) {
      rc = epoll_->wait(wait_ms, ready_read_, ready_write_);
      if (rc == detail::epoll_set::lost_trust) {
        // The epoll set reported only stale registrations: poll() the rest of the time.
        use_epoll = false;
        readers = fill_pollfds(read_fds, write_fds);
        if (timeout_ms < 0) continue;
        const auto elapsed =
            timeout_ms > 0
                ? std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start)
                      .count()
                : 0;
        left = std::max<std::int64_t>(0, timeout_ms - elapsed);
        continue;
      }
    } else {
      rc = detail::sys().poll(fds_.data(), polled_, wait_ms);
    }
    if (rc > 0) break;
    if (rc < 0 && errno != EINTR) return system_error("select", errno);
    if (timeout_ms < 0) continue;                  // no timeout: wait again
    if (rc == 0 && left <= INT_MAX) return false;  // the whole timeout passed
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
    left = timeout_ms - elapsed;
    if (left <= 0) return false;
  }
  if (!use_epoll) collect(readers);
  return true;
}

/// After poll(): the positions of the ready entries, ascending per table.
void selector::collect(std::size_t readers) {
  for (std::size_t j = 0; j < polled_; ++j) {
    const short ev = fds_[j].revents;
    if (ev == 0) continue;
    if (j < readers) {
      if (ev & read_events) ready_read_.push_back(origin_[j]);
    } else if (ev & write_events) {
      ready_write_.push_back(origin_[j]);
    }
  }
}

void sleep_ms(std::int64_t ms) {
  if (ms <= 0) return;
  timespec req{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1000000)};
  timespec rem{};
  while (nanosleep(&req, &rem) < 0 && errno == EINTR) req = rem;
}

}  // namespace lsock
