// The raw baseline: each workload written directly on non-blocking sockets and poll(), one
// syscall per operation and one poll() per wait, the same loop shape as the Lua scripts — the
// physical limit they are measured against. No batching the Lua side cannot do (no
// sendmmsg/recvmmsg, no MSG_WAITALL; epoll only in the select_scale_epoll reference). Prints one
// JSON line per result.
// usage: bench_raw WORKLOAD [scale]   (scale multiplies the default counts; 1 = full size)
//        bench_raw tcp_bulk_copy [scale]  (tcp_bulk plus one copy per recv; reference only)
//        bench_raw select_scale_epoll [scale]  (select_scale on an epoll set built once)
//        bench_raw listen SECONDS     (a neutral local listener for the CLI connect probe)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

/// Every wait gives up after this long: a stuck workload fails instead of hanging.
constexpr int wait_limit_ms = 5000;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "bench_raw: %s: %s\n", what, errno != 0 ? std::strerror(errno) : "failed");
  std::exit(1);
}

int check(int rc, const char* what) {
  if (rc < 0) die(what);
  return rc;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

long scaled(long full, double scale) {
  return std::max(1L, static_cast<long>(static_cast<double>(full) * scale));
}

void wait_for(int fd, short events) {
  pollfd p{fd, events, 0};
  if (check(poll(&p, 1, wait_limit_ms), "poll") == 0) {
    errno = ETIMEDOUT;
    die("poll");
  }
}

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  check(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), "getsockname");
  return ntohs(a.sin_port);
}

int tcp_listener(int backlog) {
  const int l = check(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  const int on = 1;
  check(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), "setsockopt");
  auto a = loopback(0);
  check(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  check(listen(l, backlog), "listen");
  return l;
}

/// A connected pair (client, server) through `listener` at `addr`: connect, wait until
/// writable, wait until the listener is readable, accept.
std::pair<int, int> connect_pair(int listener, const sockaddr* addr, socklen_t len, int family) {
  const int c = check(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  if (connect(c, addr, len) < 0 && errno != EINPROGRESS) die("connect");
  wait_for(c, POLLOUT);
  wait_for(listener, POLLIN);
  const int s = check(accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC), "accept");
  return {c, s};
}

/// Receives exactly n bytes into buf, waiting with poll when nothing is there.
void recv_exactly(int fd, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EAGAIN) {
      wait_for(fd, POLLIN);
    } else {
      die("recv");
    }
  }
}

void send_all(int fd, const char* buf, std::size_t n) {
  std::size_t sent = 0;
  while (sent < n) {
    const ssize_t r = send(fd, buf + sent, n - sent, MSG_NOSIGNAL);
    if (r >= 0) {
      sent += static_cast<std::size_t>(r);
    } else if (errno == EAGAIN) {
      wait_for(fd, POLLOUT);
    } else {
      die("send");
    }
  }
}

void print(const char* workload, double value, const char* unit, const std::string& extra = "",
           const char* impl = "raw") {
  std::printf("{\"impl\":\"%s\",\"workload\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"%s}\n", impl,
              workload, value, unit, extra.c_str());
  std::fflush(stdout);
}

/// 64-byte messages echoed: client sends, server waits/reads/answers, client waits/reads.
double pingpong(int c, int s, long rounds) {
  char msg[64];
  std::memset(msg, 'p', sizeof msg);
  char buf[64];
  const auto t0 = clock_type::now();
  for (long i = 0; i < rounds; ++i) {
    send_all(c, msg, sizeof msg);
    wait_for(s, POLLIN);
    recv_exactly(s, buf, sizeof buf);
    send_all(s, buf, sizeof buf);
    wait_for(c, POLLIN);
    recv_exactly(c, buf, sizeof buf);
  }
  if (std::memcmp(buf, msg, sizeof msg) != 0) die("pingpong: echo differs");
  return static_cast<double>(rounds) / seconds_since(t0);
}

void tcp_pingpong(double scale) {
  const int l = tcp_listener(5);
  auto a = loopback(port_of(l));
  auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
  const long rounds = scaled(200000, scale);
  print("tcp_pingpong", pingpong(c, s, rounds), "msgs/s", ",\"count\":" + std::to_string(rounds));
}

void unix_pingpong(double scale) {
  char path[] = "/tmp/lsock-bench-raw-XXXXXX";
  close(check(mkstemp(path), "mkstemp"));
  unlink(path);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path);
  const int l = check(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  check(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  check(listen(l, 5), "listen");
  auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_UNIX);
  const long rounds = scaled(200000, scale);
  const double v = pingpong(c, s, rounds);
  unlink(path);
  print("unix_pingpong", v, "msgs/s", ",\"count\":" + std::to_string(rounds));
}

/// 1 GiB one way in 64 KiB sends: one poll for both ends, then at most one send and one recv.
/// With `copy` (reported as impl "raw_copy", for reference only) each received chunk is also
/// copied into a new heap buffer and freed, as a Lua binding must (Lua 5.4 builds a string from
/// a copy of the bytes): the floor for any Lua socket library on this workload.
void tcp_bulk(double scale, bool copy) {
  const int l = tcp_listener(5);
  auto a = loopback(port_of(l));
  auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
  const auto total = static_cast<std::size_t>(scaled(1L << 30, scale));
  std::vector<char> chunk(65536, 'b');
  std::vector<char> buf(65536);
  std::size_t sent = 0;
  std::size_t received = 0;
  const auto t0 = clock_type::now();
  while (received < total) {
    pollfd p[2] = {{s, POLLIN, 0}, {c, static_cast<short>(sent < total ? POLLOUT : 0), 0}};
    if (check(poll(p, 2, wait_limit_ms), "poll") == 0) die("tcp_bulk: poll timed out");
    if (p[1].revents & POLLOUT) {
      const ssize_t n = send(c, chunk.data(), std::min(chunk.size(), total - sent), MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if (p[0].revents & POLLIN) {
      const ssize_t n = recv(s, buf.data(), buf.size(), 0);
      if (n > 0) {
        received += static_cast<std::size_t>(n);
        if (copy) {
          auto* str = new std::string(buf.data(), static_cast<std::size_t>(n));
          asm volatile("" : : "r"(str->data()) : "memory");  // the copy is not optimised away
          delete str;
        }
      }
    }
  }
  print("tcp_bulk", static_cast<double>(total) / 1e6 / seconds_since(t0), "MB/s",
        ",\"bytes\":" + std::to_string(total), copy ? "raw_copy" : "raw");
}

/// 64-byte datagrams in batches of 32 sendto() calls, then one poll() and recvfrom() until
/// EAGAIN; datagrams that never arrive are counted as lost.
void udp_pps(double scale) {
  const int r = check(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  const int w = check(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  auto a = loopback(0);
  check(bind(r, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  check(bind(w, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  a = loopback(port_of(r));
  const long total = scaled(500000, scale);
  constexpr int batch = 32;
  char msg[64];
  std::memset(msg, 'u', sizeof msg);
  char buf[2048];
  long sent = 0;
  long received = 0;
  const auto t0 = clock_type::now();
  while (sent < total) {
    for (int i = 0; i < batch && sent < total; ++i) {
      if (sendto(w, msg, sizeof msg, MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
        if (errno == EAGAIN) break;
        die("sendto");
      }
      ++sent;
    }
    pollfd p{r, POLLIN, 0};
    check(poll(&p, 1, 100), "poll");
    for (;;) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = recvfrom(r, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) break;
      ++received;
    }
  }
  const double secs = seconds_since(t0);
  print("udp_pps", static_cast<double>(received) / secs, "datagrams/s",
        ",\"sent\":" + std::to_string(sent) + ",\"lost\":" + std::to_string(sent - received));
}

/// N idle sockets (both ends of N/2 connected TCP pairs) + 1 ready socket (one end of one more
/// pair, holding an unread byte): µs per select()-equivalent. As a select over a Lua table
/// must, each call builds the pollfd array from the socket list and maps the results back.
/// One select_scale round with an epoll set built once (impl "raw_epoll", the kernel's own limit
/// for the same table every call): returns the ready index.
class epoll_rounds {
 public:
  explicit epoll_rounds(const std::vector<int>& fds)
      : ep_(check(epoll_create1(EPOLL_CLOEXEC), "epoll")) {
    for (std::size_t k = 0; k < fds.size(); ++k) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = k;
      check(epoll_ctl(ep_, EPOLL_CTL_ADD, fds[k], &ev), "epoll_ctl");
    }
  }
  ~epoll_rounds() { close(ep_); }
  epoll_rounds(const epoll_rounds&) = delete;
  epoll_rounds& operator=(const epoll_rounds&) = delete;
  std::size_t once() {
    if (check(epoll_wait(ep_, evs_, 64, wait_limit_ms), "epoll_wait") != 1) {
      die("select_scale: not exactly 1 ready");
    }
    return static_cast<std::size_t>(evs_[0].data.u64);
  }

 private:
  int ep_;
  epoll_event evs_[64];
};

/// N idle sockets plus one ready, the same table every call: µs per wait. `use_epoll`: impl
/// "raw_epoll" (epoll set built once), else "raw" (poll() over the table, as select does).
void select_scale(double scale, bool use_epoll) {
  const int l = tcp_listener(128);
  auto a = loopback(port_of(l));
  for (const int n : {100, 1000, 4000, 10000}) {
    std::vector<int> fds;
    fds.reserve(static_cast<std::size_t>(n) + 2);
    for (int i = 0; i < n / 2; ++i) {
      auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
      fds.push_back(c);
      fds.push_back(s);
    }
    auto [rc, rs] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
    send_all(rc, "x", 1);
    const std::size_t ready_at = fds.size() / 2;
    fds.insert(fds.begin() + static_cast<std::ptrdiff_t>(ready_at), rs);
    wait_for(rs, POLLIN);
    std::vector<pollfd> p(fds.size());
    std::vector<std::size_t> ready;
    const long rounds = std::max(10L, static_cast<long>(2000000.0 * scale / n));
    std::unique_ptr<epoll_rounds> ep;
    if (use_epoll) ep = std::make_unique<epoll_rounds>(fds);
    const auto t0 = clock_type::now();
    for (long i = 0; i < rounds; ++i) {
      ready.clear();
      if (ep) {
        ready.push_back(ep->once());
      } else {
        for (std::size_t k = 0; k < fds.size(); ++k) p[k] = {fds[k], POLLIN, 0};
        if (check(poll(p.data(), p.size(), wait_limit_ms), "poll") != 1) {
          die("select_scale: not exactly 1 ready");
        }
        for (std::size_t k = 0; k < p.size(); ++k) {
          if (p[k].revents != 0) ready.push_back(k);
        }
      }
      if (ready.size() != 1 || ready[0] != ready_at) die("select_scale: wrong socket ready");
    }
    std::printf(
        "{\"impl\":\"%s\",\"workload\":\"select_scale\",\"n\":%d,\"value\":%.3f,"
        "\"unit\":\"us/select\",\"rounds\":%ld}\n",
        use_epoll ? "raw_epoll" : "raw", n, seconds_since(t0) * 1e6 / static_cast<double>(rounds),
        rounds);
    std::fflush(stdout);
    ep.reset();
    for (const int fd : fds) close(fd);
    close(rc);
  }
}

/// connect + accept + close, one connection at a time.
void accept_churn(double scale) {
  const int l = tcp_listener(128);
  auto a = loopback(port_of(l));
  const long total = scaled(20000, scale);
  const auto t0 = clock_type::now();
  for (long i = 0; i < total; ++i) {
    auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
    // The accepted side closes first: TIME_WAIT stays with the listener's port, not with the
    // client's ephemeral ports (which would run out over repeated runs).
    close(s);
    close(c);
  }
  print("accept_churn", static_cast<double>(total) / seconds_since(t0), "connections/s",
        ",\"count\":" + std::to_string(total));
}

/// A listener on 127.0.0.1 for the CLI connect probes: prints its port, then accepts and closes
/// every connection until `seconds` pass (or it is killed).
void listen_for(double seconds) {
  const int l = tcp_listener(1024);
  std::printf("%d\n", port_of(l));
  std::fflush(stdout);
  const auto t0 = clock_type::now();
  while (seconds_since(t0) < seconds) {
    pollfd p{l, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    for (;;) {
      const int s = accept4(l, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (s < 0) break;
      close(s);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_raw WORKLOAD [scale] | bench_raw listen SECONDS\n");
    return 2;
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  const std::string w = argv[1];
  const double scale = argc > 2 ? std::atof(argv[2]) : 1.0;
  if (w == "tcp_pingpong") {
    tcp_pingpong(scale);
  } else if (w == "unix_pingpong") {
    unix_pingpong(scale);
  } else if (w == "tcp_bulk") {
    tcp_bulk(scale, false);
  } else if (w == "tcp_bulk_copy") {
    tcp_bulk(scale, true);
  } else if (w == "udp_pps") {
    udp_pps(scale);
  } else if (w == "select_scale") {
    select_scale(scale, false);
  } else if (w == "select_scale_epoll") {
    select_scale(scale, true);
  } else if (w == "accept_churn") {
    accept_churn(scale);
  } else if (w == "listen") {
    listen_for(argc > 2 ? scale : 600);
  } else {
    std::fprintf(stderr, "bench_raw: unknown workload %s\n", w.c_str());
    return 2;
  }
  return 0;
}
