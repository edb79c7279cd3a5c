#pragma once
/// lsocket's socket: non-blocking, close-on-exec, created by bind() or connect().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "lsock/address.hpp"
#include "lsock/result.hpp"

namespace lsock {

namespace detail {
class connect_race;
struct last_destination;
}  // namespace detail
class selector;

/// Settings beyond lsocket's positional arguments. Defaults are lsocket's.
struct socket_options {
  family_preference prefer = family_preference::any;  ///< for hostnames: force IPv4 or IPv6
  int backlog = 5;                                    ///< bind, tcp: listen() backlog
  int ttl = 1;        ///< connect, mcast: IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS (0..255)
  std::string iface;  ///< mcast: interface name ("eth0") or address to join on / send from;
                      ///< empty: chosen by group_interface() (lsock/multicast.hpp)
  /// connect, tcp/udp: the local IP literal to send from (bound with port 0 before connecting).
  /// Its family must match the destination's; a name with several addresses tries only those
  /// of the source's family.
  std::string source;
};

/// What socket:info() reports.
struct socket_info {
  int fd = -1;
  lsock::family family = family::unspec;
  socket_type type = socket_type::tcp;  ///< tcp or udp (mcast sockets say udp + multicast)
  bool listening = false;               ///< made by bind() (udp too — lsocket's definition)
  bool multicast = false;               ///< made with type mcast
};

/// What bounds socket::connect_wait().
struct connect_limits {
  /// std::chrono::steady_clock time (ns since its epoch) to give up at; 0: none.
  std::int64_t deadline_ns = 0;
  /// The timeout as the user gave it, for the error message ("timed out after 0.5 s").
  double timeout_s = 0;
  /// Descriptors whose readability means "stop" (a signal's wake pipe).
  std::span<const int> stop_fds;
};

struct accepted;

/// One socket. Move-only; the destructor closes the descriptor.
/// Every method on a closed socket returns a library error (EBADF, "socket is closed").
class socket {
 public:
  socket() noexcept;
  socket(socket&& other) noexcept;
  socket& operator=(socket&& other) noexcept;
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;
  ~socket();

  /// Creates a socket bound to address:port. tcp sockets listen with opts.backlog; mcast
  /// sockets get SO_BROADCAST (IPv4) and join the group when `address` is a multicast
  /// group (IPv4 224.0.0.0/4 or IPv6 ff00::/8) on the interface group_interface() gives for
  /// opts.iface (interface- and link-local IPv6 groups are bound with it as scope id; a
  /// link-local group with no single route interface is an error, see interface_needed()).
  /// Every failure of socket()/setsockopt()/bind()/listen() is reported and the fd released.
  static result<socket> bind(socket_type type, std::string_view address, int port,
                             const socket_options& opts = {});
  /// Creates a socket connecting to address:port and returns at once (only the name lookup
  /// blocks). tcp connects without blocking: wait for writability with select, then call
  /// status(). A name with several addresses is raced as RFC 8305 describes: the next address
  /// is tried when one fails or after 250 ms without an answer, families alternating, at most
  /// three attempts at a time (the oldest but the first gives way for the next); the first to
  /// connect is moved onto this socket's descriptor (fd() never changes). Only a selector given the
  /// socket (selector::wait's `connecting`, which lsocket.select passes) or status() moves the race
  /// on; a foreign poller watching fd() sees only the first attempt. While the race runs, status()
  /// is ok and send/recv would block; when every address failed, status() reports a refusal if any
  /// address refused, else the failure that came last. mcast sets TTL/hops and the sending
  /// interface: group_interface()'s, and for IPv4 without one the route's interface.
  static result<socket> connect(socket_type type, std::string_view address, int port,
                                const socket_options& opts = {});
  /// As connect(), to addresses already resolved (with their ports), tried in this order.
  static result<socket> connect(socket_type type, std::span<const endpoint> candidates,
                                const socket_options& opts = {});
  /// connect() to `candidates`, then waits for the outcome: the connected socket, or an error
  /// — the race's (see connect()) when every address failed, ETIMEDOUT (op "connect", "timed out
  /// after S s") at the deadline, EINTR ("interrupted") when a stop descriptor turns readable.
  static result<socket> connect_wait(socket_type type, std::span<const endpoint> candidates,
                                     const socket_options& opts, const connect_limits& limits);

  /// True while a tcp connect is still racing several addresses (see connect()).
  [[nodiscard]] bool connecting() const noexcept { return race_ != nullptr; }

  /// A pending connection (ready), or would_block. Errors on udp / non-listening sockets.
  result<io_status> accept(accepted& out);
  /// Reads into `buf`. ready (bytes may be 0 for a zero-length datagram), would_block, or
  /// closed (orderly shutdown of a stream). Datagrams longer than `buf` set `truncated`.
  result<transfer> recv(std::span<char> buf);
  /// As recv, also giving the sender (for streams: the connected peer; nothing is lost).
  result<transfer> recvfrom(std::span<char> buf, endpoint& from);
  /// Sends without SIGPIPE. ready with the count written (may be partial), or would_block.
  result<transfer> send(std::string_view data);
  /// Sends a datagram to address:port, resolving names in this socket's own family.
  result<transfer> sendto(std::string_view data, std::string_view address, int port);
  result<transfer> sendto(std::string_view data, const endpoint& to);

  /// Half-close: no more sending (shutdown(SHUT_WR)); the peer reads end-of-stream.
  result<void> shutdown_write();

  /// The socket's pending error (SO_ERROR), with op "connect" (a failed getsockopt itself is
  /// op "status"). Once an error was seen it is remembered, so a
  /// second call reports it again — and recv/recvfrom/send/sendto report it too, rather than
  /// the orderly close the kernel would show after a refused connect.
  result<void> status();
  [[nodiscard]] socket_info info() const noexcept;
  /// getsockname(): abstract names read back with their '@'.
  result<endpoint> local_endpoint() const;
  /// getpeername().
  result<endpoint> peer_endpoint() const;

  /// Ok when open; else the library error (EBADF, "socket is closed") every method reports.
  [[nodiscard]] result<void> check_open(std::string_view op) const;

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  /// setfd(-1): forget the descriptor without closing it (someone else owns it now).
  /// Returns the descriptor it held.
  int release() noexcept;
  /// lsocket's setfd(): only -1 is accepted (then as release()); anything else is EINVAL.
  result<void> set_fd(int newfd);
  /// Closes the descriptor and releases what the socket holds (the Lua module frees a socket's
  /// memory after closing it, without its destructor). Closing a closed socket succeeds.
  result<void> close();

 private:
  socket(int fd, lsock::family fam, socket_type type, bool listening, bool multicast) noexcept;

  /// check_open(), and the error status() remembered, if any.
  [[nodiscard]] result<void> check_usable(std::string_view op) const;

  friend class selector;
  /// Moves a racing connect on (never blocks). True once the race is over: connected (the
  /// winner is on fd_) or failed (its error is remembered as status()'s).
  bool settle_race();

  int fd_ = -1;
  lsock::family family_ = family::unspec;
  socket_type type_ = socket_type::tcp;  ///< tcp or udp
  bool listening_ = false;
  bool multicast_ = false;
  int sticky_error_ = 0;                               ///< first SO_ERROR seen by status()
  std::unique_ptr<detail::connect_race> race_;         ///< while connecting to several addresses
  std::unique_ptr<detail::last_destination> last_to_;  ///< sendto's last literal destination
};

/// A connection taken by socket::accept().
struct accepted {
  lsock::socket socket;
  endpoint peer;
};

}  // namespace lsock
