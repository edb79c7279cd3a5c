#pragma once
// Reading back the buffer sizes set_send_buffer / set_receive_buffer asked for (the kernel
// doubles the request and caps it): for the tests that check what the kernel chose.

#include "lsock/result.hpp"
#include "lsock/socket.hpp"

namespace lsock::detail {

/// SO_SNDBUF / SO_RCVBUF as the kernel reports them. Errors: EBADF on a closed socket.
result<int> send_buffer_size(const socket& s);
result<int> receive_buffer_size(const socket& s);

}  // namespace lsock::detail
