// The raw baseline: each workload written directly on non-blocking sockets and poll(), one
// syscall per operation, the same loop shape as the Lua scripts — the physical limit they are
// measured against. Prints one JSON line per run.
// usage: bench_raw WORKLOAD [scale]   (scale multiplies the default counts; 1 = full size)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

int check(int rc, const char* what) {
  if (rc < 0) die(what);
  return rc;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void wait_for(int fd, short events) {
  pollfd p{fd, events, 0};
  check(poll(&p, 1, 5000), "poll");
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

int tcp_listener() {
  const int l = check(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  const int on = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  auto a = loopback(0);
  check(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  check(listen(l, 128), "listen");
  return l;
}

/// A connected pair (client, server) through `listener` at `addr`.
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
  return static_cast<double>(rounds) / seconds_since(t0);
}

void print(const char* workload, double value, const char* unit, const std::string& extra = "") {
  std::printf("{\"impl\":\"raw\",\"workload\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"%s}\n", workload,
              value, unit, extra.c_str());
}

void tcp_pingpong(double scale) {
  const int l = tcp_listener();
  auto a = loopback(port_of(l));
  auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
  print("tcp_pingpong", pingpong(c, s, static_cast<long>(200000 * scale)), "msgs/s");
}

void unix_pingpong(double scale) {
  char path[] = "/tmp/lsock-bench-raw-XXXXXX";
  check(mkstemp(path), "mkstemp");
  unlink(path);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path);
  const int l = check(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  check(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  check(listen(l, 128), "listen");
  auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_UNIX);
  print("unix_pingpong", pingpong(c, s, static_cast<long>(200000 * scale)), "msgs/s");
  unlink(path);
}

void tcp_bulk(double scale) {
  const int l = tcp_listener();
  auto a = loopback(port_of(l));
  auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
  const std::size_t total = static_cast<std::size_t>(1024.0 * 1024 * 1024 * scale);
  std::vector<char> chunk(65536, 'b');
  std::vector<char> buf(65536);
  std::size_t sent = 0, received = 0;
  const auto t0 = clock_type::now();
  while (received < total) {
    pollfd p[2] = {{s, POLLIN, 0}, {c, static_cast<short>(sent < total ? POLLOUT : 0), 0}};
    check(poll(p, 2, 5000), "poll");
    if (p[1].revents & POLLOUT) {
      const ssize_t n = send(c, chunk.data(), std::min(chunk.size(), total - sent), MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if (p[0].revents & POLLIN) {
      const ssize_t n = recv(s, buf.data(), buf.size(), 0);
      if (n > 0) received += static_cast<std::size_t>(n);
    }
  }
  print("tcp_bulk", static_cast<double>(total) / 1e6 / seconds_since(t0), "MB/s");
}

void udp_pps(double scale) {
  const int r = check(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  const int w = check(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  auto a = loopback(0);
  check(bind(r, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
  a = loopback(port_of(r));
  const long total = static_cast<long>(200000 * scale);
  constexpr int batch = 32;
  char msg[64];
  std::memset(msg, 'u', sizeof msg);
  char buf[2048];
  long sent = 0, received = 0;
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

void select_scale(double scale) {
  for (const int n : {100, 1000, 4000, 10000}) {
    std::vector<int> fds;
    for (int i = 0; i < n; ++i) {
      const int u = check(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
      auto a = loopback(0);
      check(bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a), "bind");
      fds.push_back(u);
    }
    // One ready socket (a datagram waiting, never read); the rest idle.
    auto a = loopback(port_of(fds[n / 2]));
    sendto(fds[0], "x", 1, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    std::vector<pollfd> p(fds.size());
    const long rounds = std::max(10L, static_cast<long>(2000000.0 * scale / n));
    const auto t0 = clock_type::now();
    for (long i = 0; i < rounds; ++i) {
      // Built each call, as a select() over a table must.
      for (std::size_t k = 0; k < fds.size(); ++k) p[k] = {fds[k], POLLIN, 0};
      if (check(poll(p.data(), p.size(), 1000), "poll") != 1) die("select_scale: not 1 ready");
      int ready = -1;
      for (std::size_t k = 0; k < p.size(); ++k) {
        if (p[k].revents) ready = static_cast<int>(k);
      }
      if (ready != n / 2) die("select_scale: wrong socket");
    }
    std::printf(
        "{\"impl\":\"raw\",\"workload\":\"select_scale\",\"n\":%d,\"value\":%.3f,\"unit\":\"us/"
        "select\"}\n",
        n, seconds_since(t0) * 1e6 / static_cast<double>(rounds));
    for (int fd : fds) close(fd);
  }
}

void accept_churn(double scale) {
  const int l = tcp_listener();
  auto a = loopback(port_of(l));
  const long total = static_cast<long>(10000 * scale);
  const auto t0 = clock_type::now();
  for (long i = 0; i < total; ++i) {
    auto [c, s] = connect_pair(l, reinterpret_cast<sockaddr*>(&a), sizeof a, AF_INET);
    // The accepted side closes first: TIME_WAIT stays with the listener's port, not with the
    // client's ephemeral ports (which would run out over repeated runs).
    close(s);
    close(c);
  }
  print("accept_churn", static_cast<double>(total) / seconds_since(t0), "connections/s");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_raw WORKLOAD [scale]\n");
    return 2;
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  const std::string w = argv[1];
  const double scale = argc > 2 ? std::atof(argv[2]) : 1.0;
  if (w == "tcp_pingpong")
    tcp_pingpong(scale);
  else if (w == "unix_pingpong")
    unix_pingpong(scale);
  else if (w == "tcp_bulk")
    tcp_bulk(scale);
  else if (w == "udp_pps")
    udp_pps(scale);
  else if (w == "select_scale")
    select_scale(scale);
  else if (w == "accept_churn")
    accept_churn(scale);
  else {
    std::fprintf(stderr, "unknown workload %s\n", w.c_str());
    return 2;
  }
  return 0;
}
