// Fault injection through libcore's syscall seam: each failure a kernel can report reaches the
// caller as the right outcome (ready / would_block / closed / error) with the right operation
// and name, EINTR never does, and no descriptor or resolver list is left behind.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "detail/interface_lookup.hpp"
#include "detail/resolver_error.hpp"
#include "lsock/lsock.hpp"
#include "seam.hpp"
#include "seam_test.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using detail::eai_name;
using detail::interface_index;
using seam::call;

class Fault : public seam::seam_test {};

/// Checks an error's operation, name, code and domain.
template <class T>
::testing::AssertionResult fails_with(const result<T>& r, const std::string& op, int code,
                                      const std::string& name) {
  if (r) return ::testing::AssertionFailure() << "succeeded; expected " << op << " " << name;
  const error& e = r.error();
  if (e.op != op || e.name != name || e.code != code || e.message.empty()) {
    return ::testing::AssertionFailure()
           << "got op=" << e.op << " name=" << e.name << " code=" << e.code << " message='"
           << e.message << "'; expected op=" << op << " name=" << name << " code=" << code;
  }
  return ::testing::AssertionSuccess();
}

// ---- creation: socket(), setsockopt(), bind(), listen(), connect() -------------------------

TEST_F(Fault, SocketFailureIsReportedAndLeaksNothing) {
  test::temp_dir dir;
  const int before = test::fd_count();
  for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM, EAFNOSUPPORT, EACCES}) {
    SCOPED_TRACE(errno_name(e));
    for (auto type : {socket_type::tcp, socket_type::udp, socket_type::mcast}) {
      seam::fail(call::socket, e);
      auto b = socket::bind(type, "127.0.0.1", 0);
      EXPECT_TRUE(fails_with(b, "socket", e, errno_name(e)));
      if (!b) {
        EXPECT_EQ(b.error().domain, error_domain::system);
      }
      seam::fail(call::socket, e);
      EXPECT_TRUE(fails_with(socket::connect(type, "::1", 9), "socket", e, errno_name(e)));
    }
    seam::fail(call::socket, e);
    EXPECT_TRUE(
        fails_with(socket::bind(socket_type::tcp, dir / "s", 0), "socket", e, errno_name(e)));
    seam::fail(call::socket, e);
    EXPECT_TRUE(fails_with(socket::connect(socket_type::udp, "@lsock-fault", 0), "socket", e,
                           errno_name(e)));
  }
  EXPECT_EQ(test::fd_count(), before);
  EXPECT_TRUE(seam::st().closed.empty()) << "close() called on a descriptor never made";
}

TEST_F(Fault, SetsockoptFailureReleasesTheDescriptor) {
  const int before = test::fd_count();
  // tcp and mcast receivers set SO_REUSEADDR; mcast sets SO_BROADCAST; senders set the TTL.
  struct step {
    socket_type type;
    bool bind;
    int level, option;
  };
  for (const step& s : {step{socket_type::tcp, true, SOL_SOCKET, SO_REUSEADDR},
                        step{socket_type::mcast, true, SOL_SOCKET, SO_REUSEADDR},
                        step{socket_type::mcast, true, SOL_SOCKET, SO_BROADCAST},
                        step{socket_type::mcast, false, SOL_SOCKET, SO_BROADCAST},
                        step{socket_type::mcast, false, IPPROTO_IP, IP_MULTICAST_TTL},
                        step{socket_type::mcast, false, IPPROTO_IPV6, IPV6_MULTICAST_HOPS}}) {
    SCOPED_TRACE(std::string(type_name(s.type)) + (s.bind ? " bind " : " connect ") +
                 std::to_string(s.option));
    seam::st().opened.clear();
    seam::st().closed.clear();
    seam::fail_option(s.level, s.option, ENOBUFS);
    const char* addr = s.level == IPPROTO_IPV6 ? "::1" : "127.0.0.1";
    auto r = s.bind ? socket::bind(s.type, addr, 0) : socket::connect(s.type, addr, 9);
    EXPECT_TRUE(fails_with(r, "setsockopt", ENOBUFS, "ENOBUFS"));
    ASSERT_EQ(seam::st().opened.size(), 1u);
    EXPECT_EQ(seam::still_open(), 0) << "the descriptor was not closed";
    EXPECT_EQ(test::fd_count(), before);
  }
}

TEST_F(Fault, MulticastJoinFailureReleasesTheDescriptor) {
  // The join is refused by the seam before anything reaches the network; bind never runs.
  const int before = test::fd_count();
  seam::fail_option(IPPROTO_IP, IP_ADD_MEMBERSHIP, ENODEV);
  EXPECT_TRUE(
      fails_with(socket::bind(socket_type::mcast, "239.255.0.1", 0), "join", ENODEV, "ENODEV"));
  seam::fail_option(IPPROTO_IPV6, IPV6_JOIN_GROUP, EADDRNOTAVAIL);
  EXPECT_TRUE(fails_with(socket::bind(socket_type::mcast, "ff15::1", 0), "join", EADDRNOTAVAIL,
                         "EADDRNOTAVAIL"));
  EXPECT_EQ(seam::calls(call::bind), 0);
  EXPECT_EQ(seam::still_open(), 0);
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(Fault, BindAndListenFailuresReleaseTheDescriptor) {
  test::temp_dir dir;
  const int before = test::fd_count();
  for (int e : {EADDRINUSE, EACCES, EADDRNOTAVAIL, ENOBUFS}) {
    SCOPED_TRACE(errno_name(e));
    for (auto type : {socket_type::tcp, socket_type::udp, socket_type::mcast}) {
      for (const char* addr : {"127.0.0.1", "::1"}) {
        seam::fail(call::bind, e);
        EXPECT_TRUE(fails_with(socket::bind(type, addr, 0), "bind", e, errno_name(e)));
      }
    }
    seam::fail(call::bind, e);
    EXPECT_TRUE(fails_with(socket::bind(socket_type::udp, dir / "u", 0), "bind", e, errno_name(e)));
    seam::fail(call::bind, e);
    EXPECT_TRUE(
        fails_with(socket::bind(socket_type::tcp, "@lsock-fault", 0), "bind", e, errno_name(e)));
    seam::fail(call::listen, e);
    EXPECT_TRUE(
        fails_with(socket::bind(socket_type::tcp, "127.0.0.1", 0), "listen", e, errno_name(e)));
    // A fresh path each time: see FailedUnixBindLeavesNoSocketFileBehind.
    seam::fail(call::listen, e);
    EXPECT_TRUE(fails_with(socket::bind(socket_type::tcp, dir / ("t" + errno_name(e)), 0), "listen",
                           e, errno_name(e)));
  }
  EXPECT_GT(seam::st().opened.size(), 0u);
  EXPECT_EQ(seam::still_open(), 0);
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(Fault, FailedUnixBindLeavesNoSocketFileBehind) {
  // bind() made the file, listen() failed: the caller got no socket, so nothing may remain
  // that makes the next attempt fail with EADDRINUSE.
  test::temp_dir dir;
  const std::string path = dir / "s";
  seam::fail(call::listen, ENOBUFS);
  EXPECT_TRUE(fails_with(socket::bind(socket_type::tcp, path, 0), "listen", ENOBUFS, "ENOBUFS"));
  EXPECT_FALSE(std::filesystem::exists(path)) << path << " was left behind";
  auto again = socket::bind(socket_type::tcp, path, 0);
  EXPECT_TRUE(again) << again.error().describe();
}

TEST_F(Fault, ConnectFailureReleasesTheDescriptor) {
  const int before = test::fd_count();
  for (int e : {ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EACCES, EADDRNOTAVAIL, ETIMEDOUT}) {
    SCOPED_TRACE(errno_name(e));
    for (auto type : {socket_type::tcp, socket_type::udp, socket_type::mcast}) {
      seam::fail(call::connect, e);
      EXPECT_TRUE(fails_with(socket::connect(type, "127.0.0.1", 9), "connect", e, errno_name(e)));
    }
    seam::fail(call::connect, e);
    EXPECT_TRUE(fails_with(socket::connect(socket_type::tcp, "@lsock-fault", 0), "connect", e,
                           errno_name(e)));
  }
  EXPECT_EQ(seam::still_open(), 0);
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(Fault, InterruptedOrInProgressConnectGoesOn) {
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l);
  const int port = l->local_endpoint()->port();
  for (int e : {EINTR, EINPROGRESS}) {
    SCOPED_TRACE(errno_name(e));
    // The kernel started the connection and then said EINTR / EINPROGRESS: it goes on in the
    // background, so connect() succeeds and the caller waits for writability.
    seam::fail(call::connect, e);
    seam::fault_for(call::connect).after = true;
    auto c = socket::connect(socket_type::tcp, "127.0.0.1", port);
    ASSERT_TRUE(c) << c.error().describe();
    ASSERT_TRUE(test::wait_writable(*c));
    EXPECT_TRUE(c->status());
    ASSERT_TRUE(test::wait_readable(*l));
    accepted a;
    ASSERT_EQ(*l->accept(a), io_status::ready);
    ASSERT_TRUE(c->send("go"));
    EXPECT_EQ(test::recv_exactly(a.socket, 2), "go");
  }
}

TEST_F(Fault, EveryCandidateIsTriedAndEveryFailedOneReleased) {
  seam::fake_dns("two.test", {"127.0.0.1", "::1"});
  const int before = test::fd_count();
  // First candidate fails to bind: the second one is used.
  seam::fail(call::bind, EADDRNOTAVAIL);
  {
    auto s = socket::bind(socket_type::udp, "two.test", 0);
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->info().family, family::inet6);
    EXPECT_EQ(seam::st().opened.size(), 2u);
    EXPECT_EQ(seam::still_open(), 1);  // only the socket we hold
  }
  EXPECT_EQ(test::fd_count(), before);
  // Every candidate fails: the last failure is reported, nothing stays open.
  seam::fail(call::bind, EADDRNOTAVAIL, 1);
  seam::fail(call::listen, EADDRINUSE, 1);
  EXPECT_TRUE(fails_with(socket::bind(socket_type::tcp, "two.test", 0), "listen", EADDRINUSE,
                         "EADDRINUSE"));
  seam::fail(call::socket, EAFNOSUPPORT, 1);
  seam::fail(call::connect, ECONNREFUSED, -1);
  EXPECT_TRUE(fails_with(socket::connect(socket_type::tcp, "two.test", 9), "connect", ECONNREFUSED,
                         "ECONNREFUSED"));
  EXPECT_EQ(seam::still_open(), 0);
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(Fault, ALaterRefusalOfTheFirstAddressFallsBackToTheNext) {
  // "localhost" as many systems have it: ::1 first, the server only on 127.0.0.1. The refusal
  // of ::1 comes after connect() returned EINPROGRESS; the original tried only the first
  // address. connect() returns at once and select races the addresses.
  auto server = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server) << server.error().describe();
  const int port = server->local_endpoint()->port();
  seam::fake_dns("dual.test", {"::1", "127.0.0.1"});
  const int before = test::fd_count();
  {
    auto c = socket::connect(socket_type::tcp, "dual.test", port);
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_TRUE(c->connecting());
    const int fd = c->fd();
    selector sel;
    socket* racing[1] = {&*c};
    auto w = sel.wait({}, std::span<const int>(&fd, 1), 2000, racing);
    ASSERT_TRUE(w && *w);
    auto st = c->status();
    EXPECT_TRUE(st) << st.error().describe();
    EXPECT_EQ(c->fd(), fd);
    EXPECT_EQ(c->info().family, family::inet);
    EXPECT_EQ(seam::still_open(), 2);  // the server and the client; the ::1 attempt is closed
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(Fault, ARefusalIsReportedOverAnUnreachableNetworkThatFailedLater) {
  // glibc lists an unreachable IPv6 address after 127.0.0.1: the refusal of 127.0.0.1 says
  // the server is down; "Network is unreachable" of the other address says nothing of it.
  const int port = test::closed_port();
  seam::fake_dns("mix.test", {"127.0.0.1", "::1"});
  seam::fail(call::connect, ENETUNREACH, 1, 1);  // the second attempt (::1) fails at once
  auto c = socket::connect(socket_type::tcp, "mix.test", port);
  ASSERT_TRUE(c) << c.error().describe();
  const int fd = c->fd();
  selector sel;
  socket* racing[1] = {&*c};
  auto w = sel.wait({}, std::span<const int>(&fd, 1), 2000, racing);
  ASSERT_TRUE(w && *w);
  EXPECT_TRUE(fails_with(c->status(), "connect", ECONNREFUSED, "ECONNREFUSED"));
}

// ---- I/O: EINTR, EAGAIN, connection errors, short writes ------------------------------------

TEST_F(Fault, EintrIsRetriedTransparently) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  seam::fail(call::send, EINTR, 100);
  auto s = p.client.send("abc");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->status, io_status::ready);
  EXPECT_EQ(s->bytes, 3u);
  ASSERT_TRUE(test::wait_readable(p.server));
  seam::fail(call::recv, EINTR, 100);
  char buf[8];
  auto r = p.server.recv(buf);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(std::string(buf, r->bytes), "abc");
  seam::fail(call::recv, EINTR, 3);
  seam::fail(call::send, EINTR, 3);
  ASSERT_TRUE(p.server.send("xy"));
  ASSERT_TRUE(test::wait_readable(p.client));
  endpoint from;
  seam::fail(call::recv, EINTR, 3);
  auto rf = p.client.recvfrom(buf, from);  // a stream: recv, then the peer's name
  ASSERT_TRUE(rf) << rf.error().describe();
  EXPECT_EQ(std::string(buf, rf->bytes), "xy");
  EXPECT_EQ(from.port(), p.listener.local_endpoint()->port());

  auto c = socket::connect(socket_type::tcp, "127.0.0.1", p.listener.local_endpoint()->port());
  ASSERT_TRUE(c);
  ASSERT_TRUE(test::wait_readable(p.listener));
  seam::fail(call::accept, EINTR, 5);
  accepted a;
  auto ar = p.listener.accept(a);
  ASSERT_TRUE(ar) << ar.error().describe();
  EXPECT_EQ(*ar, io_status::ready);
  EXPECT_TRUE(a.socket.is_open());

  auto u1 = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto u2 = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(u1 && u2);
  seam::fail(call::sendto, EINTR, 5);
  auto st = u1->sendto("dgram", "127.0.0.1", u2->local_endpoint()->port());
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_EQ(st->bytes, 5u);
  ASSERT_TRUE(test::wait_readable(*u2));
  seam::fail(call::recvfrom, EINTR, 5);
  auto ur = u2->recvfrom(buf, from);
  ASSERT_TRUE(ur) << ur.error().describe();
  EXPECT_EQ(std::string(buf, ur->bytes), "dgram");
  EXPECT_EQ(from.port(), u1->local_endpoint()->port());
}

TEST_F(Fault, InterruptedSelectWaitsOnlyTheTimeLeft) {
  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(u);
  const int fd = u->fd();
  selector sel;
  // Each poll() is interrupted after 40 ms, ten times: a 100 ms timeout must end near 100 ms,
  // not 10 x 100 ms, and end as a timeout (false), not an error.
  seam::fail(call::poll, EINTR, 10);
  seam::fault_for(call::poll).delay_ms = 40;
  const auto t0 = std::chrono::steady_clock::now();
  auto w = sel.wait(std::span<const int>(&fd, 1), {}, 100);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_TRUE(w) << w.error().describe();
  EXPECT_FALSE(*w);
  EXPECT_GE(ms, 95);
  EXPECT_LT(ms, 400);
  // No timeout: interruptions are retried until something is ready.
  auto peer = socket::connect(socket_type::udp, "127.0.0.1", u->local_endpoint()->port());
  ASSERT_TRUE(peer && peer->send("x"));
  seam::fail(call::poll, EINTR, 3);
  seam::fault_for(call::poll).delay_ms = 0;
  auto w2 = sel.wait(std::span<const int>(&fd, 1), {}, -1);
  ASSERT_TRUE(w2) << w2.error().describe();
  EXPECT_TRUE(*w2);
  ASSERT_EQ(sel.ready_read().size(), 1u);
  // A zero timeout that is interrupted is a timeout, not an error.
  seam::fail(call::poll, EINTR, 1);
  auto w3 = sel.wait({}, {}, 0);
  ASSERT_TRUE(w3);
  EXPECT_FALSE(*w3);
}

TEST_F(Fault, EagainIsWouldBlockAndLosesNothing) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  for (int e : {EAGAIN, EWOULDBLOCK}) {
    seam::fail(call::send, e);
    auto s = p.client.send("x");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status, io_status::would_block);
    EXPECT_EQ(s->bytes, 0u);
  }
  ASSERT_TRUE(p.client.send("data"));
  ASSERT_TRUE(test::wait_readable(p.server));
  seam::fail(call::recv, EAGAIN);
  char buf[16];
  auto r = p.server.recv(buf);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, io_status::would_block);
  EXPECT_EQ(test::recv_exactly(p.server, 4), "data");  // still there

  auto c = socket::connect(socket_type::tcp, "127.0.0.1", p.listener.local_endpoint()->port());
  ASSERT_TRUE(c);
  ASSERT_TRUE(test::wait_readable(p.listener));
  for (int e : {EAGAIN, ECONNABORTED}) {
    seam::fail(call::accept, e);
    accepted a;
    auto ar = p.listener.accept(a);
    ASSERT_TRUE(ar) << ar.error().describe();
    EXPECT_EQ(*ar, io_status::would_block) << errno_name(e);
    EXPECT_FALSE(a.socket.is_open());
  }
  accepted a;
  ASSERT_EQ(*p.listener.accept(a), io_status::ready);  // the pending connection was kept

  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(u);
  seam::fail(call::sendto, EAGAIN);
  EXPECT_EQ(u->sendto("x", "127.0.0.1", u->local_endpoint()->port())->status,
            io_status::would_block);
  seam::fail(call::recvfrom, EAGAIN);
  endpoint from;
  EXPECT_EQ(u->recvfrom(buf, from)->status, io_status::would_block);
  seam::fail(call::recv, EAGAIN);
  EXPECT_EQ(u->recv(buf)->status, io_status::would_block);
}

TEST_F(Fault, ConnectionErrorsAreErrorsWithTheirNames) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  char buf[8];
  for (int e : {ECONNRESET, ETIMEDOUT, ENOTCONN, EIO}) {
    seam::fail(call::recv, e);
    EXPECT_TRUE(fails_with(p.server.recv(buf), "recv", e, errno_name(e)));
    seam::fail(call::recv, e);
    endpoint from;
    EXPECT_TRUE(fails_with(p.server.recvfrom(buf, from), "recv", e, errno_name(e)));
  }
  for (int e : {EPIPE, ECONNRESET, ENOBUFS, ENOMEM}) {
    seam::fail(call::send, e);
    EXPECT_TRUE(fails_with(p.client.send("x"), "send", e, errno_name(e)));
  }
  // The sockets still work after each reported error.
  ASSERT_TRUE(p.client.send("ok"));
  EXPECT_EQ(test::recv_exactly(p.server, 2), "ok");

  for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM, EPERM}) {
    seam::fail(call::accept, e);
    accepted a;
    EXPECT_TRUE(fails_with(p.listener.accept(a), "accept", e, errno_name(e)));
  }
  seam::fail(call::poll, ENOMEM);
  selector sel;
  const int fd = p.server.fd();
  EXPECT_TRUE(
      fails_with(sel.wait(std::span<const int>(&fd, 1), {}, 10), "select", ENOMEM, "ENOMEM"));

  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(u);
  for (int e : {ENOBUFS, ECONNREFUSED, EMSGSIZE, EHOSTUNREACH}) {
    seam::fail(call::sendto, e);
    EXPECT_TRUE(fails_with(u->sendto("x", "127.0.0.1", 9), "sendto", e, errno_name(e)));
    seam::fail(call::recvfrom, e);
    endpoint from;
    EXPECT_TRUE(fails_with(u->recvfrom(buf, from), "recvfrom", e, errno_name(e)));
    seam::fail(call::recv, e);
    EXPECT_TRUE(fails_with(u->recv(buf), "recv", e, errno_name(e)));
  }
  auto cu = socket::connect(socket_type::udp, "127.0.0.1", u->local_endpoint()->port());
  ASSERT_TRUE(cu);
  seam::fail(call::send, ECONNREFUSED);
  EXPECT_TRUE(fails_with(cu->send("x"), "send", ECONNREFUSED, "ECONNREFUSED"));
}

TEST_F(Fault, ShortWritesReportTheCountAndTheRestFollows) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  const std::string msg = "hello, short writes";
  seam::short_writes(1, 3);
  std::string_view rest = msg;
  std::vector<std::size_t> counts;
  while (!rest.empty()) {
    auto s = p.client.send(rest);
    ASSERT_TRUE(s) << s.error().describe();
    ASSERT_EQ(s->status, io_status::ready);
    counts.push_back(s->bytes);
    rest.remove_prefix(s->bytes);
  }
  ASSERT_GE(counts.size(), 4u);
  EXPECT_EQ(counts[0], 1u);
  EXPECT_EQ(counts[1], 1u);
  EXPECT_EQ(counts[2], 1u);
  EXPECT_EQ(test::recv_exactly(p.server, msg.size()), msg);
  // A kernel that takes nothing (0 bytes) is "ready, 0 bytes", never "closed".
  seam::short_writes(0, 1);
  auto z = p.client.send("abc");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->status, io_status::ready);
  EXPECT_EQ(z->bytes, 0u);
}

// ---- the rest of the socket's calls --------------------------------------------------------

TEST_F(Fault, StatusNamesAndShutdownReportFailures) {
  auto p = test::make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  seam::fail(call::getsockopt, ENOBUFS);
  EXPECT_TRUE(fails_with(p.client.status(), "status", ENOBUFS, "ENOBUFS"));
  EXPECT_TRUE(p.client.status()) << "a failed getsockopt must not stick";
  seam::fail(call::getsockname, ENOBUFS);
  EXPECT_TRUE(fails_with(p.client.local_endpoint(), "getsockname", ENOBUFS, "ENOBUFS"));
  seam::fail(call::getpeername, ENOTCONN);
  EXPECT_TRUE(fails_with(p.client.peer_endpoint(), "getpeername", ENOTCONN, "ENOTCONN"));
  seam::fail(call::shutdown, ENOTCONN);
  EXPECT_TRUE(fails_with(p.client.shutdown_write(), "shutdown", ENOTCONN, "ENOTCONN"));
  // recvfrom on a stream whose peer name cannot be read still returns the data it read.
  ASSERT_TRUE(p.client.send("kept"));
  ASSERT_TRUE(test::wait_readable(p.server));
  seam::fail(call::getpeername, ENOTCONN);
  char buf[8];
  endpoint from;
  auto r = p.server.recvfrom(buf, from);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(std::string(buf, r->bytes), "kept");
  EXPECT_EQ(from.family(), family::unspec);
}

TEST_F(Fault, CloseFailureStillReleasesTheDescriptor) {
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s);
  const int fd = s->fd();
  seam::fail(call::close, EIO);
  EXPECT_TRUE(fails_with(s->close(), "close", EIO, "EIO"));
  EXPECT_FALSE(s->is_open());
  EXPECT_TRUE(s->close()) << "closing a closed socket succeeds";
  EXPECT_TRUE(seam::was_closed(fd));
  EXPECT_EQ(std::count(seam::st().closed.begin(), seam::st().closed.end(), fd), 1)
      << "close() must not be retried: the descriptor number may already be reused";
  auto t = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(t);
  seam::fail(call::close, EINTR);
  EXPECT_TRUE(t->close()) << "EINTR from close: the descriptor is gone, not an error";
  EXPECT_FALSE(t->is_open());
  EXPECT_EQ(seam::still_open(), 0);
}

// ---- resolver and interfaces ----------------------------------------------------------------

TEST_F(Fault, ResolverFailuresCarryTheirNames) {
  for (int eai : {EAI_AGAIN, EAI_FAIL, EAI_MEMORY, EAI_NONAME, EAI_NODATA}) {
    SCOPED_TRACE(eai_name(eai));
    seam::fail_resolver(eai);
    auto r = resolve("name.test");
    EXPECT_TRUE(fails_with(r, "resolve", eai, eai_name(eai)));
    if (!r) {
      EXPECT_EQ(r.error().domain, error_domain::resolver);
    }
    seam::fail_resolver(eai);
    EXPECT_TRUE(fails_with(socket::connect(socket_type::tcp, "name.test", 9), "connect", eai,
                           eai_name(eai)));
    seam::fail_resolver(eai);
    EXPECT_TRUE(
        fails_with(socket::bind(socket_type::udp, "name.test", 0), "bind", eai, eai_name(eai)));
    auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(u);
    seam::fail_resolver(eai);
    EXPECT_TRUE(fails_with(u->sendto("x", "name.test", 9), "sendto", eai, eai_name(eai)));
  }
  // EAI_SYSTEM carries errno: reported as that errno.
  seam::fail_resolver(EAI_SYSTEM, EMFILE);
  auto r = resolve("name.test");
  EXPECT_TRUE(fails_with(r, "resolve", EMFILE, "EMFILE"));
  if (!r) {
    EXPECT_EQ(r.error().domain, error_domain::system);
  }
  seam::fail_resolver(EAI_SYSTEM, ENOENT);
  EXPECT_TRUE(
      fails_with(socket::connect(socket_type::udp, "name.test", 9), "connect", ENOENT, "ENOENT"));
  // ...and without an errno it stays a resolver error.
  seam::fail_resolver(EAI_SYSTEM, 0);
  EXPECT_TRUE(fails_with(resolve("name.test"), "resolve", EAI_SYSTEM, "EAI_SYSTEM"));
  EXPECT_EQ(seam::still_open(), 0);
}

TEST_F(Fault, ResolverListsAreWalkedWhollyAndFreedOnce) {
  seam::fake_dns("odd.test", seam::dns_answer{{"127.0.0.3"}, 0, 0, true, false});
  seam::fake_dns("oddonly.test", seam::dns_answer{{}, 0, 0, false, true});
  seam::fake_dns("dup.test", {"127.0.0.1", "::1", "127.0.0.1", "::1"});
  // An entry of an unexpected family is skipped (the original looped forever).
  auto r = resolve("odd.test");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].addr, "127.0.0.3");
  auto eps = resolve_endpoints("connect", "odd.test", 80, socket_type::tcp);
  ASSERT_TRUE(eps);
  ASSERT_EQ(eps->size(), 1u);
  EXPECT_EQ((*eps)[0].to_string(), "127.0.0.3:80");
  EXPECT_FALSE(resolve("oddonly.test"));
  EXPECT_FALSE(resolve_endpoints("connect", "oddonly.test", 80, socket_type::tcp));
  // Duplicates are listed once, in resolver order.
  auto d = resolve("dup.test");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].addr, "127.0.0.1");
  EXPECT_EQ((*d)[1].addr, "::1");
  // The family preference reaches getaddrinfo.
  auto v6 = resolve("dup.test", family_preference::inet6);
  ASSERT_TRUE(v6);
  EXPECT_EQ(seam::st().last_hints.ai_family, AF_INET6);
  ASSERT_EQ(v6->size(), 1u);
  EXPECT_EQ((*v6)[0].addr, "::1");
  // sendto resolves in the socket's own family (the original used AF_UNSPEC).
  auto u4 = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(u4);
  seam::fake_dns("self.test", {"::1", "127.0.0.1"});
  ASSERT_TRUE(u4->sendto("x", "self.test", u4->local_endpoint()->port()));
  EXPECT_EQ(seam::st().last_hints.ai_family, AF_INET);
  EXPECT_EQ(seam::st().last_node, "self.test");
  EXPECT_EQ(seam::st().gai_freed, seam::st().gai_ok);  // checked again in TearDown
}

TEST_F(Fault, InterfaceListingFailureAndOddEntries) {
  for (int e : {ENOMEM, ENOBUFS, EMFILE}) {
    seam::fail(call::getifaddrs, e);
    EXPECT_TRUE(fails_with(interfaces(), "getifaddrs", e, errno_name(e)));
    seam::fail(call::getifaddrs, e);
    EXPECT_TRUE(fails_with(interface_index("127.0.0.1"), "getifaddrs", e, errno_name(e)));
  }
  // Entries without an address, with a link-layer address, without a netmask (the original
  // dereferenced the missing address and leaked the list).
  seam::st().fake_interfaces = true;
  auto list = interfaces();
  ASSERT_TRUE(list) << list.error().describe();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "lo");
  EXPECT_EQ((*list)[0].addr, "127.0.0.1");
  EXPECT_EQ((*list)[0].mask, "255.0.0.0");
  EXPECT_EQ((*list)[0].prefixlen, 8);
  EXPECT_TRUE((*list)[0].flags.loopback);
  EXPECT_EQ((*list)[0].broadcast, "");
  EXPECT_EQ((*list)[1].name, "fake0");
  EXPECT_EQ((*list)[1].prefixlen, 24);
  EXPECT_EQ((*list)[1].broadcast, "127.0.0.255");
  EXPECT_TRUE((*list)[1].flags.multicast);
  EXPECT_EQ((*list)[2].family, family::inet6);
  EXPECT_EQ((*list)[2].addr, "::1");
  EXPECT_EQ((*list)[2].mask, "");
  EXPECT_EQ((*list)[2].prefixlen, 0);
  EXPECT_EQ(seam::st().ifa_freed, 1);
  auto idx = interface_index("127.0.0.1");
  ASSERT_TRUE(idx) << idx.error().describe();
  EXPECT_EQ(*idx, if_nametoindex("lo"));
  EXPECT_EQ(seam::st().ifa_freed, 2);
}

}  // namespace
}  // namespace lsock
