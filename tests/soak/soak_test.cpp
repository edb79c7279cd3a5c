// Soak tests: long runs that must leave descriptors and memory where they started.
// Each prints its figures (fd count and RSS at start and end) for the closing notes.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../core/test_support.hpp"

namespace lsock {
namespace {

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

struct snapshot {
  int fds = test::fd_count();
  long rss = rss_kib();
};

/// Prints start/end figures and checks there is no growth beyond noise.
void report(const char* what, const snapshot& start, long cycles) {
  const snapshot end;
  std::printf("[soak] %s: %ld cycles; fds %d -> %d; rss %ld KiB -> %ld KiB\n", what, cycles,
              start.fds, end.fds, start.rss, end.rss);
  EXPECT_EQ(end.fds, start.fds) << what;
#if defined(__SANITIZE_ADDRESS__)
  // ASan keeps freed memory in quarantine, so RSS grows by design; LeakSanitizer checks leaks.
#else
  // Noise: allocator caches and the test's own vectors; a leak per cycle would be megabytes.
  EXPECT_LT(end.rss - start.rss, 4096) << what;
#endif
}

TEST(Soak, MillionSendRecvCycles) {
  auto p = test::make_tcp_pair();
  const std::string msg(64, 'm');
  char buf[64];
  constexpr long cycles = 1'000'000;
  const snapshot start;
  for (long i = 0; i < cycles; ++i) {
    auto s = p.client.send(msg);
    ASSERT_TRUE(s && s->bytes == msg.size());
    std::size_t got = 0;
    while (got < msg.size()) {
      auto r = p.server.recv({buf + got, msg.size() - got});
      ASSERT_TRUE(r);
      if (r->status == io_status::would_block) {
        ASSERT_TRUE(test::wait_readable(p.server));
        continue;
      }
      ASSERT_EQ(r->status, io_status::ready);
      got += r->bytes;
    }
  }
  report("tcp send/recv 64 B", start, cycles);
}

TEST(Soak, HundredThousandOpenClose) {
  constexpr long cycles = 100'000;
  { auto warm = socket::bind(socket_type::udp, "127.0.0.1", 0); }
  const snapshot start;
  for (long i = 0; i < cycles; ++i) {
    auto s = i % 2 ? socket::bind(socket_type::udp, "127.0.0.1", 0)
                   : socket::bind(socket_type::tcp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << s.error().describe();
  }
  report("socket open/close", start, cycles);
}

TEST(Soak, SelectOverTenThousandSocketsRepeatedly) {
  constexpr int n = 10000;
  if (test::raise_fd_limit(n + 200) < n + 100) GTEST_SKIP() << "descriptor limit too low";
  std::vector<socket> socks;
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s);
    fds.push_back(s->fd());
    socks.push_back(std::move(*s));
  }
  auto sender = socket::bind(socket_type::udp, "127.0.0.1", 0);
  selector sel;
  std::mt19937 rng(42);
  char buf[8];
  constexpr long rounds = 300;
  const snapshot start;
  for (long i = 0; i < rounds; ++i) {
    const std::size_t target = rng() % n;
    ASSERT_TRUE(sender->sendto("x", "127.0.0.1", socks[target].local_endpoint()->port()));
    auto r = sel.wait(fds, {}, 2000);
    ASSERT_TRUE(r && *r);
    ASSERT_EQ(sel.ready_read().size(), 1u);
    ASSERT_EQ(sel.ready_read()[0], target);
    ASSERT_EQ(socks[target].recv(buf)->status, io_status::ready);
  }
  report("select over 10,000 sockets", start, rounds);
}

}  // namespace
}  // namespace lsock
