#include "lsock/socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <utility>

#include "detail/connect_race.hpp"
#include "detail/fd_events.hpp"
#include "detail/last_destination.hpp"
#include "detail/multicast_setup.hpp"
#include "detail/sockaddr.hpp"
#include "detail/socket_open.hpp"
#include "detail/syscalls.hpp"
#include "detail/unique_fd.hpp"
#include "lsock/poll.hpp"
#include "lsock/unix_path.hpp"

namespace lsock {
namespace {

using detail::bind_source;
using detail::open_socket;
using detail::sys;

bool is_would_block(int e) noexcept { return e == EAGAIN || e == EWOULDBLOCK; }

// I/O calls test `fd_ < 0 || sticky_error_ != 0` inline and call check_usable() only to build
// the error: a result<void> made and dropped per call cost a send a fifth of its instructions.

result<void> set_int_option(detail::unique_fd& fd, int level, int name, int value) {
  if (sys().setsockopt(fd.get(), level, name, &value, sizeof value) < 0) {
    return system_error("setsockopt", errno);
  }
  return {};
}

result<void> check_mcast_family(std::string_view op, socket_type type, const endpoint& ep) {
  if (type == socket_type::mcast && ep.family() == family::unix_domain) {
    return library_error(op, EAFNOSUPPORT, "multicast not available for unix domain sockets");
  }
  return {};
}

/// Tries each candidate address in turn; reports the last failure if none works.
template <class TryOne>
result<socket> first_that_works(std::span<const endpoint> candidates, TryOne&& try_one) {
  std::optional<error> last;
  for (const endpoint& ep : candidates) {
    auto s = try_one(ep);
    if (s) return s;
    last = std::move(s).error();
  }
  return std::move(*last);
}

}  // namespace

socket::socket() noexcept = default;

socket::socket(int fd, lsock::family fam, socket_type type, bool listening, bool multicast) noexcept
    : fd_(fd), family_(fam), type_(type), listening_(listening), multicast_(multicast) {}

socket::socket(socket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      family_(o.family_),
      type_(o.type_),
      listening_(o.listening_),
      multicast_(o.multicast_),
      sticky_error_(o.sticky_error_),
      race_(std::move(o.race_)),
      last_to_(std::move(o.last_to_)) {}

socket& socket::operator=(socket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0 || race_ || last_to_) (void)close();
    fd_ = std::exchange(o.fd_, -1);
    family_ = o.family_;
    type_ = o.type_;
    listening_ = o.listening_;
    multicast_ = o.multicast_;
    sticky_error_ = o.sticky_error_;
    race_ = std::move(o.race_);
    last_to_ = std::move(o.last_to_);
  }
  return *this;
}

// Most sockets destroyed are moved-from temporaries: nothing to close, no result to build.
socket::~socket() {
  if (fd_ >= 0 || race_ || last_to_) (void)close();
}

result<socket> socket::bind(socket_type type, std::string_view address, int port,
                            const socket_options& opts) {
  if (opts.backlog < 0) return library_error("bind", EINVAL, "backlog must not be negative");
  auto candidates = resolve_endpoints("bind", address, port, type, opts.prefer);
  if (!candidates) return std::move(candidates).error();
  return first_that_works(*candidates, [&](const endpoint& ep) -> result<socket> {
    if (auto ok = check_mcast_family("bind", type, ep); !ok) return std::move(ok).error();
    auto fd = open_socket(ep, type);
    if (!fd) return std::move(fd).error();
    // SO_REUSEADDR: tcp may rebind a port in TIME_WAIT; mcast receivers share a group's port.
    // Not plain udp: there it lets two sockets share a port, and bind(port 0) may hand out
    // one already taken.
    if (ep.family() != family::unix_domain && type != socket_type::udp) {
      if (auto ok = set_int_option(*fd, SOL_SOCKET, SO_REUSEADDR, 1); !ok) {
        return std::move(ok).error();
      }
    }
    endpoint local = ep;
    if (type == socket_type::mcast) {
      if (auto ok = detail::setup_mcast_receiver(*fd, local, opts); !ok) {
        return std::move(ok).error();
      }
    }
    if (sys().bind(fd->get(), detail::as_sockaddr(local), local.size()) < 0) {
      return system_error("bind", errno);
    }
    // bind() created the socket file of a unix path; if the caller gets no socket, nothing may
    // remain (the next bind would fail with EADDRINUSE).
    unix_path_guard file(local);
    if (type == socket_type::tcp && sys().listen(fd->get(), opts.backlog) < 0) {
      return system_error("listen", errno);
    }
    file.release();
    return socket(fd->release(), ep.family(),
                  type == socket_type::tcp ? socket_type::tcp : socket_type::udp, true,
                  type == socket_type::mcast);
  });
}

result<socket> socket::connect(socket_type type, std::string_view address, int port,
                               const socket_options& opts) {
  if (type == socket_type::mcast && (opts.ttl < 0 || opts.ttl > 255)) {
    return library_error("connect", EINVAL, "ttl out of range (0-255)");
  }
  auto prefer = opts.prefer;
  if (endpoint src; prefer == family_preference::any && !opts.source.empty() &&
                    parse_ip_literal(opts.source, 0, src)) {
    prefer = src.family() == family::inet ? family_preference::inet : family_preference::inet6;
  }
  // An IP literal, the common case, is its own only candidate: no list to allocate.
  if (endpoint ep; port >= 0 && port <= 65535 && parse_ip_literal(address, port, ep)) {
    return connect(type, std::span<const endpoint>(&ep, 1), opts);
  }
  auto candidates = resolve_endpoints("connect", address, port, type, prefer);
  if (!candidates) return std::move(candidates).error();
  return connect(type, *candidates, opts);
}

result<socket> socket::connect(socket_type type, std::span<const endpoint> candidates,
                               const socket_options& opts) {
  if (candidates.empty()) return library_error("connect", EINVAL, "no address to connect to");
  if (type == socket_type::tcp && candidates.size() > 1 &&
      candidates.front().family() != family::unix_domain) {
    // The original took only the first address of a name; a race tries them all.
    detail::connect_race race(detail::interleave_families(candidates), opts.source);
    auto fd = race.start(detail::monotonic_ns());
    if (!fd) return std::move(fd).error();
    socket s(*fd, race.primary_family(), socket_type::tcp, false, false);
    if (!race.done()) s.race_ = std::make_unique<detail::connect_race>(std::move(race));
    return s;
  }
  return first_that_works(candidates, [&](const endpoint& ep) -> result<socket> {
    if (auto ok = check_mcast_family("connect", type, ep); !ok) return std::move(ok).error();
    auto fd = open_socket(ep, type);
    if (!fd) return std::move(fd).error();
    endpoint remote = ep;
    if (type == socket_type::mcast) {
      if (auto ok = detail::setup_mcast_sender(*fd, remote, opts); !ok) {
        return std::move(ok).error();
      }
    }
    if (!opts.source.empty()) {
      if (auto ok = bind_source(*fd, ep, opts.source); !ok) return std::move(ok).error();
    }
    // Non-blocking: EINPROGRESS is the normal answer for a stream (unix: EAGAIN when the
    // listener's backlog is full is an error); an interrupted connect goes on just the same.
    if (sys().connect(fd->get(), detail::as_sockaddr(remote), remote.size()) < 0 &&
        errno != EINPROGRESS && errno != EINTR) {
      return system_error("connect", errno);
    }
    return socket(fd->release(), ep.family(),
                  type == socket_type::tcp ? socket_type::tcp : socket_type::udp, false,
                  type == socket_type::mcast);
  });
}

result<socket> socket::connect_wait(socket_type type, std::span<const endpoint> candidates,
                                    const socket_options& opts, const connect_limits& limits) {
  auto s = connect(type, candidates, opts);
  if (!s) return s;
  selector sel;
  socket* racing[1] = {&*s};
  std::vector<int> reads(limits.stop_fds.begin(), limits.stop_fds.end());
  const int fd = s->fd();
  for (;;) {
    std::int64_t wait_ms = -1;
    if (limits.deadline_ns != 0) {
      wait_ms = (limits.deadline_ns - detail::monotonic_ns() + 999'999) / 1'000'000;
      if (wait_ms <= 0) break;
    }
    auto r = sel.wait(reads, std::span<const int>(&fd, 1), wait_ms, racing);
    if (!r) return std::move(r).error();
    if (!sel.ready_read().empty()) return library_error("connect", EINTR, "interrupted");
    if (!*r) continue;  // woken early; the deadline is checked above
    if (auto st = s->status(); !st) return std::move(st).error();
    return s;
  }
  char text[48];
  (void)std::snprintf(text, sizeof text, "timed out after %g s", limits.timeout_s);
  return library_error("connect", ETIMEDOUT, text);
}

bool socket::settle_race() {
  if (!race_) return true;
  switch (race_->advance(fd_, detail::monotonic_ns())) {
    case detail::connect_race::state::racing:
      return false;
    case detail::connect_race::state::connected:
      family_ = race_->primary_family();
      break;
    case detail::connect_race::state::failed:
      sticky_error_ = race_->failure().code;
      break;
  }
  race_.reset();
  return true;
}

result<void> socket::check_open(std::string_view op) const {
  if (fd_ < 0) return library_error(op, EBADF, "socket is closed");
  return {};
}

result<void> socket::check_usable(std::string_view op) const {
  if (fd_ < 0) return library_error(op, EBADF, "socket is closed");
  // status() took the pending error from the kernel; I/O must not then look like an orderly
  // close (recv after a refused connect would return 0).
  if (sticky_error_ != 0) return system_error(op, sticky_error_);
  return {};
}

result<io_status> socket::accept(accepted& out) {
  if (fd_ < 0) [[unlikely]] {
    return check_open("accept").error();
  }
  socklen_t len = detail::endpoint_capacity;
  const int fd = detail::retry_eintr([&] {
    return sys().accept4(fd_, detail::as_sockaddr(out.peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
  if (fd < 0) {
    // ECONNABORTED: the client gave up before we got to it; nothing is pending for us.
    if (is_would_block(errno) || errno == ECONNABORTED) return io_status::would_block;
    return system_error("accept", errno);
  }
  detail::set_size(out.peer, len);
  out.socket = socket(fd, family_, type_, false, multicast_);
  return io_status::ready;
}

result<transfer> socket::recv(std::span<char> buf) {
  if (fd_ < 0 || sticky_error_ != 0 || race_) [[unlikely]] {
    if (race_ && fd_ >= 0 && !settle_race()) return transfer{};  // still connecting
    if (auto ok = check_usable("recv"); !ok) return std::move(ok).error();
  }
  const bool datagram = type_ != socket_type::tcp;
  // MSG_TRUNC makes the kernel return a datagram's full length, so truncation is reported.
  const ssize_t n = detail::retry_eintr(
      [&] { return sys().recv(fd_, buf.data(), buf.size(), datagram ? MSG_TRUNC : 0); });
  if (n < 0) {
    if (is_would_block(errno)) return transfer{};
    return system_error("recv", errno);
  }
  const auto got = static_cast<std::size_t>(n);
  if (!datagram) {
    if (got == 0 && !buf.empty()) return transfer{io_status::closed};
    return transfer{io_status::ready, got};
  }
  return transfer{io_status::ready, std::min(got, buf.size()), got > buf.size(), got};
}

result<transfer> socket::recvfrom(std::span<char> buf, endpoint& from) {
  if (fd_ < 0 || sticky_error_ != 0) [[unlikely]] {
    return check_usable("recvfrom").error();
  }
  if (type_ == socket_type::tcp) {
    // Streams have one sender: read, then name the peer. Nothing read is ever dropped (the
    // original consumed the data, then returned nil and a stale error).
    auto r = recv(buf);
    if (r && r->status == io_status::ready) {
      socklen_t len = detail::endpoint_capacity;
      if (sys().getpeername(fd_, detail::as_sockaddr(from), &len) == 0) {
        detail::set_size(from, len);
      } else {
        detail::set_size(from, 0);
      }
    }
    return r;
  }
  socklen_t len = detail::endpoint_capacity;
  const ssize_t n = detail::retry_eintr([&] {
    return sys().recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC, detail::as_sockaddr(from), &len);
  });
  if (n < 0) {
    if (is_would_block(errno)) return transfer{};
    return system_error("recvfrom", errno);
  }
  detail::set_size(from, len);
  const auto got = static_cast<std::size_t>(n);
  return transfer{io_status::ready, std::min(got, buf.size()), got > buf.size(), got};
}

result<transfer> socket::send(std::string_view data) {
  if (fd_ < 0 || sticky_error_ != 0 || race_) [[unlikely]] {
    if (race_ && fd_ >= 0 && !settle_race()) return transfer{};  // still connecting
    if (auto ok = check_usable("send"); !ok) return std::move(ok).error();
  }
  const ssize_t n =
      detail::retry_eintr([&] { return sys().send(fd_, data.data(), data.size(), MSG_NOSIGNAL); });
  if (n < 0) {
    if (is_would_block(errno)) return transfer{};
    return system_error("send", errno);
  }
  return transfer{io_status::ready, static_cast<std::size_t>(n)};
}

result<transfer> socket::sendto(std::string_view data, const endpoint& to) {
  if (fd_ < 0 || sticky_error_ != 0) [[unlikely]] {
    return check_usable("sendto").error();
  }
  const ssize_t n = detail::retry_eintr([&] {
    return sys().sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, detail::as_sockaddr(to),
                        to.size());
  });
  if (n < 0) {
    if (is_would_block(errno)) return transfer{};
    return system_error("sendto", errno);
  }
  return transfer{io_status::ready, static_cast<std::size_t>(n)};
}

namespace {

/// An IPv4 address as ::ffff:a.b.c.d, so an IPv6 socket can reach it.
endpoint v4_mapped(const endpoint& v4) noexcept {
  const auto* in = static_cast<const sockaddr_in*>(detail::storage(v4));
  endpoint out;
  auto* in6 = static_cast<sockaddr_in6*>(detail::storage(out));
  in6->sin6_family = AF_INET6;
  in6->sin6_port = in->sin_port;
  in6->sin6_addr.s6_addr[10] = 0xff;
  in6->sin6_addr.s6_addr[11] = 0xff;
  std::memcpy(&in6->sin6_addr.s6_addr[12], &in->sin_addr, 4);
  detail::set_size(out, sizeof(sockaddr_in6));
  return out;
}

}  // namespace

result<transfer> socket::sendto(std::string_view data, std::string_view address, int port) {
  if (fd_ < 0) [[unlikely]] {
    return check_open("sendto").error();
  }
  // The common case, an IP literal, needs no lookup and no allocation; the same literal as
  // last time is not even parsed again.
  if (last_to_ && last_to_->matches(address, port)) return sendto(data, last_to_->to);
  if (endpoint ep; port >= 0 && port <= 65535 && parse_ip_literal(address, port, ep)) {
    const bool mapped = family_ == family::inet6 && ep.family() == family::inet;
    if (ep.family() == family_ || mapped) {
      if (mapped) ep = v4_mapped(ep);
      if (!last_to_) last_to_.reset(new (std::nothrow) detail::last_destination);
      if (last_to_) last_to_->remember(address, port, ep);
      return sendto(data, ep);
    }
  }
  // Resolve in the socket's own family, unlike the original: an IPv4 socket never gets an IPv6
  // address for a name that has both. An IPv6 socket takes the name's IPv6 address if it has
  // one, else its IPv4 address v4-mapped, as it does for an IPv4 literal.
  const auto prefer = family_ == family::inet ? family_preference::inet : family_preference::any;
  auto candidates =
      resolve_endpoints("sendto", address, port,
                        type_ == socket_type::tcp ? socket_type::tcp : socket_type::udp, prefer);
  if (!candidates) return std::move(candidates).error();
  for (const endpoint& ep : *candidates) {
    if (ep.family() == family_) return sendto(data, ep);
  }
  for (const endpoint& ep : *candidates) {
    if (family_ == family::inet6 && ep.family() == family::inet) return sendto(data, v4_mapped(ep));
  }
  return library_error("sendto", EAFNOSUPPORT,
                       "address family of the destination does not match the socket");
}

result<void> socket::shutdown_write() {
  if (auto ok = check_open("shutdown"); !ok) return ok;
  (void)settle_race();
  if (sys().shutdown(fd_, SHUT_WR) < 0) return system_error("shutdown", errno);
  return {};
}

result<void> socket::status() {
  if (auto ok = check_open("status"); !ok) return std::move(ok).error();
  if (!settle_race()) return {};  // still racing: connecting, as lsocket says
  if (sticky_error_ == 0) {
    int err = 0;
    socklen_t len = sizeof err;
    if (sys().getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
      return system_error("status", errno);
    }
    // SO_ERROR is cleared by reading it; remember it so status() keeps reporting it (the
    // original said true on a second call after a refused connect).
    sticky_error_ = err;
  }
  // The error is the connect's, and is named so: "connect: Connection refused".
  if (sticky_error_ != 0) return system_error("connect", sticky_error_);
  return {};
}

socket_info socket::info() const noexcept {
  return socket_info{fd_, family_, type_, listening_, multicast_};
}

namespace {

/// getsockname() or getpeername(), named `op` in errors.
result<endpoint> name_of(int fd, const char* op, int (*call)(int, sockaddr*, socklen_t*)) {
  endpoint ep;
  socklen_t len = detail::endpoint_capacity;
  if (call(fd, detail::as_sockaddr(ep), &len) < 0) return system_error(op, errno);
  detail::set_size(ep, len);
  return ep;
}

}  // namespace

result<endpoint> socket::local_endpoint() const {
  if (auto ok = check_open("getsockname"); !ok) return std::move(ok).error();
  return name_of(fd_, "getsockname", sys().getsockname);
}

result<endpoint> socket::peer_endpoint() const {
  if (auto ok = check_open("getpeername"); !ok) return std::move(ok).error();
  return name_of(fd_, "getpeername", sys().getpeername);
}

int socket::release() noexcept {
  race_.reset();  // whoever takes the descriptor gets the first attempt, as with one address
  const int fd = std::exchange(fd_, -1);
  // Its number may name another file by the next select: a cached epoll set must recheck it.
  if (fd >= 0) detail::note_fd_gone(fd);
  return fd;
}

result<void> socket::set_fd(int newfd) {
  if (newfd != -1) return library_error("setfd", EINVAL, "invalid fd: only -1 is allowed");
  (void)release();
  return {};
}

result<void> socket::close() {
  // Everything a socket owns goes here, not in the destructor: the Lua module frees a socket's
  // memory after its __gc closes it, without running the destructor.
  race_.reset();
  last_to_.reset();
  if (fd_ < 0) return {};
  // Not retried on EINTR: Linux releases the descriptor even then.
  const int fd = std::exchange(fd_, -1);
  const int rc = sys().close(fd);
  detail::note_fd_gone(fd);  // a cached epoll set must recheck this number
  if (rc < 0 && errno != EINTR) return system_error("close", errno);
  return {};
}

}  // namespace lsock
