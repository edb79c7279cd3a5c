#pragma once
/// lsocket's socket: non-blocking, close-on-exec, created by bind() or connect().

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "lsock/address.hpp"
#include "lsock/result.hpp"

namespace lsock {

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

struct accepted;

/// One socket. Move-only; the destructor closes the descriptor.
/// Every method on a closed socket returns a library error (EBADF, "socket is closed").
class socket {
 public:
  socket() = default;
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
  /// Creates a socket connecting to address:port. tcp connects without blocking: wait for
  /// writability with select, then call status(). mcast sets TTL/hops and the sending
  /// interface: group_interface()'s, and for IPv4 without one the route's interface.
  static result<socket> connect(socket_type type, std::string_view address, int port,
                                const socket_options& opts = {});

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

  /// The socket's pending error (SO_ERROR). Once an error was seen it is remembered, so a
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
  /// Closes the descriptor. Closing a closed socket succeeds and does nothing.
  result<void> close();

 private:
  socket(int fd, lsock::family fam, socket_type type, bool listening, bool multicast) noexcept
      : fd_(fd), family_(fam), type_(type), listening_(listening), multicast_(multicast) {}

  /// check_open(), and the error status() remembered, if any.
  [[nodiscard]] result<void> check_usable(std::string_view op) const;

  int fd_ = -1;
  lsock::family family_ = family::unspec;
  socket_type type_ = socket_type::tcp;  ///< tcp or udp
  bool listening_ = false;
  bool multicast_ = false;
  int sticky_error_ = 0;  ///< first SO_ERROR seen by status()
};

/// A connection taken by socket::accept().
struct accepted {
  lsock::socket socket;
  endpoint peer;
};

}  // namespace lsock
