#pragma once
// The first steps every socket takes: socket() non-blocking and close-on-exec, and, for a
// connect with socket_options::source, the bind of its local end.

#include <string_view>

#include "detail/unique_fd.hpp"
#include "lsock/address.hpp"
#include "lsock/result.hpp"

namespace lsock::detail {

/// socket() for `ep`'s family: SOCK_STREAM for tcp, SOCK_DGRAM otherwise.
result<unique_fd> open_socket(const endpoint& ep, socket_type type);

/// Binds `fd` to the IP literal `source` with port 0, before connecting it to `to`. Errors:
/// not an IP literal (EINVAL), another family than `to` (EAFNOSUPPORT), bind()'s.
result<void> bind_source(const unique_fd& fd, const endpoint& to, std::string_view source);

}  // namespace lsock::detail
