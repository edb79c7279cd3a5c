#pragma once
// Helpers shared by the GoogleTest suites that drive libcore (core, fault, soak): loopback
// pairs, bounded waits, descriptor counts, RSS, limits, temporary directories. Only 127.0.0.1,
// ::1 and unix sockets; ports are always 0, read back. Tests may use system calls directly
// (fcntl, getsockopt...) to check what libcore did.

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <lsock/lsock.hpp>
#include <span>
#include <string>

namespace lsock::test {

/// "op: message [NAME]" for a failed result, "" for a value: for assertion messages.
template <class T>
std::string why(const result<T>& r) {
  if (r) return {};
  return r.error().describe() + " [" + r.error().name + "]";
}

/// Open descriptors of this process.
inline int fd_count() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n - 3;  // ".", ".." and the directory's own descriptor
}

/// True if `fd` is an open descriptor.
inline bool fd_is_open(int fd) { return fd >= 0 && fcntl(fd, F_GETFD) != -1; }

/// Checks that `fd` is open, non-blocking and close-on-exec.
inline ::testing::AssertionResult nonblocking_and_cloexec(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  const int fdfl = fcntl(fd, F_GETFD);
  if (fl < 0 || fdfl < 0) return ::testing::AssertionFailure() << "fd " << fd << " is not open";
  if ((fl & O_NONBLOCK) == 0) return ::testing::AssertionFailure() << "fd " << fd << " blocks";
  if ((fdfl & FD_CLOEXEC) == 0) {
    return ::testing::AssertionFailure() << "fd " << fd << " is not close-on-exec";
  }
  return ::testing::AssertionSuccess();
}

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

/// Restores the soft descriptor limit on scope exit.
class fd_limit_guard {
 public:
  fd_limit_guard() { getrlimit(RLIMIT_NOFILE, &saved_); }
  ~fd_limit_guard() { setrlimit(RLIMIT_NOFILE, &saved_); }
  fd_limit_guard(const fd_limit_guard&) = delete;
  fd_limit_guard& operator=(const fd_limit_guard&) = delete;

 private:
  rlimit saved_{};
};

/// Waits (bounded) until `fd` is readable / writable.
inline bool wait_fd(int fd, bool for_write, std::int64_t ms = 2000) {
  selector sel;
  const std::span<const int> one(&fd, 1);
  auto r = for_write ? sel.wait({}, one, ms) : sel.wait(one, {}, ms);
  return r && *r;
}

/// Waits (bounded) until `s` is readable / writable.
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
  endpoint server_peer;  ///< what accept() reported as the client's address
  bool ok = false;
  std::string why;  ///< what went wrong when !ok
};

/// A connected pair over `addr` (127.0.0.1 by default; a unix path or '@name' works too),
/// port 0. Check `ok` before use: ASSERT_TRUE(p.ok) << p.why.
inline tcp_pair make_tcp_pair(const std::string& addr = "127.0.0.1") {
  tcp_pair p;
  auto fail = [&p](std::string what) {
    p.why = std::move(what);
    return std::move(p);
  };
  auto l = socket::bind(socket_type::tcp, addr, 0);
  if (!l) return fail("bind: " + test::why(l));
  p.listener = std::move(*l);
  auto local = p.listener.local_endpoint();
  if (!local) return fail("local_endpoint: " + test::why(local));
  auto c = socket::connect(socket_type::tcp, addr, local->port());
  if (!c) return fail("connect: " + test::why(c));
  p.client = std::move(*c);
  if (!wait_writable(p.client)) return fail("connect never completed");
  if (auto st = p.client.status(); !st) return fail("status: " + test::why(st));
  if (!wait_readable(p.listener)) return fail("nothing to accept");
  accepted a;
  auto r = p.listener.accept(a);
  if (!r) return fail("accept: " + test::why(r));
  if (*r != io_status::ready) return fail("accept would block");
  p.server = std::move(a.socket);
  p.server_peer = a.peer;
  p.ok = true;
  return p;
}

/// Reads until `n` bytes came, the stream closed or a wait of 2 s found nothing. Reads before
/// it waits, so a fault test's programmed recv() failures are met in the order it expects.
inline std::string recv_exactly(socket& s, std::size_t n) {
  std::string out;
  char buf[16384];
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

/// A port on `addr` that nobody listens on (bound, read back, closed again).
inline int closed_port(const std::string& addr = "127.0.0.1") {
  auto l = socket::bind(socket_type::tcp, addr, 0);
  if (!l) return -1;
  const int port = l->local_endpoint()->port();
  (void)l->close();
  return port;
}

/// A unique abstract socket name ('@' included).
inline std::string abstract_name(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "@lsock-test-" + tag + "-" + std::to_string(getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

/// A fresh directory under /tmp for unix socket paths, removed with its contents at scope exit.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = "/tmp/lsock-test-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
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

/// Milliseconds since `t0`.
inline std::int64_t ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

/// A hostname the resolver rejects without asking the network (a label longer than 63 bytes):
/// an unknown name whose lookup is fast and does not depend on this machine's DNS.
inline const std::string unresolvable_host = std::string(64, 'x') + ".invalid";

/// True when this machine has IPv6 on loopback (::1 can be bound).
inline bool have_ipv6_loopback() {
  static const bool yes = static_cast<bool>(socket::bind(socket_type::udp, "::1", 0));
  return yes;
}

}  // namespace lsock::test
