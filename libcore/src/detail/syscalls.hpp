#pragma once
// The syscall seam: every system call libcore makes goes through this table, so tests can
// program failures (EINTR, EAGAIN, EMFILE, ENOBUFS, ECONNRESET, EPIPE, short writes) and check
// that each operation reports them and releases its descriptor. Production code never
// changes it; the cost is one indirect call per syscall.

#include <ifaddrs.h>
#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>

namespace lsock::detail {

struct syscall_table {
  int (*socket)(int, int, int);
  int (*setsockopt)(int, int, int, const void*, socklen_t);
  int (*getsockopt)(int, int, int, void*, socklen_t*);
  int (*bind)(int, const sockaddr*, socklen_t);
  int (*listen)(int, int);
  int (*connect)(int, const sockaddr*, socklen_t);
  int (*accept4)(int, sockaddr*, socklen_t*, int);
  ssize_t (*recv)(int, void*, size_t, int);
  ssize_t (*recvfrom)(int, void*, size_t, int, sockaddr*, socklen_t*);
  ssize_t (*send)(int, const void*, size_t, int);
  ssize_t (*sendto)(int, const void*, size_t, int, const sockaddr*, socklen_t);
  int (*getsockname)(int, sockaddr*, socklen_t*);
  int (*getpeername)(int, sockaddr*, socklen_t*);
  int (*close)(int);
  int (*poll)(pollfd*, nfds_t, int);
  int (*getaddrinfo)(const char*, const char*, const addrinfo*, addrinfo**);
  void (*freeaddrinfo)(addrinfo*);
  int (*getifaddrs)(ifaddrs**);
  void (*freeifaddrs)(ifaddrs*);
  int (*shutdown)(int, int);
  int (*epoll_create1)(int);
  int (*epoll_ctl)(int, int, int, epoll_event*);
  int (*epoll_wait)(int, epoll_event*, int, int);
  int (*dup3)(int, int, int);
};

/// The live table. Tests may overwrite entries; restore_syscalls() puts the real ones back.
syscall_table& sys() noexcept;
/// The real system calls.
const syscall_table& real_syscalls() noexcept;
void restore_syscalls() noexcept;

/// Calls `f` until it does not fail with EINTR.
template <class F>
auto retry_eintr(F&& f) {
  for (;;) {
    auto rc = f();
    if (rc >= 0 || errno != EINTR) return rc;
  }
}

}  // namespace lsock::detail
