#pragma once
/// result<T>: a value or an lsock::error, shaped like std::expected (C++23) so it can be
/// replaced by it later. Non-blocking I/O outcomes (io_status) live here too.

#include <cstddef>
#include <optional>
#include <utility>
#include <variant>

#include "lsock/error.hpp"

namespace lsock {

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}         // NOLINT
  result(lsock::error err) : v_(std::in_place_index<1>, std::move(err)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// Precondition: has_value().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Precondition: !has_value().
  const lsock::error& error() const& { return std::get<1>(v_); }
  lsock::error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, lsock::error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(lsock::error err) : err_(std::move(err)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return !err_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  /// Precondition: !has_value().
  const lsock::error& error() const& { return *err_; }
  lsock::error&& error() && { return std::move(*err_); }

 private:
  std::optional<lsock::error> err_;
};

/// The outcomes of a non-blocking call that did not fail.
enum class io_status {
  ready,        ///< it happened: data read, bytes sent, connection accepted
  would_block,  ///< nothing to do now (EAGAIN); wait with select and try again
  closed,       ///< the peer closed the stream in order (recv returned 0 on a stream)
};

/// The outcome of recv/recvfrom/send/sendto.
struct transfer {
  io_status status = io_status::would_block;
  std::size_t bytes = 0;   ///< bytes moved when ready (0 is a valid zero-length datagram)
  bool truncated = false;  ///< recv on a datagram socket: the datagram was longer than the buffer
  std::size_t datagram_size = 0;  ///< recv on a datagram socket: its full length
};

}  // namespace lsock
