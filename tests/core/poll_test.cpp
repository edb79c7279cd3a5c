// selector: lsocket's select built on poll(): indices of ready sockets, timeouts, closed
// sockets skipped, EINTR retried, thousands of sockets and descriptors above 1024; and the
// epoll set it keeps for large repeated tables, with the same results.
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "detail/epoll_set.hpp"
#include "detail/syscalls.hpp"
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
  // Waiting only for writability must be possible (the original rejected select(nil, w)).
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
  // The original did not check huge timeouts.
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
  // The original returned EINTR as an error instead of waiting out the remaining time.
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

// --- Scale: many sockets, descriptors above 1024 (the original's fd_set aborted) --------------

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
  // The original's accept() ran an fd_set check and aborted on a listener >= 1024.
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

// --- The epoll set kept for large repeated tables ---------------------------------------------

/// Counts what the selector asks the kernel, so a test knows which path it took.
struct syscall_counter {
  static inline int epoll_waits = 0;
  static inline int polls = 0;
  static inline nfds_t largest_poll = 0;
  syscall_counter() {
    epoll_waits = polls = 0;
    largest_poll = 0;
    detail::sys().epoll_wait = [](int e, epoll_event* ev, int n, int ms) {
      ++epoll_waits;
      return detail::real_syscalls().epoll_wait(e, ev, n, ms);
    };
    detail::sys().poll = [](pollfd* p, nfds_t n, int ms) {
      ++polls;
      largest_poll = std::max(largest_poll, n);
      return detail::real_syscalls().poll(p, n, ms);
    };
  }
  ~syscall_counter() { detail::restore_syscalls(); }
  syscall_counter(const syscall_counter&) = delete;
  syscall_counter& operator=(const syscall_counter&) = delete;
};

/// More UDP sockets than the epoll threshold, and a sender to make any of them readable.
struct udp_crowd {
  std::vector<socket> socks;
  std::vector<int> fds;
  socket sender;
  std::string why;
  explicit udp_crowd(std::size_t n = std::max<std::size_t>(128, detail::epoll_min_fds * 2)) {
    for (std::size_t i = 0; i < n; ++i) {
      auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
      if (!s) {
        why = test::why(s);
        return;
      }
      fds.push_back(s->fd());
      socks.push_back(std::move(*s));
    }
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    if (!s) why = test::why(s);
    if (s) sender = std::move(*s);
  }
  [[nodiscard]] bool ok() const { return why.empty(); }
  bool poke(std::size_t i) {
    auto to = socks[i].local_endpoint();
    return to && sender.sendto("x", *to) && test::wait_readable(socks[i]);
  }
};

/// Waits on `reads` (twice first, so the epoll set is built) and returns the ready positions.
std::vector<std::size_t> ready_reads(selector& sel, std::span<const int> reads, int ms = 0) {
  auto r = sel.wait(reads, {}, ms);
  if (!r || !*r) return {};
  return ready(sel.ready_read());
}

TEST(SelectorEpoll, DescriptorsClosedAndReopenedEveryCallStayOnPoll) {
  // A port scan closes each finished attempt and opens the next, which takes the same number:
  // the table looks the same, but every entry is a new file. Keeping an epoll set would cost two
  // epoll_ctl per descriptor per call; poll() costs nothing extra, and the results are right.
  static int ctls = 0;
  ctls = 0;
  selector sel;
  for (int round = 0; round < 10; ++round) {
    udp_crowd c(64);
    ASSERT_TRUE(c.ok()) << c.why;
    ASSERT_TRUE(c.poke(static_cast<std::size_t>(round)));
    detail::sys().epoll_ctl = [](int e, int op, int fd, epoll_event* ev) {
      ++ctls;
      return detail::real_syscalls().epoll_ctl(e, op, fd, ev);
    };
    EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{static_cast<std::size_t>(round)});
    detail::restore_syscalls();
  }
  EXPECT_LE(ctls, 2 * 66) << "at most one epoll set built, not two epoll_ctl per socket per call";
}

TEST(SelectorEpoll, UnreadDataIsReportedOnEveryCallWithoutPollingTheWholeSet) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  ASSERT_TRUE(c.poke(70));
  selector sel;
  const syscall_counter count;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{70});
  EXPECT_GE(syscall_counter::epoll_waits, 4);
  // After the first call (poll over everything), poll() only checks what epoll reported.
  EXPECT_EQ(syscall_counter::polls, 5);
  EXPECT_EQ(syscall_counter::largest_poll, c.fds.size());
  const syscall_counter again;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{70});
  EXPECT_EQ(syscall_counter::largest_poll, 1U);
  // Once read, it is no longer reported; and a timeout is a timeout.
  std::string buf(16, '\0');
  ASSERT_TRUE(c.socks[70].recv(buf));
  auto r = sel.wait(c.fds, {}, 20);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
}

TEST(SelectorEpoll, TheEpollSetIsOneDescriptorReleasedWithTheSelector) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  const int before = test::fd_count();
  {
    const syscall_counter count;
    selector sel;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(ready_reads(sel, c.fds).empty());
    EXPECT_EQ(syscall_counter::epoll_waits, 2);
    EXPECT_EQ(test::fd_count(), before + 1);
    selector moved(std::move(sel));
    EXPECT_TRUE(ready_reads(moved, c.fds).empty());
    EXPECT_EQ(test::fd_count(), before + 1);
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(SelectorEpoll, HangupAndErrorAreReportedAsPollReportsThem) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  std::vector<int> reads = c.fds;
  reads.push_back(p.client.fd());
  std::vector<int> writes = c.fds;
  writes.push_back(p.client.fd());
  selector sel;
  ASSERT_TRUE(sel.wait(reads, writes, 0));
  ASSERT_TRUE(sel.wait(reads, writes, 0));  // the epoll set is built now
  // The peer resets the connection: POLLERR | POLLHUP on the client.
  const linger abort_on_close{1, 0};
  ASSERT_EQ(
      ::setsockopt(p.server.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close),
      0);
  ASSERT_TRUE(p.server.close());
  pollfd raw{p.client.fd(), POLLIN | POLLOUT, 0};
  ASSERT_EQ(::poll(&raw, 1, 2000), 1);
  ASSERT_NE(raw.revents & (POLLERR | POLLHUP), 0);
  for (int i = 0; i < 3; ++i) {
    auto r = sel.wait(reads, writes, 1000);
    ASSERT_TRUE(r && *r) << why(r);
    EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{reads.size() - 1});
    // Every UDP socket is writable; the client is reported too (ERR / HUP).
    EXPECT_EQ(sel.ready_write().size(), writes.size());
  }
}

TEST(SelectorEpoll, ClosedSocketsAreSkipped) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  ASSERT_TRUE(c.poke(3));
  ASSERT_TRUE(c.poke(90));
  selector sel;
  std::vector<int> reads = c.fds;
  EXPECT_EQ(ready_reads(sel, reads), (std::vector<std::size_t>{3, 90}));
  EXPECT_EQ(ready_reads(sel, reads), (std::vector<std::size_t>{3, 90}));
  reads[3] = -1;  // as the Lua binding passes a closed socket
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ready_reads(sel, reads), std::vector<std::size_t>{90});
}

TEST(SelectorEpoll, OneSocketInBothTablesAndTwiceInOne) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  ASSERT_TRUE(c.poke(5));
  std::vector<int> reads = c.fds;
  reads.push_back(c.fds[5]);  // the same descriptor at positions 5 and the end
  const std::vector<int> writes{c.fds[5], c.fds[6]};
  selector sel;
  for (int i = 0; i < 3; ++i) {
    auto r = sel.wait(reads, writes, 0);
    ASSERT_TRUE(r && *r) << why(r);
    EXPECT_EQ(ready(sel.ready_read()), (std::vector<std::size_t>{5, reads.size() - 1}));
    EXPECT_EQ(ready(sel.ready_write()), (std::vector<std::size_t>{0, 1}));
  }
}

TEST(SelectorEpoll, ASocketReopenedOnTheSameNumberIsWatched) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  const syscall_counter count;
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  const int old_fd = c.fds[40];
  ASSERT_TRUE(c.socks[40].close());
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  ASSERT_EQ(s->fd(), old_fd) << "the lowest free descriptor was not reused: test is void";
  c.socks[40] = std::move(*s);
  ASSERT_TRUE(c.poke(40));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{40});
  EXPECT_GE(syscall_counter::epoll_waits, 3);
}

TEST(SelectorEpoll, AGivenAwayDescriptorReopenedOnTheSameNumberIsWatched) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  const int given = c.socks[41].release();  // setfd(-1): someone else owns it now
  ASSERT_EQ(given, c.fds[41]);
  ::close(given);  // ...and closes it, outside libcore
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  ASSERT_EQ(s->fd(), given) << "the lowest free descriptor was not reused: test is void";
  c.socks[41] = std::move(*s);
  ASSERT_TRUE(c.poke(41));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{41});
}

TEST(SelectorEpoll, AStaleRegistrationOfADuplicatedDescriptorIsNotReported) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  // A duplicate keeps the old file open, so its registration outlives the close of 42...
  const int dup = ::dup(c.fds[42]);
  ASSERT_GE(dup, 0);
  const int old_fd = c.fds[42];
  ::close(c.socks[42].release());
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  ASSERT_EQ(s->fd(), old_fd) << "the lowest free descriptor was not reused: test is void";
  // ...and the old file becomes readable while the new one on number 42 is not.
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ASSERT_EQ(::getsockname(dup, reinterpret_cast<sockaddr*>(&ss), &len), 0);
  ASSERT_GE(::sendto(c.sender.fd(), "x", 1, 0, reinterpret_cast<sockaddr*>(&ss), len), 1);
  ASSERT_TRUE(test::wait_fd(dup, false, 2000));
  c.socks[42] = std::move(*s);
  auto r = sel.wait(c.fds, {}, 50);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r) << "reported the file that descriptor 42 no longer names";
  ASSERT_TRUE(c.poke(42));
  EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{42});
  EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{42});
  ::close(dup);
}

TEST(SelectorEpoll, ForkedChildAndParentDoNotConfuseEachOther) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  ASSERT_TRUE(c.poke(10));
  EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{10});
  EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{10});
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child drops half the table: on a shared epoll instance that would remove them for
    // the parent too.
    std::vector<int> half(c.fds.begin(), c.fds.begin() + 64);
    int bad = 0;
    for (int i = 0; i < 3; ++i) {
      if (ready_reads(sel, c.fds) != std::vector<std::size_t>{10}) bad |= 1;
      if (ready_reads(sel, half) != std::vector<std::size_t>{10}) bad |= 2;
    }
    _exit(bad);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(c.poke(100));  // in the half the child dropped
  EXPECT_EQ(ready_reads(sel, c.fds), (std::vector<std::size_t>{10, 100}));
}

TEST(SelectorEpoll, EintrIsRetriedWithTheRemainingTime) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  EXPECT_TRUE(ready_reads(sel, c.fds).empty());
  const syscall_counter count;
  const int signals_before = usr1_count.load();
  const auto t0 = clock_type::now();
  result<bool> r = false;
  {
    const interrupter irq;
    r = sel.wait(c.fds, {}, 300);
  }
  const auto ms = ms_since(t0);
  ASSERT_GT(usr1_count.load(), signals_before) << "no signal was delivered: test is void";
  ASSERT_GT(syscall_counter::epoll_waits, 1) << "epoll was not used: test is void";
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(*r);
  EXPECT_GE(ms, 300);
  EXPECT_LT(ms, 1500);
}

TEST(SelectorEpoll, FallsBackToPollWhenEpollIsNotAvailable) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  ASSERT_TRUE(c.poke(7));
  selector sel;
  const syscall_counter count;
  detail::sys().epoll_create1 = [](int) -> int {
    errno = EMFILE;
    return -1;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ready_reads(sel, c.fds), std::vector<std::size_t>{7});
  EXPECT_EQ(syscall_counter::epoll_waits, 0);
  EXPECT_EQ(syscall_counter::largest_poll, c.fds.size());
}

TEST(SelectorEpoll, ADescriptorEpollCannotWatchIsReportedAsPollDoes) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  std::vector<int> reads = c.fds;
  reads.push_back(c.fds.back() + 1000);  // not open: poll() reports POLLNVAL
  ASSERT_FALSE(test::fd_is_open(reads.back()));
  selector sel;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ready_reads(sel, reads), std::vector<std::size_t>{reads.size() - 1});
  }
}

TEST(SelectorEpoll, ATableThatChangesALittleIsUpdatedInPlace) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  std::vector<int> reads(c.fds.begin(), c.fds.end() - 1);
  EXPECT_TRUE(ready_reads(sel, reads).empty());
  EXPECT_TRUE(ready_reads(sel, reads).empty());
  const syscall_counter count;
  reads.push_back(c.fds.back());  // a new client joins
  ASSERT_TRUE(c.poke(c.fds.size() - 1));
  EXPECT_EQ(ready_reads(sel, reads), std::vector<std::size_t>{reads.size() - 1});
  reads.erase(reads.begin());  // another leaves
  EXPECT_EQ(ready_reads(sel, reads), std::vector<std::size_t>{reads.size() - 1});
  EXPECT_EQ(syscall_counter::epoll_waits, 2);
  EXPECT_EQ(syscall_counter::largest_poll, 1U);
}

TEST(SelectorEpoll, ACallerThatSaysNothingChangedGetsTheSameResultsWithoutAComparison) {
  udp_crowd c;
  ASSERT_TRUE(c.ok()) << c.why;
  selector sel;
  // The first large table was never seen: "unchanged" is not taken on trust (sizes differ).
  ASSERT_TRUE(c.poke(3));
  auto r = sel.wait_unchanged(c.fds, {}, 0);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{3});
  const syscall_counter count;
  for (int i = 0; i < 4; ++i) {
    r = sel.wait_unchanged(c.fds, {}, 0);
    ASSERT_TRUE(r && *r) << why(r);
    EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{3});
  }
  EXPECT_GE(syscall_counter::epoll_waits, 3) << "the epoll set is kept";
  // A socket closed and reopened on the same number is still noticed (libcore saw the close).
  const int old_fd = c.fds[9];
  ASSERT_TRUE(c.socks[9].close());
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  ASSERT_EQ(s->fd(), old_fd) << "the lowest free descriptor was not reused: test is void";
  c.socks[9] = std::move(*s);
  ASSERT_TRUE(c.poke(9));
  r = sel.wait_unchanged(c.fds, {}, 0);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_read()), (std::vector<std::size_t>{3, 9}));
  // A table of another size is compared whatever the caller says.
  std::vector<int> fewer(c.fds.begin() + 5, c.fds.end());
  r = sel.wait_unchanged(fewer, {}, 0);
  ASSERT_TRUE(r && *r) << why(r);
  EXPECT_EQ(ready(sel.ready_read()), std::vector<std::size_t>{4});
}

}  // namespace
}  // namespace lsock
