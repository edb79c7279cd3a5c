// Soak tests (label soak): long runs that must leave descriptors and memory where they
// started. Each prints its figures — cycles, fd count and RSS at start and end — for the
// closing notes, and fails on fd growth or on RSS growth beyond noise.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace lsock {
namespace {

struct snapshot {
  int fds = test::fd_count();
  long rss = test::rss_kib();
};

/// Prints start/end figures and checks there is no growth beyond noise.
void report(const char* what, const snapshot& start, long cycles) {
  const snapshot end;
  std::printf("[soak] %s: %ld cycles; fds %d -> %d; rss %ld KiB -> %ld KiB\n", what, cycles,
              start.fds, end.fds, start.rss, end.rss);
  (void)std::fflush(stdout);
  EXPECT_EQ(end.fds, start.fds) << what;
#if defined(__SANITIZE_ADDRESS__)
  // ASan keeps freed memory in quarantine, so RSS grows by design; LeakSanitizer checks leaks.
#else
  // Noise: allocator caches; a leak of even 8 bytes per cycle would be megabytes here.
  EXPECT_LT(end.rss - start.rss, 2048) << what << ": RSS grew";
#endif
}

/// One message per cycle, numbered, so a lost, doubled or reordered byte is noticed.
void send_recv_cycles(socket& a, socket& b, long cycles, const char* what) {
  char msg[64];
  char buf[64];
  std::memset(msg, 'm', sizeof msg);
  const snapshot start;
  for (long i = 0; i < cycles; ++i) {
    std::memcpy(msg, &i, sizeof i);
    std::string_view rest(msg, sizeof msg);
    while (!rest.empty()) {
      auto s = a.send(rest);
      ASSERT_TRUE(s) << s.error().describe();
      if (s->status == io_status::would_block) {
        ASSERT_TRUE(test::wait_writable(a));
        continue;
      }
      rest.remove_prefix(s->bytes);
    }
    std::size_t got = 0;
    while (got < sizeof buf) {
      auto r = b.recv({buf + got, sizeof buf - got});
      ASSERT_TRUE(r) << r.error().describe();
      ASSERT_NE(r->status, io_status::closed) << "cycle " << i;
      if (r->status == io_status::would_block) {
        ASSERT_TRUE(test::wait_readable(b)) << "cycle " << i;
        continue;
      }
      got += r->bytes;
    }
    ASSERT_EQ(std::memcmp(buf, msg, sizeof msg), 0) << "cycle " << i << ": wrong bytes";
  }
  report(what, start, cycles);
}

TEST(Soak, MillionSendRecvCyclesTcpLoopback) {
  auto p = test::make_tcp_pair("127.0.0.1");
  ASSERT_TRUE(p.ok) << p.why;
  send_recv_cycles(p.client, p.server, 1'000'000, "tcp 127.0.0.1 send/recv 64 B");
}

TEST(Soak, MillionSendRecvCyclesUnixStream) {
  test::temp_dir dir;
  auto p = test::make_tcp_pair(dir / "soak.sock");
  ASSERT_TRUE(p.ok) << p.why;
  send_recv_cycles(p.server, p.client, 1'000'000, "unix stream send/recv 64 B");
}

TEST(Soak, HundredThousandOpenClose) {
  // Every kind of socket, bound and closed: tcp/udp over IPv4 and IPv6, unix, abstract;
  // plus unix connections made and accepted (no TIME_WAIT to run out of ports).
  test::temp_dir dir;
  auto l = socket::bind(socket_type::tcp, "@lsock-soak-" + std::to_string(getpid()), 0);
  ASSERT_TRUE(l) << l.error().describe();
  const std::string lname = "@lsock-soak-" + std::to_string(getpid());
  constexpr long cycles = 100'000;
  // The first round of each kind allocates what later rounds reuse: measure after it.
  constexpr long warmup = 8;
  snapshot start;
  for (long i = 0; i < cycles + warmup; ++i) {
    if (i == warmup) start = snapshot{};
    switch (i % warmup) {
      case 0:
        ASSERT_TRUE(socket::bind(socket_type::tcp, "127.0.0.1", 0));
        break;
      case 1:
        ASSERT_TRUE(socket::bind(socket_type::udp, "127.0.0.1", 0));
        break;
      case 2:
        ASSERT_TRUE(socket::bind(socket_type::tcp, "::1", 0));
        break;
      case 3:
        ASSERT_TRUE(socket::bind(socket_type::udp, "::1", 0));
        break;
      case 4:
        ASSERT_TRUE(socket::bind(socket_type::udp, "@lsock-soak-x" + std::to_string(getpid()), 0));
        break;
      case 5: {
        const std::string path = dir / "s";
        ASSERT_TRUE(socket::bind(socket_type::udp, path, 0));
        ASSERT_EQ(::unlink(path.c_str()), 0);
        break;
      }
      case 6:
        ASSERT_TRUE(socket::connect(socket_type::udp, "127.0.0.1", 9));
        break;
      default: {
        auto c = socket::connect(socket_type::tcp, lname, 0);
        ASSERT_TRUE(c) << c.error().describe();
        ASSERT_TRUE(test::wait_readable(*l));
        accepted a;
        ASSERT_EQ(*l->accept(a), io_status::ready);
        break;
      }
    }
  }
  report("socket open/close (tcp, udp, IPv4, IPv6, unix, abstract, accepted)", start, cycles);
}

TEST(Soak, SelectOverTenThousandSocketsRepeatedly) {
  constexpr int n = 10000;
  if (test::raise_fd_limit(n + 200) < n + 100) {
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit below " << n + 100 << ": cannot open " << n
                 << " sockets";
  }
  std::vector<socket> socks;
  std::vector<int> fds;
  std::vector<int> ports;
  socks.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << s.error().describe();
    fds.push_back(s->fd());
    ports.push_back(s->local_endpoint()->port());
    socks.push_back(std::move(*s));
  }
  auto sender = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(sender);
  selector sel;
  std::mt19937 rng(42);
  char buf[8];
  constexpr long rounds = 500;
  // Sizes the selector's buffers before measuring; the second call with the same table builds
  // the epoll set it keeps (one descriptor, held until the selector goes).
  ASSERT_TRUE(sel.wait(fds, {}, 0));
  ASSERT_TRUE(sel.wait(fds, {}, 0));
  const snapshot start;
  for (long i = 0; i < rounds; ++i) {
    // One or two sockets get a datagram; select must report exactly those, by index.
    const std::size_t t1 = rng() % n;
    const std::size_t t2 = i % 2 ? rng() % n : t1;
    ASSERT_TRUE(sender->sendto("x", "127.0.0.1", ports[t1]));
    if (t2 != t1) {
      ASSERT_TRUE(sender->sendto("y", "127.0.0.1", ports[t2]));
    }
    const std::size_t want = t1 == t2 ? 1 : 2;
    std::vector<std::size_t> seen;
    while (seen.size() < want) {
      auto r = sel.wait(fds, {}, 2000);
      ASSERT_TRUE(r && *r) << "round " << i;
      for (std::size_t idx : sel.ready_read()) {
        ASSERT_TRUE(idx == t1 || idx == t2) << "round " << i << ": index " << idx;
        ASSERT_EQ(socks[idx].recv(buf)->status, io_status::ready);
        seen.push_back(idx);
      }
    }
    ASSERT_EQ(seen.size(), want);
  }
  report("select over 10,000 udp sockets", start, rounds);
}

}  // namespace
}  // namespace lsock
