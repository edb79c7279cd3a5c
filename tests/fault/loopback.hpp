#pragma once
// Helpers for the hardening tests (fault, soak): loopback pairs, bounded waits, descriptor
// counts, RSS, limits. Only 127.0.0.1, ::1 and unix sockets; ports are always 0, read back.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include "lsock/lsock.hpp"

namespace lsock::hard {

/// Resident set size of this process in KiB.
inline long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/// Raises the soft descriptor limit to `want` (capped at the hard limit); returns what it got.
inline rlim_t raise_fd_limit(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

inline bool wait_fd(int fd, bool for_write, std::int64_t ms = 2000) {
  selector sel;
  const std::span<const int> one(&fd, 1);
  auto r = for_write ? sel.wait({}, one, ms) : sel.wait(one, {}, ms);
  return r && *r;
}
inline bool wait_readable(const socket& s, std::int64_t ms = 2000) {
  return wait_fd(s.fd(), false, ms);
}
inline bool wait_writable(const socket& s, std::int64_t ms = 2000) {
  return wait_fd(s.fd(), true, ms);
}

/// A listener, a client connected to it and the server side of that connection.
struct tcp_pair {
  socket listener;
  socket client;
  socket server;
  std::string why;  ///< empty when the pair is ready
};

/// A connected stream pair over `addr`: "127.0.0.1", "::1", a unix path or "@name".
inline tcp_pair make_tcp_pair(const std::string& addr = "127.0.0.1") {
  tcp_pair p;
  auto l = socket::bind(socket_type::tcp, addr, 0);
  if (!l) {
    p.why = l.error().describe();
    return p;
  }
  p.listener = std::move(*l);
  const int port = is_unix_address(addr) ? 0 : p.listener.local_endpoint()->port();
  auto c = socket::connect(socket_type::tcp, addr, port);
  if (!c) {
    p.why = c.error().describe();
    return p;
  }
  p.client = std::move(*c);
  if (!wait_writable(p.client) || !p.client.status()) {
    p.why = "connect did not complete";
    return p;
  }
  if (!wait_readable(p.listener)) {
    p.why = "nothing to accept";
    return p;
  }
  accepted a;
  auto r = p.listener.accept(a);
  if (!r || *r != io_status::ready) {
    p.why = r ? "accept would block" : r.error().describe();
    return p;
  }
  p.server = std::move(a.socket);
  return p;
}

/// Reads until `n` bytes came, the stream closed or 2 s passed without data.
inline std::string recv_exactly(socket& s, std::size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    auto r = s.recv(std::span<char>(buf, std::min(sizeof buf, n - out.size())));
    if (!r || r->status == io_status::closed) break;
    if (r->status == io_status::would_block) {
      if (!wait_readable(s)) break;
      continue;
    }
    out.append(buf, r->bytes);
  }
  return out;
}

/// A fresh directory for unix socket paths, removed (with its contents) on scope exit.
class temp_dir {
 public:
  temp_dir() {
    char tmpl[] = "/tmp/lsock-hard-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace lsock::hard
