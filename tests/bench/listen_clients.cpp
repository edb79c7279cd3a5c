// The clients of tests/bench/listen_scale.sh: IDLE connections that never send, then one busy
// client doing ROUNDS echo round trips of SIZE bytes with an echoing listener. Prints JSON:
// {"idle": K, "rounds": M, "size": S, "us_per_round_trip": x}.
//   bench_listen_clients PORT IDLE ROUNDS [SIZE [PAUSE_US [hold]]]
// PAUSE_US: a pause after each echo (counted in the time), so that a listener slowed down by
// valgrind or strace is back in its wait when the next message comes: one event per round trip.
// hold: after printing, keep every connection open until killed, so that the listener can be
// stopped first and never sees the clients go (its teardown is then the same for every M).
// The idle ones are all accepted before the clock starts: the listener accepts in arrival
// order, so the busy client's first echo (a warm-up) comes back only after theirs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

/// A connected socket, or -1. A refusal is tried again for a while: a listener slowed down by
/// strace or valgrind can fall behind K connects.
int connect_to(const sockaddr_in& to) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) return fd;
    const int err = errno;
    ::close(fd);
    errno = err;
    if (err != ECONNREFUSED) return -1;
    ::usleep(10'000);
  }
  return -1;
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool read_all(int fd, char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool round_trip(int fd, const std::vector<char>& out, std::vector<char>& in) {
  return write_all(fd, out.data(), out.size()) && read_all(fd, in.data(), in.size()) &&
         std::memcmp(out.data(), in.data(), out.size()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT IDLE ROUNDS [SIZE [PAUSE_US [hold]]]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const long idle = std::atol(argv[2]);
  const long rounds = std::atol(argv[3]);
  const std::size_t size = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 64;
  const long pause_us = argc > 5 ? std::atol(argv[5]) : 0;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  std::vector<int> idle_fds;
  for (long i = 0; i < idle; ++i) {
    const int fd = connect_to(to);
    if (fd < 0) {
      std::fprintf(stderr, "idle connect %ld: %s\n", i, std::strerror(errno));
      return 1;
    }
    idle_fds.push_back(fd);
  }
  const int busy = connect_to(to);
  if (busy < 0) {
    std::perror("busy connect");
    return 1;
  }
  const int one = 1;
  (void)::setsockopt(busy, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::vector<char> out(size), in(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + i % 26);
  for (int i = 0; i < 50; ++i) {  // warm-up; also proves every idle client was accepted
    if (!round_trip(busy, out, in)) {
      std::fprintf(stderr, "warm-up echo failed\n");
      return 1;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < rounds; ++i) {
    out[0] = static_cast<char>('A' + i % 26);
    if (!round_trip(busy, out, in)) {
      std::fprintf(stderr, "echo %ld failed\n", i);
      return 1;
    }
    if (pause_us > 0) ::usleep(static_cast<useconds_t>(pause_us));
  }
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"idle\": %ld, \"rounds\": %ld, \"size\": %zu, \"us_per_round_trip\": %.2f}\n",
              idle, rounds, size, us / static_cast<double>(rounds));
  std::fflush(stdout);
  if (argc > 6 && std::strcmp(argv[6], "hold") == 0) {
    for (;;) ::pause();
  }
  ::close(busy);
  for (const int fd : idle_fds) ::close(fd);
  return 0;
}
