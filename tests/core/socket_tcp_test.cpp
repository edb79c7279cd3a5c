// TCP on loopback (127.0.0.1 and ::1): round trips, endpoints, the non-blocking outcomes
// (ready / would-block / closed / error), refused connects, SIGPIPE, recvfrom on streams.
#include <pthread.h>
#include <sys/socket.h>

#include <csignal>
#include <cstring>
#include <optional>
#include <vector>

#include "loopback_fixture.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using test::make_tcp_pair;
using test::wait_readable;
using test::wait_writable;
using test::why;

class TcpLoopback : public test::loopback_test {};

INSTANTIATE_TEST_SUITE_P(Loopback, TcpLoopback, test::loopback_addresses(), test::loopback_name);

TEST_P(TcpLoopback, RoundTripBothWays) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  auto sent = p.client.send("hello");
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->status, io_status::ready);
  EXPECT_EQ(sent->bytes, 5u);
  EXPECT_EQ(test::recv_exactly(p.server, 5), "hello");
  sent = p.server.send("world!");
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->bytes, 6u);
  EXPECT_EQ(test::recv_exactly(p.client, 6), "world!");
}

TEST_P(TcpLoopback, LocalAndPeerEndpointsMatchAcrossTheConnection) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  auto listen_ep = p.listener.local_endpoint();
  auto client_local = p.client.local_endpoint();
  auto client_peer = p.client.peer_endpoint();
  auto server_local = p.server.local_endpoint();
  auto server_peer = p.server.peer_endpoint();
  ASSERT_TRUE(listen_ep && client_local && client_peer && server_local && server_peer);
  EXPECT_EQ(listen_ep->family(), fam());
  EXPECT_EQ(listen_ep->addr(), addr());
  EXPECT_GT(listen_ep->port(), 0);  // port 0 was bound: the kernel chose one
  EXPECT_EQ(client_peer->addr(), addr());
  EXPECT_EQ(client_peer->port(), listen_ep->port());
  EXPECT_EQ(server_local->port(), listen_ep->port());
  EXPECT_EQ(server_peer->addr(), client_local->addr());
  EXPECT_EQ(server_peer->port(), client_local->port());
  // What accept() reported is the client's own address.
  EXPECT_EQ(p.server_peer.family(), fam());
  EXPECT_EQ(p.server_peer.addr(), addr());
  EXPECT_EQ(p.server_peer.port(), client_local->port());
}

TEST_P(TcpLoopback, InfoReportsWhatEachSocketIs) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  struct expected {
    const char* which;
    const socket& s;
    bool listening;
  };
  for (const auto& [which, s, listening] :
       {expected{"listener", p.listener, true}, expected{"client", p.client, false},
        expected{"server", p.server, false}}) {
    const auto i = s.info();
    EXPECT_EQ(i.fd, s.fd()) << which;
    EXPECT_EQ(i.family, fam()) << which;
    EXPECT_EQ(i.type, socket_type::tcp) << which;
    EXPECT_EQ(i.listening, listening) << which;
    EXPECT_FALSE(i.multicast) << which;
  }
}

TEST_P(TcpLoopback, EveryDescriptorIsNonBlockingAndCloseOnExec) {
  // The original set no close-on-exec, and its F_SETFL overwrote the existing flags.
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  EXPECT_TRUE(test::nonblocking_and_cloexec(p.listener.fd()));
  EXPECT_TRUE(test::nonblocking_and_cloexec(p.client.fd()));
  EXPECT_TRUE(test::nonblocking_and_cloexec(p.server.fd()));  // accepted
}

TEST_P(TcpLoopback, ConnectDoesNotBlockAndAcceptWithNothingPendingWouldBlock) {
  auto l = socket::bind(socket_type::tcp, addr(), 0);
  ASSERT_TRUE(l) << why(l);
  accepted a;
  auto r = l->accept(a);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(*r, io_status::would_block);
  EXPECT_FALSE(a.socket.is_open());
  r = l->accept(a);  // and again: nothing changed
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(*r, io_status::would_block);
}

TEST_P(TcpLoopback, RefusedConnectIsReportedByStatusAndRemembered) {
  const int port = test::closed_port(addr());
  ASSERT_GT(port, 0);
  auto c = socket::connect(socket_type::tcp, addr(), port);
  ASSERT_TRUE(c) << why(c);  // non-blocking: the refusal comes later
  ASSERT_TRUE(wait_writable(*c)) << "select never reported the refused connect";
  auto st = c->status();
  ASSERT_FALSE(st) << "status() says ok after a refused connect";
  EXPECT_EQ(st.error().name, "ECONNREFUSED");
  EXPECT_EQ(st.error().code, ECONNREFUSED);
  EXPECT_EQ(st.error().domain, error_domain::system);
  EXPECT_EQ(st.error().message, "Connection refused");
  EXPECT_FALSE(st.error().op.empty());
  // Reading SO_ERROR clears it; a second (and third) call still reports it (the original said
  // true).
  for (int i = 0; i < 2; ++i) {
    auto again = c->status();
    ASSERT_FALSE(again) << "status() call " << i + 2 << " forgot the refused connect";
    EXPECT_EQ(again.error().name, "ECONNREFUSED");
  }
  // I/O reports the remembered error too, not the orderly close the kernel would show.
  char buf[8];
  auto r = c->recv(buf);
  ASSERT_FALSE(r) << "recv after a refused connect looked like data or a close";
  EXPECT_EQ(r.error().name, "ECONNREFUSED");
  EXPECT_EQ(r.error().op, "recv");
  auto s = c->send("x");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "ECONNREFUSED");
}

TEST_P(TcpLoopback, SuccessfulConnectStatusIsOkTwice) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  EXPECT_TRUE(p.client.status()) << why(p.client.status());
  EXPECT_TRUE(p.client.status());
  EXPECT_TRUE(p.server.status());
  EXPECT_TRUE(p.listener.status());
}

TEST_P(TcpLoopback, RecvWithNoDataWouldBlock) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  char buf[16];
  for (int i = 0; i < 2; ++i) {
    auto r = p.server.recv(buf);
    ASSERT_TRUE(r) << why(r);
    EXPECT_EQ(r->status, io_status::would_block);
    EXPECT_EQ(r->bytes, 0u);
  }
}

TEST_P(TcpLoopback, RecvAfterPeerClosedReportsClosedAfterTheData) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("last"));
  ASSERT_TRUE(p.client.close());
  EXPECT_EQ(test::recv_exactly(p.server, 4), "last");
  ASSERT_TRUE(wait_readable(p.server));
  char buf[16];
  auto r = p.server.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::closed);
  r = p.server.recv(buf);  // end of stream stays end of stream
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::closed);
}

TEST_P(TcpLoopback, RecvAfterPeerResetIsAnError) {
  // The server closes with unread data: the kernel answers with RST, not FIN.
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("unread"));
  ASSERT_TRUE(wait_readable(p.server));
  ASSERT_TRUE(p.server.close());
  ASSERT_TRUE(wait_readable(p.client));
  char buf[16];
  auto r = p.client.recv(buf);
  ASSERT_FALSE(r) << "a reset connection read as status " << static_cast<int>(r->status);
  EXPECT_EQ(r.error().name, "ECONNRESET");
  EXPECT_EQ(r.error().op, "recv");
}

/// Unblocks SIGPIPE and sets its default action (terminate) for the test's duration.
class default_sigpipe {
 public:
  default_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, &old_);
  }
  ~default_sigpipe() {
    sigaction(SIGPIPE, &old_, nullptr);
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  default_sigpipe(const default_sigpipe&) = delete;
  default_sigpipe& operator=(const default_sigpipe&) = delete;

 private:
  struct sigaction old_ {};
  sigset_t old_mask_{};
};

TEST_P(TcpLoopback, SendToAClosedPeerFailsWithoutSigpipe) {
  // With SIGPIPE at its default action, a send() without MSG_NOSIGNAL would kill this process.
  const default_sigpipe guard;
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.server.close());
  const std::string chunk(4096, 'x');
  std::optional<error> failure;
  for (int i = 0; i < 500 && !failure; ++i) {
    auto r = p.client.send(chunk);
    if (!r) {
      failure = r.error();
    } else {
      sleep_ms(2);
    }
  }
  ASSERT_TRUE(failure.has_value()) << "sending to a closed peer never failed";
  EXPECT_TRUE(failure->name == "EPIPE" || failure->name == "ECONNRESET") << failure->describe();
  EXPECT_EQ(failure->op, "send");
  EXPECT_EQ(failure->domain, error_domain::system);
  // And once more after the failure: still an error, still alive.
  auto again = p.client.send(chunk);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().name == "EPIPE" || again.error().name == "ECONNRESET")
      << again.error().describe();
}

TEST_P(TcpLoopback, SendAfterShutdownWriteIsEpipeWithoutSigpipe) {
  const default_sigpipe guard;
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.shutdown_write());
  auto r = p.client.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "EPIPE");
}

TEST_P(TcpLoopback, RecvfromKeepsTheDataAndNamesThePeer) {
  // The original's recvfrom on a stream consumed the data and returned an error.
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("abcdef"));
  ASSERT_TRUE(wait_readable(p.server));
  char buf[2];
  endpoint from;
  auto r = p.server.recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  ASSERT_EQ(r->status, io_status::ready);
  ASSERT_EQ(r->bytes, 2u);
  EXPECT_EQ(std::string(buf, 2), "ab");
  EXPECT_FALSE(r->truncated);  // streams are never "truncated"
  EXPECT_EQ(from.family(), fam());
  EXPECT_EQ(from.addr(), addr());
  EXPECT_EQ(from.port(), p.client.local_endpoint()->port());
  // The rest is still there, nothing was dropped.
  EXPECT_EQ(test::recv_exactly(p.server, 4), "cdef");
  // Nothing more: would block; then closed once the peer is gone.
  endpoint again;
  auto wb = p.server.recvfrom(buf, again);
  ASSERT_TRUE(wb) << why(wb);
  EXPECT_EQ(wb->status, io_status::would_block);
  ASSERT_TRUE(p.client.close());
  ASSERT_TRUE(wait_readable(p.server));
  auto closed = p.server.recvfrom(buf, again);
  ASSERT_TRUE(closed) << why(closed);
  EXPECT_EQ(closed->status, io_status::closed);
}

TEST_P(TcpLoopback, ZeroSizeRecvIsNotClose) {
  // The original's recv(0) read as "peer closed".
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("data"));
  ASSERT_TRUE(wait_readable(p.server));
  auto r = p.server.recv(std::span<char>());
  ASSERT_TRUE(r) << why(r);
  EXPECT_NE(r->status, io_status::closed);
  EXPECT_EQ(r->bytes, 0u);
  EXPECT_EQ(test::recv_exactly(p.server, 4), "data");
}

TEST_P(TcpLoopback, EmptySendIsReadyWithZeroBytes) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  auto r = p.client.send("");
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_EQ(r->bytes, 0u);
}

TEST_P(TcpLoopback, FullSendBufferWouldBlockAndEveryByteArrivesInOrder) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  std::string chunk(65536, '\0');
  // Fill until the kernel pushes back (bounded: 256 MiB would be absurd for loopback).
  std::size_t queued = 0;
  bool blocked = false;
  for (int i = 0; i < 4096 && !blocked; ++i) {
    for (std::size_t j = 0; j < chunk.size(); ++j) chunk[j] = static_cast<char>((queued + j) % 251);
    auto r = p.client.send(chunk);
    ASSERT_TRUE(r) << why(r);
    if (r->status == io_status::would_block) {
      blocked = true;
      EXPECT_EQ(r->bytes, 0u);
    } else {
      ASSERT_EQ(r->status, io_status::ready);
      EXPECT_LE(r->bytes, chunk.size());
      queued += r->bytes;
      if (r->bytes < chunk.size()) {  // partial write: the next one would block
        auto next = p.client.send(std::string_view(chunk).substr(r->bytes));
        ASSERT_TRUE(next) << why(next);
        blocked = next->status == io_status::would_block;
        queued += next->status == io_status::ready ? next->bytes : 0;
      }
    }
  }
  ASSERT_TRUE(blocked) << "send never reported would_block after " << queued << " bytes";
  // Drain and check every byte.
  std::vector<char> buf(65536);
  std::size_t got = 0;
  while (got < queued) {
    ASSERT_TRUE(wait_readable(p.server)) << "stalled at " << got << " of " << queued;
    auto r = p.server.recv(buf);
    ASSERT_TRUE(r) << why(r);
    if (r->status != io_status::ready) continue;
    for (std::size_t j = 0; j < r->bytes; ++j) {
      ASSERT_EQ(static_cast<unsigned char>(buf[j]), (got + j) % 251) << "byte " << got + j;
    }
    got += r->bytes;
  }
  EXPECT_EQ(got, queued);
  EXPECT_TRUE(wait_writable(p.client));
}

TEST_P(TcpLoopback, ShutdownWriteLetsThePeerSeeEndOfStream) {
  auto p = make_tcp_pair(addr());
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("bye"));
  ASSERT_TRUE(p.client.shutdown_write());
  EXPECT_EQ(test::recv_exactly(p.server, 3), "bye");
  ASSERT_TRUE(wait_readable(p.server));
  char buf[4];
  auto r = p.server.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::closed);
  // The other direction still works.
  ASSERT_TRUE(p.server.send("ok"));
  EXPECT_EQ(test::recv_exactly(p.client, 2), "ok");
}

TEST_P(TcpLoopback, BindingTheSamePortTwiceFailsAndReleasesTheDescriptor) {
  // A failed bind must not keep its socket open (the original kept it until collected).
  auto l = socket::bind(socket_type::tcp, addr(), 0);
  ASSERT_TRUE(l) << why(l);
  const int port = l->local_endpoint()->port();
  const int before = test::fd_count();
  for (int i = 0; i < 50; ++i) {
    auto again = socket::bind(socket_type::tcp, addr(), port);
    ASSERT_FALSE(again) << "bound " << addr() << ":" << port << " twice";
    EXPECT_EQ(again.error().name, "EADDRINUSE");
    EXPECT_EQ(again.error().op, "bind");
    EXPECT_EQ(again.error().domain, error_domain::system);
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST_P(TcpLoopback, ManyClientsAreAcceptedInTurn) {
  socket_options o;
  o.backlog = 16;
  auto l = socket::bind(socket_type::tcp, addr(), 0, o);
  ASSERT_TRUE(l) << why(l);
  const int port = l->local_endpoint()->port();
  std::vector<socket> clients;
  for (int i = 0; i < 10; ++i) {
    auto c = socket::connect(socket_type::tcp, addr(), port);
    ASSERT_TRUE(c) << why(c);
    clients.push_back(std::move(*c));
  }
  std::vector<socket> servers;
  for (int tries = 0; servers.size() < clients.size() && tries < 100; ++tries) {
    if (!wait_readable(*l)) break;
    accepted a;
    auto r = l->accept(a);
    ASSERT_TRUE(r) << why(r);
    if (*r == io_status::ready) servers.push_back(std::move(a.socket));
  }
  EXPECT_EQ(servers.size(), clients.size());
  accepted none;
  auto r = l->accept(none);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(*r, io_status::would_block);
}

TEST(Tcp, AcceptOnUdpOrNonListeningSocketIsAnError) {
  // The original answered false ("nothing pending") instead of an error.
  accepted a;
  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(u) << why(u);
  auto r = u->accept(a);
  EXPECT_FALSE(r) << "accept on udp gave status " << static_cast<int>(*r);
  if (!r) {
    EXPECT_EQ(r.error().op, "accept");
  }

  auto uc = socket::connect(socket_type::udp, "127.0.0.1", 9);
  ASSERT_TRUE(uc) << why(uc);
  r = uc->accept(a);
  EXPECT_FALSE(r) << "accept on connected udp gave status " << static_cast<int>(*r);

  auto p = make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  r = p.client.accept(a);  // a connected (not listening) tcp socket
  EXPECT_FALSE(r) << "accept on a connected client gave status " << static_cast<int>(*r);
  if (!r) {
    EXPECT_EQ(r.error().name, "EINVAL");
  }
  r = p.server.accept(a);  // an accepted one
  EXPECT_FALSE(r) << "accept on an accepted socket gave status " << static_cast<int>(*r);
  EXPECT_FALSE(a.socket.is_open());
}

TEST(Tcp, PeerOfAListenerIsENOTCONN) {
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << why(l);
  auto peer = l->peer_endpoint();
  ASSERT_FALSE(peer);
  EXPECT_EQ(peer.error().name, "ENOTCONN");
}

TEST(Tcp, NegativeBacklogIsAnErrorAndZeroIsFine) {
  socket_options o;
  o.backlog = -1;
  const int before = test::fd_count();
  auto bad = socket::bind(socket_type::tcp, "127.0.0.1", 0, o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "EINVAL");
  EXPECT_EQ(test::fd_count(), before);
  o.backlog = 0;
  EXPECT_TRUE(socket::bind(socket_type::tcp, "127.0.0.1", 0, o));
}

TEST(Tcp, BadPortsAreErrorsForBindAndConnectAndLeakNothing) {
  const int before = test::fd_count();
  for (const int port : {-1, 65536, 70000}) {
    auto b = socket::bind(socket_type::tcp, "127.0.0.1", port);
    ASSERT_FALSE(b) << port;
    EXPECT_EQ(b.error().name, "EINVAL");
    EXPECT_EQ(b.error().op, "bind");
    auto c = socket::connect(socket_type::tcp, "127.0.0.1", port);
    ASSERT_FALSE(c) << port;
    EXPECT_EQ(c.error().name, "EINVAL");
    EXPECT_EQ(c.error().op, "connect");
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Tcp, ConnectToANameHonoursTheFamilyPreference) {
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << why(l);
  socket_options o;
  o.prefer = family_preference::inet;
  auto c = socket::connect(socket_type::tcp, "localhost", l->local_endpoint()->port(), o);
  ASSERT_TRUE(c) << why(c);
  EXPECT_EQ(c->info().family, family::inet);
  ASSERT_TRUE(wait_writable(*c));
  EXPECT_TRUE(c->status()) << why(c->status());
}

TEST(Tcp, BindToANameWorks) {
  socket_options o;
  o.prefer = family_preference::inet;
  auto l = socket::bind(socket_type::tcp, "localhost", 0, o);
  ASSERT_TRUE(l) << why(l);
  EXPECT_EQ(l->info().family, family::inet);
  EXPECT_EQ(l->local_endpoint()->addr(), "127.0.0.1");
}

TEST(Tcp, UnknownHostIsAResolverError) {
  const int before = test::fd_count();
  auto c = socket::connect(socket_type::tcp, test::unresolvable_host, 80);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().domain, error_domain::resolver);
  EXPECT_EQ(c.error().name.rfind("EAI_", 0), 0u) << c.error().name;
  EXPECT_EQ(c.error().op, "connect");
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Tcp, SocketsMoveIntoContainers) {
  auto p = make_tcp_pair();
  ASSERT_TRUE(p.ok) << p.why;
  const int fd = p.server.fd();
  std::vector<socket> v;
  v.push_back(std::move(p.server));
  EXPECT_FALSE(p.server.is_open());  // NOLINT(bugprone-use-after-move): moved-from is closed
  EXPECT_EQ(v[0].fd(), fd);
  ASSERT_TRUE(p.client.send("m"));
  EXPECT_EQ(test::recv_exactly(v[0], 1), "m");
}

}  // namespace
}  // namespace lsock
