#pragma once
// Helpers for the libcore tests: loopback pairs, bounded waits, descriptor counts.

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>
#include <lsock/lsock.hpp>
#include <string>

namespace lsock::test {

/// Open descriptors of this process.
inline int fd_count() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n - 3;  // ".", ".." and the directory's own descriptor
}

/// Raises the soft descriptor limit to `want` (or the hard limit); returns what it got.
inline rlim_t raise_fd_limit(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = std::min(want, rl.rlim_max);
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

inline bool wait_readable(socket& s, std::int64_t ms = 2000) {
  selector sel;
  const int fd = s.fd();
  auto r = sel.wait(std::span<const int>(&fd, 1), {}, ms);
  return r && *r;
}

inline bool wait_writable(socket& s, std::int64_t ms = 2000) {
  selector sel;
  const int fd = s.fd();
  auto r = sel.wait({}, std::span<const int>(&fd, 1), ms);
  return r && *r;
}

struct tcp_pair {
  socket listener;
  socket client;
  socket server;
};

/// A connected pair over `addr` (127.0.0.1 by default), port 0.
inline tcp_pair make_tcp_pair(const std::string& addr = "127.0.0.1") {
  tcp_pair p;
  auto l = socket::bind(socket_type::tcp, addr, 0);
  EXPECT_TRUE(l) << (l ? "" : l.error().describe());
  p.listener = std::move(*l);
  const int port = p.listener.local_endpoint()->port();
  auto c = socket::connect(socket_type::tcp, addr, port);
  EXPECT_TRUE(c);
  p.client = std::move(*c);
  EXPECT_TRUE(wait_writable(p.client));
  EXPECT_TRUE(p.client.status());
  EXPECT_TRUE(wait_readable(p.listener));
  accepted a;
  auto r = p.listener.accept(a);
  EXPECT_TRUE(r && *r == io_status::ready);
  p.server = std::move(a.socket);
  return p;
}

/// Reads until `n` bytes came (bounded by waits of 2 s).
inline std::string recv_exactly(socket& s, std::size_t n) {
  std::string out;
  char buf[65536];
  while (out.size() < n) {
    if (!wait_readable(s)) break;
    auto r = s.recv(buf);
    if (!r || r->status != io_status::ready) break;
    out.append(buf, r->bytes);
  }
  return out;
}

/// A unique abstract socket name.
inline std::string abstract_name(const std::string& tag) {
  return "@lsock-core-" + tag + "-" + std::to_string(getpid()) + "-" +
         std::to_string(reinterpret_cast<std::uintptr_t>(&tag) & 0xffff);
}

}  // namespace lsock::test
