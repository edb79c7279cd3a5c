#include "detail/syscalls.hpp"

#include <unistd.h>

namespace lsock::detail {
namespace {

const syscall_table real_table{
    ::socket,      ::setsockopt, ::getsockopt,    ::bind,        ::listen,       ::connect,
    ::accept4,     ::recv,       ::recvfrom,      ::send,        ::sendto,       ::getsockname,
    ::getpeername, ::close,      ::poll,          ::getaddrinfo, ::freeaddrinfo, ::getifaddrs,
    ::freeifaddrs, ::shutdown,   ::epoll_create1, ::epoll_ctl,   ::epoll_wait,   ::dup3,
};

syscall_table live_table = real_table;

}  // namespace

syscall_table& sys() noexcept { return live_table; }
const syscall_table& real_syscalls() noexcept { return real_table; }
void restore_syscalls() noexcept { live_table = real_table; }

}  // namespace lsock::detail
