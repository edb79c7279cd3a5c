#include "lsock/socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "detail/fd_events.hpp"
#include "detail/multicast_setup.hpp"
#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"
#include "detail/unique_fd.hpp"

namespace lsock {
namespace {

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

int sock_type_for(socket_type t) noexcept {
  return t == socket_type::tcp ? SOCK_STREAM : SOCK_DGRAM;
}

result<detail::unique_fd> open_socket(const endpoint& ep, socket_type type) {
  detail::unique_fd fd(sys().socket(detail::as_sockaddr(ep)->sa_family,
                                    sock_type_for(type) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return system_error("socket", errno);
  return fd;
}

result<void> check_mcast_family(std::string_view op, socket_type type, const endpoint& ep) {
  if (type == socket_type::mcast && ep.family() == family::unix_domain) {
    return library_error(op, EAFNOSUPPORT, "multicast not available for unix domain sockets");
  }
  return {};
}

/// connect with socket_options::source: bind the local end to that IP literal, port 0.
result<void> bind_source(const detail::unique_fd& fd, const endpoint& to, std::string_view source) {
  endpoint local;
  if (!parse_ip_literal(source, 0, local)) {
    return library_error("bind", EINVAL, "source must be an IP address");
  }
  if (local.family() != to.family()) {
    return library_error("bind", EAFNOSUPPORT,
                         "source address family differs from the destination's");
  }
  if (sys().bind(fd.get(), detail::as_sockaddr(local), local.size()) < 0) {
    return system_error("bind", errno);
  }
  return {};
}

/// How long connect() waits for an early failure before it settles on one of several addresses
/// (RFC 8305's "connection attempt delay").
constexpr int fallback_delay_ms = 250;

/// The error an in-progress tcp connect ended with within fallback_delay_ms, else 0 (connected
/// or still pending).
int early_connect_error(int fd) {
  pollfd p{fd, POLLOUT, 0};
  int rc = 0;
  do {
    rc = sys().poll(&p, 1, fallback_delay_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc <= 0) return 0;
  int err = 0;
  socklen_t len = sizeof err;
  if (sys().getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}

/// Tries each candidate address in turn; reports the last failure if none works.
template <class TryOne>
result<socket> first_that_works(const std::vector<endpoint>& candidates, TryOne&& try_one) {
  std::optional<error> last;
  for (const endpoint& ep : candidates) {
    auto s = try_one(ep);
    if (s) return s;
    last = std::move(s).error();
  }
  return std::move(*last);
}

}  // namespace

socket::socket(socket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      family_(o.family_),
      type_(o.type_),
      listening_(o.listening_),
      multicast_(o.multicast_),
      sticky_error_(o.sticky_error_) {}

socket& socket::operator=(socket&& o) noexcept {
  if (this != &o) {
    (void)close();
    fd_ = std::exchange(o.fd_, -1);
    family_ = o.family_;
    type_ = o.type_;
    listening_ = o.listening_;
    multicast_ = o.multicast_;
    sticky_error_ = o.sticky_error_;
  }
  return *this;
}

socket::~socket() { (void)close(); }

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
    if (type == socket_type::tcp && sys().listen(fd->get(), opts.backlog) < 0) {
      const int err = errno;
      // bind() created the socket file; the caller gets no socket, so nothing may remain.
      if (local.family() == family::unix_domain && !address.starts_with('@')) {
        (void)::unlink(local.addr().c_str());
      }
      return system_error("listen", err);
    }
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
  if (endpoint src; prefer == family_preference::any && parse_ip_literal(opts.source, 0, src)) {
    prefer = src.family() == family::inet ? family_preference::inet : family_preference::inet6;
  }
  const endpoint* last = nullptr;
  auto try_one = [&](const endpoint& ep) -> result<socket> {
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
    // Non-blocking: EINPROGRESS is the normal answer for tcp; an interrupted connect goes on
    // in the background just the same.
    if (sys().connect(fd->get(), detail::as_sockaddr(remote), remote.size()) < 0) {
      if (errno != EINPROGRESS && errno != EINTR) return system_error("connect", errno);
      // A name with more addresses ("localhost": ::1, then 127.0.0.1): a refusal usually
      // arrives within microseconds, after connect() returned. Wait a moment for it so the
      // next address gets its turn (known defect 12); a slow answer keeps this address.
      if (type == socket_type::tcp && &ep != last) {
        if (const int err = early_connect_error(fd->get()); err != 0) {
          return system_error("connect", err);
        }
      }
    }
    return socket(fd->release(), ep.family(),
                  type == socket_type::tcp ? socket_type::tcp : socket_type::udp, false,
                  type == socket_type::mcast);
  };
  // An IP literal, the common case, is its own only candidate: no list to allocate.
  if (endpoint ep; port >= 0 && port <= 65535 && parse_ip_literal(address, port, ep)) {
    last = &ep;
    return try_one(ep);
  }
  auto candidates = resolve_endpoints("connect", address, port, type, prefer);
  if (!candidates) return std::move(candidates).error();
  last = &candidates->back();
  return first_that_works(*candidates, try_one);
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
  endpoint peer;
  socklen_t len = endpoint::capacity();
  const int fd = detail::retry_eintr([&] {
    return sys().accept4(fd_, detail::as_sockaddr(peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
  if (fd < 0) {
    // ECONNABORTED: the client gave up before we got to it; nothing is pending for us.
    if (is_would_block(errno) || errno == ECONNABORTED) return io_status::would_block;
    return system_error("accept", errno);
  }
  peer.set_size(len);
  out.socket = socket(fd, family_, type_, false, multicast_);
  out.peer = peer;
  return io_status::ready;
}

result<transfer> socket::recv(std::span<char> buf) {
  if (fd_ < 0 || sticky_error_ != 0) [[unlikely]] {
    return check_usable("recv").error();
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
    // Streams have one sender: read, then name the peer. Nothing read is ever dropped
    // (known defect 6).
    auto r = recv(buf);
    if (r && r->status == io_status::ready) {
      socklen_t len = endpoint::capacity();
      if (sys().getpeername(fd_, detail::as_sockaddr(from), &len) == 0) {
        from.set_size(len);
      } else {
        from.set_size(0);
      }
    }
    return r;
  }
  socklen_t len = endpoint::capacity();
  const ssize_t n = detail::retry_eintr([&] {
    return sys().recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC, detail::as_sockaddr(from), &len);
  });
  if (n < 0) {
    if (is_would_block(errno)) return transfer{};
    return system_error("recvfrom", errno);
  }
  from.set_size(len);
  const auto got = static_cast<std::size_t>(n);
  return transfer{io_status::ready, std::min(got, buf.size()), got > buf.size(), got};
}

result<transfer> socket::send(std::string_view data) {
  if (fd_ < 0 || sticky_error_ != 0) [[unlikely]] {
    return check_usable("send").error();
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
  const auto* in = static_cast<const sockaddr_in*>(v4.data());
  endpoint out;
  auto* in6 = static_cast<sockaddr_in6*>(out.data());
  in6->sin6_family = AF_INET6;
  in6->sin6_port = in->sin_port;
  in6->sin6_addr.s6_addr[10] = 0xff;
  in6->sin6_addr.s6_addr[11] = 0xff;
  std::memcpy(&in6->sin6_addr.s6_addr[12], &in->sin_addr, 4);
  out.set_size(sizeof(sockaddr_in6));
  return out;
}

}  // namespace

result<transfer> socket::sendto(std::string_view data, std::string_view address, int port) {
  if (fd_ < 0) [[unlikely]] {
    return check_open("sendto").error();
  }
  // The common case, an IP literal, needs no lookup and no allocation.
  if (endpoint ep; port >= 0 && port <= 65535 && parse_ip_literal(address, port, ep)) {
    if (ep.family() == family_) return sendto(data, ep);
    if (family_ == family::inet6) return sendto(data, v4_mapped(ep));
  }
  // Resolve in the socket's own family (known defect 13): an IPv4 socket never gets an IPv6
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
  if (sys().shutdown(fd_, SHUT_WR) < 0) return system_error("shutdown", errno);
  return {};
}

result<void> socket::status() {
  if (auto ok = check_open("status"); !ok) return std::move(ok).error();
  if (sticky_error_ == 0) {
    int err = 0;
    socklen_t len = sizeof err;
    if (sys().getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
      return system_error("status", errno);
    }
    // SO_ERROR is cleared by reading it; remember it so status() keeps reporting it
    // (known defect 16).
    sticky_error_ = err;
  }
  if (sticky_error_ != 0) return system_error("status", sticky_error_);
  return {};
}

socket_info socket::info() const noexcept {
  return socket_info{fd_, family_, type_, listening_, multicast_};
}

namespace {

/// getsockname() or getpeername(), named `op` in errors.
result<endpoint> name_of(int fd, const char* op, int (*call)(int, sockaddr*, socklen_t*)) {
  endpoint ep;
  socklen_t len = endpoint::capacity();
  if (call(fd, detail::as_sockaddr(ep), &len) < 0) return system_error(op, errno);
  ep.set_size(len);
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
  if (fd_ < 0) return {};
  // Not retried on EINTR: Linux releases the descriptor even then.
  const int fd = std::exchange(fd_, -1);
  const int rc = sys().close(fd);
  detail::note_fd_gone(fd);  // a cached epoll set must recheck this number
  if (rc < 0 && errno != EINTR) return system_error("close", errno);
  return {};
}

}  // namespace lsock
