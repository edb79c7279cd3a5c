#pragma once
/// The file a unix socket's bind() creates: who removes it.
///
/// bind() on a unix path creates a socket file that outlives the socket; while it exists, the
/// next bind() of the same path fails with EADDRINUSE. libcore removes it when a bind() it made
/// gives the caller no socket (listen() failed); a program that wants the path free again after
/// its socket closes (as socat does, and the lsock CLI's listeners) holds a unix_path_guard.
/// Abstract names ('@name') and IP endpoints have no file: the guard does nothing for them.

#include <string>

#include "lsock/address.hpp"
#include "lsock/socket.hpp"

namespace lsock {

/// Removes the socket file of a bound unix path when it goes out of scope. Move-only.
class unix_path_guard {
 public:
  unix_path_guard() = default;
  /// Guards the file of `bound` (a socket's local_endpoint()) when it is a unix path; an
  /// abstract name, an unnamed unix socket or an IP endpoint is left alone.
  explicit unix_path_guard(const endpoint& bound);
  /// Guards the file `s` is bound to (its local_endpoint()); nothing when that cannot be read.
  explicit unix_path_guard(const socket& s);
  unix_path_guard(unix_path_guard&& other) noexcept;
  unix_path_guard& operator=(unix_path_guard&& other) noexcept;
  unix_path_guard(const unix_path_guard&) = delete;
  unix_path_guard& operator=(const unix_path_guard&) = delete;
  /// Removes the file (a file already gone is fine).
  ~unix_path_guard();

  /// The guarded path; "" when there is none.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// Keeps the file: the guard no longer removes it.
  void release() noexcept { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace lsock
