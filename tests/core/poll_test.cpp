// selector: lsocket's select built on poll(): indices of ready sockets, timeouts, closed
// sockets skipped, EINTR retried, thousands of sockets and descriptors above 1024.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace lsock {
namespace {

using clock_type = std::chrono::steady_clock;
using test::ms_since;
using test::why;

std::vector<std::size_t> ready(std::span<const std::size_t> s) { return {s.begin(), s.end()}; }

TEST(Selector, ReportsReadyReadersAndWritersByIndex) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("x"));
  ASSERT_TRUE(test::wait_readable(p.server));
  selector sel;
  const std::vector<int> reads{p.listener.fd(), p.client.fd(), p.server.fd()};
  const std::vector<int> writes{p.listener.fd(), p.client.fd()};
  auto r = sel.wait(reads, writes, 1000);
  ASSERT_TRUE(r) << why(r);
  ASSERT_TRUE(*r);
  EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{2});
  // A listening socket is not writable; the connected client is.
  EXPECT_EQ(ready(sel.ready_write()), std::vector<std::size_t>{1});
}

TEST(Selector, OneDescriptorInBothSets) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("x"));
  ASSERT_TRUE(test::wait_readable(p.server));
  selector sel;
  const int fd = p.server.fd();
  const std::span<const int> one(&fd, 1);
  auto r = sel.wait(one, one, 1000);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{0});
  EXPECT_EQ(ready(sel.ready_write()), std::vector<std::size_t>{0});
}

TEST(Selector, WriteSetAloneWorks) {
  // known defect 14 (Lua side): waiting only for writability must be possible.
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  selector sel;
  const std::vector<int> writes{-1, p.client.fd()};
  auto r = sel.wait({}, writes, 1000);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_TRUE(sel.ready_read().empty());
  EXPECT_EQ(ready(sel.ready_write()), std::vector<std::size_t>{1});
}

TEST(Selector, TimesOutWithFalseAfterTheTimeout) {
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << why(l);
  selector sel;
  const int fd = l->fd();
  const auto t0 = clock_type::now();
  auto r = sel.wait(std::span<const int>(&fd, 1), {}, 150);
  const auto ms = ms_since(t0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
  EXPECT_GE(ms, 150);
  EXPECT_LT(ms, 1000);
  EXPECT_TRUE(sel.ready_read().empty());
  EXPECT_TRUE(sel.ready_write().empty());
}

TEST(Selector, ZeroTimeoutPolls) {
  auto l = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << why(l);
  selector sel;
  const int fd = l->fd();
  const auto t0 = clock_type::now();
  auto r = sel.wait(std::span<const int>(&fd, 1), {}, 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
  EXPECT_LT(ms_since(t0), 200);
}

TEST(Selector, ReadyListsAreResetByEachWait) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("x"));
  ASSERT_TRUE(test::wait_readable(p.server));
  selector sel;
  const int fd = p.server.fd();
  auto r = sel.wait(std::span<const int>(&fd, 1), {}, 1000);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(sel.ready_read().size(), 1u);
  char buf[4];
  ASSERT_TRUE(p.server.recv(buf));
  r = sel.wait(std::span<const int>(&fd, 1), {}, 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
  EXPECT_TRUE(sel.ready_read().empty());
}

TEST(Selector, NothingToWaitOnAndNoTimeoutIsAnError) {
  selector sel;
  const std::vector<int> closed{-1, -1};
  for (const auto& [reads, writes] : {std::pair<std::span<const int>, std::span<const int>>{{}, {}},
                                      {closed, {}},
                                      {{}, closed},
                                      {closed, closed}}) {
    const auto t0 = clock_type::now();
    auto r = sel.wait(reads, writes, -1);
    ASSERT_FALSE(r) << "waited on nothing, forever";
    EXPECT_LT(ms_since(t0), 100);
    EXPECT_EQ(r.error().name, "EINVAL");
    EXPECT_EQ(r.error().domain, error_domain::library);
    EXPECT_EQ(r.error().op, "select");
    EXPECT_EQ(r.error().message, "no open sockets to check and no timeout set");
  }
}

TEST(Selector, NothingToWaitOnWithATimeoutJustSleeps) {
  selector sel;
  const std::vector<int> closed{-1};
  const auto t0 = clock_type::now();
  auto r = sel.wait(closed, {}, 80);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
  EXPECT_GE(ms_since(t0), 80);
  r = sel.wait({}, {}, 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
}

TEST(Selector, SkipsClosedSockets) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  auto gone = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(gone) << why(gone);
  ASSERT_TRUE(gone->close());
  ASSERT_TRUE(p.client.send("y"));
  selector sel;
  const std::vector<int> reads{-1, gone->fd(), p.server.fd(), -7};
  auto r = sel.wait(reads, reads, 2000);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{2});
  EXPECT_EQ(ready(sel.ready_write()), std::vector<std::size_t>{2});
}

TEST(Selector, HangupCountsAsReadable) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.close());
  selector sel;
  const int fd = p.server.fd();
  auto r = sel.wait(std::span<const int>(&fd, 1), {}, 2000);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{0});
}

TEST(Selector, RefusedConnectWakesAWriter) {
  const int port = test::closed_port();
  ASSERT_GT(port, 0);
  auto c = socket::connect(socket_type::tcp, "127.0.0.1", port);
  ASSERT_TRUE(c) << why(c);
  selector sel;
  const int fd = c->fd();
  auto r = sel.wait({}, std::span<const int>(&fd, 1), 2000);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_write()), std::vector<std::size_t>{0});
}

TEST(Selector, HugeTimeoutsDoNotOverflow) {
  // known defect 14: huge timeouts were not checked.
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  selector sel;
  const int fd = p.client.fd();
  for (const std::int64_t t :
       {std::int64_t{1} << 31, std::int64_t{1} << 40, std::numeric_limits<std::int64_t>::max()}) {
    const auto t0 = clock_type::now();
    auto r = sel.wait({}, std::span<const int>(&fd, 1), t);
    ASSERT_TRUE(r) << t << ": " << why(r);
    EXPECT_TRUE(*r) << t;
    EXPECT_LT(ms_since(t0), 1000) << t;
  }
}

TEST(Selector, IsMovable) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  selector a;
  const int fd = p.client.fd();
  ASSERT_TRUE(a.wait({}, std::span<const int>(&fd, 1), 0));
  selector b(std::move(a));
  auto r = b.wait({}, std::span<const int>(&fd, 1), 1000);
  ASSERT_TRUE(r && *r) << why(r);
  selector c;
  c = std::move(b);
  r = c.wait({}, std::span<const int>(&fd, 1), 1000);
  ASSERT_TRUE(r && *r) << why(r);
}

// --- EINTR ------------------------------------------------------------------------------------

std::atomic<int> usr1_count{0};
void on_usr1(int) { usr1_count.fetch_add(1); }

/// Installs a SIGUSR1 handler without SA_RESTART, and a thread that interrupts this one with
/// SIGUSR1 every 20 ms until stopped.
class interrupter {
 public:
  interrupter() : target_(pthread_self()) {
    struct sigaction sa {};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll()/nanosleep() fail with EINTR
    sigaction(SIGUSR1, &sa, &old_);
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!stop_.load()) pthread_kill(target_, SIGUSR1);
      }
    });
  }
  ~interrupter() {
    stop_.store(true);
    thread_.join();
    sigaction(SIGUSR1, &old_, nullptr);
  }
  interrupter(const interrupter&) = delete;
  interrupter& operator=(const interrupter&) = delete;

 private:
  pthread_t target_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  struct sigaction old_ {};
};

TEST(Selector, EintrIsRetriedWithTheRemainingTime) {
  // known defect 14: EINTR came back as an error.
  auto l = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << why(l);
  const int fd = l->fd();
  selector sel;
  const int signals_before = usr1_count.load();
  const auto t0 = clock_type::now();
  result<bool> r = false;
  {
    const interrupter irq;
    r = sel.wait(std::span<const int>(&fd, 1), {}, 300);
  }
  const auto ms = ms_since(t0);
  ASSERT_GT(usr1_count.load(), signals_before) << "no signal was delivered: test is void";
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
  EXPECT_GE(ms, 300);   // not cut short by the signal...
  EXPECT_LT(ms, 1500);  // ...nor restarted from scratch each time
}

TEST(SleepMs, SleepsAtLeastThatLongEvenWhenInterrupted) {
  const int signals_before = usr1_count.load();
  const auto t0 = clock_type::now();
  {
    const interrupter irq;
    sleep_ms(200);
  }
  const auto ms = ms_since(t0);
  ASSERT_GT(usr1_count.load(), signals_before) << "no signal was delivered: test is void";
  EXPECT_GE(ms, 200);
  EXPECT_LT(ms, 1500);
}

TEST(SleepMs, SleepsAboutThatLong) {
  const auto t0 = clock_type::now();
  sleep_ms(60);
  const auto ms = ms_since(t0);
  EXPECT_GE(ms, 60);
  EXPECT_LT(ms, 1000);
  const auto t1 = clock_type::now();
  sleep_ms(0);
  sleep_ms(-5);
  EXPECT_LT(ms_since(t1), 100);
}

// --- Scale: many sockets, descriptors above 1024 (known defect 1) -----------------------------

class SelectorScale : public ::testing::TestWithParam<int> {};

TEST_P(SelectorScale, WorksWithManySocketsAndDescriptorsAbove1024) {
  // lsocket's fd_set aborted the process at descriptor 1024.
  const int n = GetParam();
  const test::fd_limit_guard restore;
  const rlim_t want = static_cast<rlim_t>(n) + 256;
  const rlim_t got = test::raise_fd_limit(want);
  if (got < want) {
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << got << " is too low for " << n
                 << " sockets (need " << want << ")";
  }
  std::vector<socket> socks;
  std::vector<int> fds;
  socks.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << "socket " << i << ": " << why(s);
    fds.push_back(s->fd());
    socks.push_back(std::move(*s));
  }
  ASSERT_GT(*std::max_element(fds.begin(), fds.end()), 1024);
  // The socket exactly at descriptor 1024 (FD_SETSIZE) if there is one, and the last one.
  // Descriptors are allocated lowest first, so with 2,000+ sockets one of them is 1024.
  const auto at1024 = std::find(fds.begin(), fds.end(), 1024);
  ASSERT_NE(at1024, fds.end()) << "no socket got descriptor 1024";
  const std::vector<std::size_t> targets{static_cast<std::size_t>(at1024 - fds.begin()),
                                         fds.size() - 1};

  selector sel;
  auto r = sel.wait(fds, {}, 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);

  auto sender = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(sender) << why(sender);
  for (const std::size_t t : targets) {
    ASSERT_TRUE(sender->sendto("x", socks[t].local_endpoint().value()));
  }
  const auto t0 = clock_type::now();
  std::vector<std::size_t> seen;
  while (seen.size() < targets.size() && ms_since(t0) < 2000) {
    r = sel.wait(fds, {}, 2000);
    ASSERT_TRUE(r && *r) << why(r);
    seen = ready(sel.ready_read());
  }
  EXPECT_EQ(seen, targets);

  r = sel.wait({}, fds, 0);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(sel.ready_write().size(), fds.size());
  EXPECT_EQ(sel.ready_write().back(), fds.size() - 1);
}

INSTANTIATE_TEST_SUITE_P(Counts, SelectorScale, ::testing::Values(2000, 10000));

TEST(Selector, AcceptOnAListenerAbove1024) {
  // known defect 1: accept() ran the same fd_set check and aborted on a listener >= 1024.
  const test::fd_limit_guard restore;
  if (test::raise_fd_limit(1400) < 1400) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 1400";
  std::vector<socket> filler;
  while (true) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << why(s);
    const bool high = s->fd() >= 1030;
    filler.push_back(std::move(*s));
    if (high) break;
  }
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << why(l);
  ASSERT_GT(l->fd(), 1024);
  accepted a;
  auto r = l->accept(a);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(*r, io_status::would_block);
  auto c = socket::connect(socket_type::tcp, "127.0.0.1", l->local_endpoint()->port());
  ASSERT_TRUE(c) << why(c);
  ASSERT_TRUE(test::wait_readable(*l));
  r = l->accept(a);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(*r, io_status::ready);
  EXPECT_GT(a.socket.fd(), 1024);
  ASSERT_TRUE(c->send("high"));
  EXPECT_EQ(test::recv_exactly(a.socket, 4), "high");
}

}  // namespace
}  // namespace lsock
