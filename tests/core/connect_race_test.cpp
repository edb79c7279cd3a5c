// A tcp connect to several addresses races them (RFC 8305) inside select, never blocking:
// connect() returns at once, the selector starts the next attempt when one fails or 250 ms
// pass, and the winner lands on the descriptor the socket already had.

#include "detail/connect_race.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <lsock/poll.hpp>
#include <lsock/socket.hpp>
#include <vector>

#include "netns_support.hpp"
#include "test_support.hpp"

namespace lsock::test {
namespace {

using clock = std::chrono::steady_clock;

endpoint ep(const char* addr, int port) {
  endpoint e;
  EXPECT_TRUE(parse_ip_literal(addr, port, e)) << addr;
  return e;
}

/// Waits with the selector (as lsocket.select does) until `s` is writable or `ms` pass.
bool select_writable(socket& s, std::int64_t ms) {
  selector sel;
  socket* racing[1] = {&s};
  const int fd = s.fd();
  auto r = sel.wait({}, std::span<const int>(&fd, 1), ms, racing);
  return r && *r && sel.ready_write().size() == 1;
}

class ConnectRace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  }
};

TEST_F(ConnectRace, FirstAddressRefusedSecondListensReturnsAtOnceAndKeepsTheDescriptor) {
  auto server = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server) << server.error().describe();
  const int port = server->local_endpoint()->port();
  const std::vector<endpoint> to = {ep("::1", port), ep("127.0.0.1", port)};

  const auto t0 = clock::now();
  auto c = socket::connect(socket_type::tcp, to);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_LT(ms_since(t0), 10) << "connect must not wait for the first address's answer";
  EXPECT_TRUE(c->connecting());
  const int fd = c->fd();

  ASSERT_TRUE(select_writable(*c, 2000));
  EXPECT_TRUE(c->status()) << c->status().error().describe();
  EXPECT_FALSE(c->connecting());
  EXPECT_EQ(c->fd(), fd) << "the winner must sit on the socket's own descriptor";
  EXPECT_EQ(c->info().family, family::inet);
  EXPECT_TRUE(nonblocking_and_cloexec(c->fd()));
  EXPECT_EQ(c->peer_endpoint()->to_string(), "127.0.0.1:" + std::to_string(port));

  // The connection is the server's: bytes go through.
  ASSERT_TRUE(wait_readable(*server));
  accepted a;
  ASSERT_TRUE(server->accept(a));
  ASSERT_TRUE(c->send("ping"));
  EXPECT_EQ(recv_exactly(a.socket, 4), "ping");
}

TEST_F(ConnectRace, FirstAddressListensWinsWithoutASecondAttempt) {
  auto server = socket::bind(socket_type::tcp, "::1", 0);
  ASSERT_TRUE(server) << server.error().describe();
  const int port = server->local_endpoint()->port();
  const int before = fd_count();
  auto c = socket::connect(socket_type::tcp,
                           std::vector<endpoint>{ep("::1", port), ep("127.0.0.1", port)});
  ASSERT_TRUE(c) << c.error().describe();
  ASSERT_TRUE(select_writable(*c, 2000));
  EXPECT_TRUE(c->status());
  EXPECT_EQ(c->info().family, family::inet6);
  EXPECT_EQ(fd_count(), before + 1) << "every other attempt is closed";
}

TEST_F(ConnectRace, ServerOnIpv6OnlyIsReachedAfterTheIpv4Refusal) {
  auto server = socket::bind(socket_type::tcp, "::1", 0);
  ASSERT_TRUE(server) << server.error().describe();
  const int port = server->local_endpoint()->port();
  auto c = socket::connect(socket_type::tcp,
                           std::vector<endpoint>{ep("127.0.0.1", port), ep("::1", port)});
  ASSERT_TRUE(c) << c.error().describe();
  const int fd = c->fd();
  ASSERT_TRUE(select_writable(*c, 2000));
  EXPECT_TRUE(c->status());
  EXPECT_EQ(c->fd(), fd);
  EXPECT_EQ(c->info().family, family::inet6);
  EXPECT_EQ(c->peer_endpoint()->addr(), "::1");
}

TEST_F(ConnectRace, EveryAddressRefusedReportsTheLastFailure) {
  const int port = closed_port();
  const int before = fd_count();
  auto c = socket::connect(socket_type::tcp,
                           std::vector<endpoint>{ep("::1", port), ep("127.0.0.1", port)});
  ASSERT_TRUE(c) << c.error().describe();
  ASSERT_TRUE(select_writable(*c, 2000)) << "a failed race is reported, so the caller sees it";
  auto st = c->status();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().name, "ECONNREFUSED");
  EXPECT_FALSE(c->status()) << "the error is kept";
  char buf[4];
  EXPECT_FALSE(c->recv(buf)) << "I/O reports the error too, not an orderly close";
  EXPECT_EQ(fd_count(), before + 1);
}

TEST_F(ConnectRace, StatusIsTrueAndIoWouldBlockWhileRacing) {
  auto server = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server);
  const int port = server->local_endpoint()->port();
  auto c = socket::connect(socket_type::tcp,
                           std::vector<endpoint>{ep("::1", port), ep("127.0.0.1", port)});
  ASSERT_TRUE(c);
  // status() moves the race on without blocking; until it is over it says "connecting".
  bool connected = false;
  for (int i = 0; i < 400 && !connected; ++i) {
    auto st = c->status();
    ASSERT_TRUE(st) << st.error().describe();
    if (!c->connecting()) connected = true;
    if (c->connecting()) {
      // send moves the race on too: it would block only if the race is still running after.
      auto sent = c->send("x");
      ASSERT_TRUE(sent);
      if (c->connecting()) {
        EXPECT_EQ(sent->status, io_status::would_block);
      }
      sleep_ms(5);
    }
  }
  EXPECT_TRUE(connected) << "status() alone finishes the race";
}

TEST_F(ConnectRace, ClosingARacingSocketClosesEveryAttempt) {
  const int before = fd_count();
  {
    const int port = closed_port();
    auto c = socket::connect(
        socket_type::tcp,
        std::vector<endpoint>{ep("::1", port), ep("127.0.0.1", port), ep("127.0.0.2", port)});
    ASSERT_TRUE(c);
    (void)c->status();  // may start more attempts
  }
  EXPECT_EQ(fd_count(), before);
}

TEST(ConnectRaceOrder, FamiliesAlternateStartingWithTheFirstAddressesFamily) {
  const std::vector<endpoint> in = {ep("::1", 1), ep("::2", 1), ep("127.0.0.1", 1),
                                    ep("127.0.0.2", 1), ep("::3", 1)};
  const auto out = detail::interleave_families(in);
  std::vector<std::string> got;
  for (const endpoint& e : out) got.push_back(e.addr());
  EXPECT_EQ(got, (std::vector<std::string>{"::1", "127.0.0.1", "::2", "127.0.0.2", "::3"}));
}

TEST(ConnectWait, ReportsTheConnectedSocketOrTheErrorAsConnect) {
  auto server = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server);
  const int port = server->local_endpoint()->port();
  const std::vector<endpoint> ok = {ep("127.0.0.1", port)};
  auto c = socket::connect_wait(socket_type::tcp, ok, {}, connect_limits{});
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_TRUE(c->status());

  const std::vector<endpoint> refused = {ep("127.0.0.1", closed_port())};
  auto r = socket::connect_wait(socket_type::tcp, refused, {}, connect_limits{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().op, "connect");
  EXPECT_EQ(r.error().name, "ECONNREFUSED");
}

// ---- in the private namespace: a silent address (on v0's subnet, nobody answers ARP) ------

TEST(ConnectRaceVeth, ASilentFirstAddressIsOvertakenAfterTheAttemptDelay) {
  REQUIRE_VETH();
  auto server = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server);
  const int port = server->local_endpoint()->port();
  auto c = socket::connect(socket_type::tcp,
                           std::vector<endpoint>{ep("10.77.0.99", port), ep("127.0.0.1", port)});
  ASSERT_TRUE(c) << c.error().describe();
  const int fd = c->fd();
  const auto t0 = clock::now();
  ASSERT_TRUE(select_writable(*c, 2000));
  const auto ms = ms_since(t0);
  EXPECT_TRUE(c->status()) << c->status().error().describe();
  EXPECT_EQ(c->fd(), fd);
  EXPECT_EQ(c->peer_endpoint()->addr(), "127.0.0.1");
  EXPECT_GE(ms, 240) << "the second attempt starts after RFC 8305's 250 ms";
  EXPECT_LE(ms, 400);
}

TEST(ConnectRaceVeth, SilentAddressesBeyondTheCapDoNotKeepALaterOneFromBeingTried) {
  REQUIRE_VETH();
  // Four silent addresses (no ARP answer for about 3 s), then the listener: at most three
  // attempts are in flight, so the oldest but the first gives way every 250 ms and the fifth
  // address is tried at about 1 s.
  auto server = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server);
  const int port = server->local_endpoint()->port();
  const std::vector<endpoint> to = {ep("10.77.0.96", port), ep("10.77.0.97", port),
                                    ep("10.77.0.98", port), ep("10.77.0.99", port),
                                    ep("127.0.0.1", port)};
  const int before = fd_count();
  auto c = socket::connect(socket_type::tcp, to);
  ASSERT_TRUE(c);
  const auto t0 = clock::now();
  ASSERT_TRUE(select_writable(*c, 2500));
  EXPECT_TRUE(c->status()) << c->status().error().describe();
  EXPECT_EQ(c->peer_endpoint()->addr(), "127.0.0.1");
  EXPECT_GE(ms_since(t0), 900);
  EXPECT_LE(ms_since(t0), 1500);
  EXPECT_EQ(fd_count(), before + 1) << "every other attempt is closed";
}

TEST(ConnectRaceVeth, SelectWakesForTheNextAttemptWithinItsOwnTimeout) {
  REQUIRE_VETH();
  // Two silent addresses: select with a 100 ms timeout returns false at 100 ms (the attempt
  // delay is not a reason to return), and the attempts keep running.
  auto c = socket::connect(socket_type::tcp,
                           std::vector<endpoint>{ep("10.77.0.98", 9), ep("10.77.0.99", 9)});
  ASSERT_TRUE(c);
  const auto t0 = clock::now();
  EXPECT_FALSE(select_writable(*c, 100));
  EXPECT_GE(ms_since(t0), 95);
  EXPECT_LE(ms_since(t0), 200);
  EXPECT_TRUE(c->connecting());
  EXPECT_TRUE(c->status()) << "still connecting";
}

TEST(ConnectRaceVeth, ConnectWaitTimesOutAtItsDeadlineOnASilentAddress) {
  REQUIRE_VETH();
  const std::vector<endpoint> to = {ep("10.77.0.99", 9)};
  const auto t0 = clock::now();
  const auto deadline = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            (clock::now() + std::chrono::milliseconds(300)).time_since_epoch())
                            .count();
  auto r = socket::connect_wait(socket_type::tcp, to, {}, connect_limits{deadline, 0.3, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "ETIMEDOUT");
  EXPECT_EQ(r.error().message, "timed out after 0.3 s");
  EXPECT_GE(ms_since(t0), 290);
  EXPECT_LE(ms_since(t0), 600);
}

TEST(ConnectRaceVeth, AReadableStopDescriptorEndsTheWaitAsInterrupted) {
  REQUIRE_VETH();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "x", 1), 1);
  const std::vector<endpoint> to = {ep("10.77.0.99", 9)};
  const auto t0 = clock::now();
  auto r = socket::connect_wait(socket_type::tcp, to, {},
                                connect_limits{0, 0, std::span<const int>(p, 1)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "EINTR");
  EXPECT_EQ(r.error().op, "connect");
  EXPECT_LT(ms_since(t0), 100);
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace
}  // namespace lsock::test
