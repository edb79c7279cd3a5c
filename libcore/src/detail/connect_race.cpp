#include "detail/connect_race.hpp"

#include <fcntl.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>

#include "detail/fd_events.hpp"
#include "detail/sockaddr.hpp"
#include "detail/socket_open.hpp"
#include "detail/syscalls.hpp"

namespace lsock::detail {

std::vector<endpoint> interleave_families(std::span<const endpoint> list) {
  std::vector<endpoint> first;
  std::vector<endpoint> other;
  for (const endpoint& ep : list) {
    (ep.family() == list.front().family() ? first : other).push_back(ep);
  }
  std::vector<endpoint> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < first.size() || i < other.size(); ++i) {
    if (i < first.size()) out.push_back(first[i]);
    if (i < other.size()) out.push_back(other[i]);
  }
  return out;
}

std::int64_t monotonic_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

connect_race::connect_race(std::vector<endpoint> order, std::string source)
    : order_(std::move(order)), source_(std::move(source)) {}

connect_race::~connect_race() {
  for (const attempt& a : extra_) note_fd_gone(a.fd.get());
}

void connect_race::note_failure(const error& e) {
  // A refusal means the server's host answered: it says more than an unreachable network or
  // route of another address, whichever failed last.
  if (!error_ || error_->code != ECONNREFUSED || e.code == ECONNREFUSED) error_ = e;
  start_now_ = true;
}

std::optional<unique_fd> connect_race::start_next(std::int64_t now) {
  const std::size_t index = next_++;
  const endpoint& ep = order_[index];
  last_start_ = now;
  start_now_ = false;
  auto fd = open_socket(ep, socket_type::tcp);
  if (!fd) {
    note_failure(fd.error());
    return std::nullopt;
  }
  if (!source_.empty()) {
    if (auto ok = bind_source(*fd, ep, source_); !ok) {
      note_failure(ok.error());
      return std::nullopt;
    }
  }
  // EINPROGRESS is the normal answer; an interrupted connect goes on in the background.
  if (sys().connect(fd->get(), as_sockaddr(ep), ep.size()) < 0 && errno != EINPROGRESS &&
      errno != EINTR) {
    note_failure(system_error("connect", errno));
    return std::nullopt;
  }
  return std::move(*fd);
}

result<int> connect_race::start(std::int64_t now) {
  while (next_ < order_.size()) {
    const std::size_t index = next_;
    if (auto fd = start_next(now)) {
      primary_index_ = index;
      primary_alive_ = true;
      return fd->release();
    }
  }
  return *error_;
}

bool connect_race::finished(int fd, short revents, bool& connected) {
  if ((revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)) == 0) return false;
  int err = 0;
  socklen_t len = sizeof err;
  if (sys().getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err == 0 && (revents & POLLNVAL) != 0) err = EBADF;
  if (err == 0) {
    connected = true;
  } else {
    note_failure(system_error("connect", err));
  }
  return true;
}

bool connect_race::adopt(int primary, attempt* winner) {
  if (winner != nullptr) {
    // dup3 closes the primary's own attempt and keeps the number; O_CLOEXEC because dup
    // clears it. O_NONBLOCK belongs to the open file and comes along.
    if (retry_eintr([&] { return sys().dup3(winner->fd.get(), primary, O_CLOEXEC); }) < 0) {
      note_failure(system_error("dup3", errno));
      return false;
    }
    note_fd_gone(primary);  // the number names another socket now: cached epoll sets recheck
    primary_index_ = winner->index;
  }
  for (attempt& a : extra_) {
    note_fd_gone(a.fd.get());
    a.fd.reset();
  }
  extra_.clear();
  primary_alive_ = false;
  next_ = order_.size();
  return true;
}

connect_race::state connect_race::advance(int primary, std::int64_t now) {
  std::array<pollfd, max_attempts_in_flight> p{};
  std::size_t n = 0;
  if (primary_alive_) p[n++] = pollfd{primary, POLLOUT, 0};
  for (const attempt& a : extra_) p[n++] = pollfd{a.fd.get(), POLLOUT, 0};
  if (n > 0 && retry_eintr([&] { return sys().poll(p.data(), n, 0); }) > 0) {
    std::size_t j = 0;
    bool connected = false;
    if (primary_alive_ && finished(primary, p[j++].revents, connected)) {
      if (connected) {
        (void)adopt(primary, nullptr);
        return state::connected;
      }
      primary_alive_ = false;
    }
    for (auto it = extra_.begin(); it != extra_.end(); ++j) {
      if (!finished(it->fd.get(), p[j].revents, connected)) {
        ++it;
      } else if (connected) {
        // A winner that cannot take the descriptor's place fails the race: the socket the
        // caller holds would not be the connected one.
        return adopt(primary, &*it) ? state::connected : state::failed;
      } else {
        note_fd_gone(it->fd.get());
        it = extra_.erase(it);
      }
    }
  }
  while (next_ < order_.size() &&
         (in_flight() == 0 || start_now_ || now >= last_start_ + attempt_delay_ns)) {
    // At the cap the oldest attempt besides the primary gives way: addresses that never
    // answer must not keep the ones after them from being tried.
    if (in_flight() >= max_attempts_in_flight) {
      note_fd_gone(extra_.front().fd.get());
      extra_.erase(extra_.begin());
    }
    const std::size_t index = next_;
    if (auto fd = start_next(now)) extra_.push_back(attempt{std::move(*fd), index});
  }
  if (in_flight() == 0) return state::failed;
  return state::racing;
}

void connect_race::append_watched(int primary, std::vector<int>& fds) const {
  if (primary_alive_) fds.push_back(primary);
  for (const attempt& a : extra_) fds.push_back(a.fd.get());
}

std::int64_t connect_race::next_start() const noexcept {
  if (next_ >= order_.size()) return INT64_MAX;
  return start_now_ ? 0 : last_start_ + attempt_delay_ns;
}

}  // namespace lsock::detail
