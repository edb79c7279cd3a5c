// The floor for `lsock tcp-ping`: a plain loop of non-blocking connects to one listener, each
// timed from connect() to established, as tcp-ping times its probes. Prints the percentiles as
// JSON: {"count": N, "min_ms": ..., "p50_ms": ..., "p90_ms": ..., "p99_ms": ...}.
//   bench_connect_loop ADDR PORT COUNT
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

double connect_once(const sockaddr_in& to) {
  const auto start = std::chrono::steady_clock::now();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  double ms = -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 ||
      errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, 2000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
        err == 0) {
      ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
               .count();
    }
  }
  ::close(fd);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_connect_loop ADDR PORT COUNT\n");
    return 2;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
  if (::inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) return 2;
  const int count = std::atoi(argv[3]);
  std::vector<double> v;
  for (int i = 0; i < count; ++i) {
    const double ms = connect_once(to);
    if (ms < 0) {
      std::fprintf(stderr, "bench_connect_loop: connect %d failed\n", i);
      return 1;
    }
    v.push_back(ms);
  }
  std::sort(v.begin(), v.end());
  auto q = [&](double f) {
    return v[static_cast<std::size_t>(f * static_cast<double>(v.size() - 1))];
  };
  std::printf(
      "{\"count\": %d, \"min_ms\": %.4f, \"p50_ms\": %.4f, \"p90_ms\": %.4f, \"p99_ms\": %.4f}\n",
      count, v.front(), q(0.5), q(0.9), q(0.99));
  return 0;
}
