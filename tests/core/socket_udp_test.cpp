// UDP on loopback (127.0.0.1 and ::1): datagrams, zero-length datagrams, truncation, connected
// udp, info, errors.
#include <set>
#include <vector>

#include "loopback_fixture.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using test::wait_readable;
using test::why;

class UdpLoopback : public test::loopback_test {
 protected:
  /// A bound receiver and a sender connected to it.
  void connected_pair(socket& receiver, socket& sender) const {
    auto r = socket::bind(socket_type::udp, addr(), 0);
    ASSERT_TRUE(r) << why(r);
    auto s = socket::connect(socket_type::udp, addr(), r->local_endpoint()->port());
    ASSERT_TRUE(s) << why(s);
    receiver = std::move(*r);
    sender = std::move(*s);
  }
};

INSTANTIATE_TEST_SUITE_P(Loopback, UdpLoopback, test::loopback_addresses(), test::loopback_name);

TEST_P(UdpLoopback, SendtoAndRecvfromRoundTrip) {
  auto a = socket::bind(socket_type::udp, addr(), 0);
  auto b = socket::bind(socket_type::udp, addr(), 0);
  ASSERT_TRUE(a) << why(a);
  ASSERT_TRUE(b) << why(b);
  const int aport = a->local_endpoint()->port();
  const int bport = b->local_endpoint()->port();
  EXPECT_GT(aport, 0);
  EXPECT_NE(aport, bport);
  auto sent = a->sendto("ping", addr(), bport);
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->status, io_status::ready);
  EXPECT_EQ(sent->bytes, 4u);
  ASSERT_TRUE(wait_readable(*b));
  char buf[64];
  endpoint from;
  auto r = b->recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_EQ(std::string(buf, r->bytes), "ping");
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->datagram_size, 4u);
  EXPECT_EQ(from.family(), fam());
  EXPECT_EQ(from.addr(), addr());
  EXPECT_EQ(from.port(), aport);
  // And the reply to whatever recvfrom named.
  ASSERT_TRUE(b->sendto("pong", from));
  ASSERT_TRUE(wait_readable(*a));
  r = a->recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(std::string(buf, r->bytes), "pong");
}

TEST_P(UdpLoopback, ConnectedSocketSendsAndReceives) {
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  auto sent = c.send("hi");
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->bytes, 2u);
  ASSERT_TRUE(wait_readable(srv));
  char buf[16];
  endpoint from;
  auto r = srv.recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(std::string(buf, r->bytes), "hi");
  EXPECT_EQ(from.port(), c.local_endpoint()->port());
  EXPECT_EQ(c.peer_endpoint()->port(), srv.local_endpoint()->port());
  ASSERT_TRUE(srv.sendto("back", from));
  ASSERT_TRUE(wait_readable(c));
  r = c.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(std::string(buf, r->bytes), "back");
}

TEST_P(UdpLoopback, InfoAndDescriptorFlags) {
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  const auto si = srv.info();
  EXPECT_EQ(si.fd, srv.fd());
  EXPECT_EQ(si.family, fam());
  EXPECT_EQ(si.type, socket_type::udp);
  EXPECT_TRUE(si.listening);  // lsocket: true for every socket made by bind, udp included
  EXPECT_FALSE(si.multicast);
  const auto ci = c.info();
  EXPECT_EQ(ci.type, socket_type::udp);
  EXPECT_FALSE(ci.listening);
  EXPECT_FALSE(ci.multicast);
  EXPECT_TRUE(test::nonblocking_and_cloexec(srv.fd()));
  EXPECT_TRUE(test::nonblocking_and_cloexec(c.fd()));
}

TEST_P(UdpLoopback, ZeroLengthDatagramIsDataNotClose) {
  // In the original, a zero-length datagram read as "peer closed".
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  auto sent = c.send("");
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->status, io_status::ready);
  EXPECT_EQ(sent->bytes, 0u);
  ASSERT_TRUE(c.sendto("", addr(), srv.local_endpoint()->port()));
  char buf[8];
  ASSERT_TRUE(wait_readable(srv));
  auto r = srv.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_EQ(r->bytes, 0u);
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->datagram_size, 0u);
  ASSERT_TRUE(wait_readable(srv));
  endpoint from;
  r = srv.recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_EQ(r->bytes, 0u);
  EXPECT_EQ(from.port(), c.local_endpoint()->port());
  // Both were consumed: nothing left.
  r = srv.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::would_block);
}

TEST_P(UdpLoopback, TruncatedDatagramIsReportedWithItsSize) {
  // The original cut a datagram longer than the buffer silently.
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  ASSERT_TRUE(c.send("0123456789"));
  ASSERT_TRUE(c.send("abcdefghij"));
  char buf[4];
  ASSERT_TRUE(wait_readable(srv));
  auto r = srv.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->bytes, 4u);
  EXPECT_EQ(r->datagram_size, 10u);
  EXPECT_EQ(std::string(buf, 4), "0123");
  ASSERT_TRUE(wait_readable(srv));
  endpoint from;
  r = srv.recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->bytes, 4u);
  EXPECT_EQ(r->datagram_size, 10u);
  EXPECT_EQ(std::string(buf, 4), "abcd");  // the rest of the first datagram is gone
  EXPECT_EQ(from.port(), c.local_endpoint()->port());
}

TEST_P(UdpLoopback, ExactFitIsNotTruncated) {
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  ASSERT_TRUE(c.send("0123456789"));
  char buf[10];
  ASSERT_TRUE(wait_readable(srv));
  auto r = srv.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->bytes, 10u);
  EXPECT_EQ(r->datagram_size, 10u);
}

TEST_P(UdpLoopback, ZeroSizeBufferReportsTheDatagramAsTruncated) {
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  ASSERT_TRUE(c.send("hello"));
  ASSERT_TRUE(wait_readable(srv));
  auto r = srv.recv(std::span<char>());
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_EQ(r->bytes, 0u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->datagram_size, 5u);
}

TEST_P(UdpLoopback, DatagramBoundariesAndOrderAreKept) {
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  const std::vector<std::string> sent{"a", "bb", "ccc", std::string(1000, 'd')};
  for (const auto& d : sent) ASSERT_TRUE(c.send(d));
  char buf[2048];
  for (const auto& d : sent) {
    ASSERT_TRUE(wait_readable(srv));
    auto r = srv.recv(buf);
    ASSERT_TRUE(r) << why(r);
    EXPECT_EQ(std::string(buf, r->bytes), d);
  }
}

TEST_P(UdpLoopback, LargeDatagramArrivesWhole) {
  socket srv;
  socket c;
  ASSERT_NO_FATAL_FAILURE(connected_pair(srv, c));
  std::string big(60000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i % 253);
  auto sent = c.send(big);
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->bytes, big.size());
  std::vector<char> buf(65536);
  ASSERT_TRUE(wait_readable(srv));
  auto r = srv.recv(buf);
  ASSERT_TRUE(r) << why(r);
  ASSERT_EQ(r->bytes, big.size());
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(std::string(buf.data(), r->bytes), big);
}

TEST_P(UdpLoopback, NothingQueuedWouldBlock) {
  auto s = socket::bind(socket_type::udp, addr(), 0);
  ASSERT_TRUE(s) << why(s);
  char buf[8];
  endpoint from;
  auto r = s->recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::would_block);
  r = s->recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::would_block);
}

TEST_P(UdpLoopback, ConnectedSocketSeesARefusalAsAnError) {
  // Loopback answers a datagram to a closed port with ICMP port unreachable; the connected
  // socket's next call reports it (an error, neither would-block nor closed).
  auto probe = socket::bind(socket_type::udp, addr(), 0);
  ASSERT_TRUE(probe) << why(probe);
  const int port = probe->local_endpoint()->port();
  ASSERT_TRUE(probe->close());
  auto c = socket::connect(socket_type::udp, addr(), port);
  ASSERT_TRUE(c) << why(c);
  ASSERT_TRUE(c->send("anyone?"));
  ASSERT_TRUE(wait_readable(*c)) << "the refusal never arrived";
  char buf[16];
  auto r = c->recv(buf);
  ASSERT_FALSE(r) << "got status " << static_cast<int>(r->status);
  EXPECT_EQ(r.error().name, "ECONNREFUSED");
  EXPECT_EQ(r.error().op, "recv");
}

TEST_P(UdpLoopback, BindingAUsedPortFailsAndReleasesTheDescriptor) {
  auto a = socket::bind(socket_type::udp, addr(), 0);
  ASSERT_TRUE(a) << why(a);
  const int port = a->local_endpoint()->port();
  const int before = test::fd_count();
  auto b = socket::bind(socket_type::udp, addr(), port);
  ASSERT_FALSE(b) << "two plain udp sockets bound " << addr() << ":" << port;
  EXPECT_EQ(b.error().name, "EADDRINUSE");
  EXPECT_EQ(b.error().op, "bind");
  EXPECT_EQ(test::fd_count(), before);
}

TEST_P(UdpLoopback, SendtoWithABadPortIsAnError) {
  auto s = socket::bind(socket_type::udp, addr(), 0);
  ASSERT_TRUE(s) << why(s);
  for (const int port : {-1, 65536, 70000}) {
    auto r = s->sendto("x", addr(), port);
    ASSERT_FALSE(r) << port;
    EXPECT_EQ(r.error().name, "EINVAL") << port;
    EXPECT_EQ(r.error().op, "sendto");
  }
}

TEST(Udp, BindPortZeroGivesDistinctPorts) {
  std::vector<socket> socks;
  std::set<int> ports;
  for (int i = 0; i < 500; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << why(s);
    ports.insert(s->local_endpoint()->port());
    socks.push_back(std::move(*s));
  }
  EXPECT_EQ(ports.size(), socks.size());
}

TEST(Udp, SendtoResolvesNamesInTheSocketsFamily) {
  // The original's sendto resolved with AF_UNSPEC and could pick an IPv6 address for an IPv4
  // socket.
  auto b = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto a = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(a && b);
  auto r = a->sendto("hi", "localhost", b->local_endpoint()->port());
  ASSERT_TRUE(r) << why(r);
  ASSERT_TRUE(wait_readable(*b));
  char buf[8];
  auto got = b->recv(buf);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "hi");
}

TEST(Udp, Ipv6SocketSendsToANameWithOnlyAnIpv4AddressV4Mapped) {
  // An IPv6 socket reaches "localhost" as it reaches "127.0.0.1": by its IPv6 address when the
  // name has one, else v4-mapped (found by the black-box Lua review).
  auto v4 = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(v4) << why(v4);
  const int port = v4->local_endpoint()->port();
  auto v6peer = socket::bind(socket_type::udp, "::1", port);  // where an IPv6 answer goes
  auto a = socket::bind(socket_type::udp, "::", 0);
  ASSERT_TRUE(a) << why(a);
  auto names = resolve("localhost");
  ASSERT_TRUE(names) << why(names);
  bool has_v6 = false;
  for (const auto& n : *names) has_v6 = has_v6 || n.family == family::inet6;
  if (has_v6 && !v6peer) GTEST_SKIP() << "::1 port " << port << " is taken";
  auto r = a->sendto("hi", "localhost", port);
  ASSERT_TRUE(r) << why(r);
  socket& receiver = has_v6 ? *v6peer : *v4;
  ASSERT_TRUE(wait_readable(receiver));
  char buf[8];
  auto got = receiver.recv(buf);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "hi");
}

TEST(Udp, SendtoAnAddressOfTheOtherFamilyIsAnError) {
  auto v4 = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(v4) << why(v4);
  auto r = v4->sendto("x", "::1", 9);
  EXPECT_FALSE(r) << "an IPv4 socket sent to ::1";
  if (!r) {
    EXPECT_EQ(r.error().op, "sendto");
  }
}

TEST(Udp, SendtoFollowsEveryChangeOfLiteralAndPort) {
  // sendto remembers its last literal destination: each datagram must still go where its own
  // address and port say, whichever changed.
  auto a = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto b = socket::bind(socket_type::udp, "127.0.0.2", 0);
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(a && b && s) << why(a) << why(b) << why(s);
  const int aport = a->local_endpoint()->port();
  const int bport = b->local_endpoint()->port();
  const struct {
    const char* to;
    int port;
    socket* receiver;
  } plan[] = {{"127.0.0.1", aport, &*a}, {"127.0.0.1", aport, &*a}, {"127.0.0.2", bport, &*b},
              {"127.0.0.1", aport, &*a}, {"127.0.0.2", bport, &*b}, {"127.0.0.2", bport, &*b}};
  int i = 0;
  for (const auto& step : plan) {
    const std::string msg = "d" + std::to_string(i++);
    auto sent = s->sendto(msg, step.to, step.port);
    ASSERT_TRUE(sent) << why(sent);
    ASSERT_TRUE(wait_readable(*step.receiver)) << msg << " did not reach " << step.to;
    char buf[16];
    endpoint from;
    auto got = step.receiver->recvfrom(buf, from);
    ASSERT_TRUE(got) << why(got);
    EXPECT_EQ(std::string(buf, got->bytes), msg);
  }
  // A port the literal was last sent with, then another: the second goes to the other socket.
  auto c = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(c) << why(c);
  ASSERT_TRUE(s->sendto("to-c", "127.0.0.1", c->local_endpoint()->port()));
  ASSERT_TRUE(wait_readable(*c));
  char buf[8];
  auto got = c->recv(buf);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "to-c");
  // A literal of the other family is refused every time, not once.
  for (int k = 0; k < 2; ++k) EXPECT_FALSE(s->sendto("x", "::1", aport)) << k;
}

TEST(Udp, Ipv6SocketSendsToAnIpv4LiteralV4MappedEveryTime) {
  // Bound to loopback through its v4-mapped form: an IPv6 socket that reaches 127.0.0.1 only.
  auto v6 = socket::bind(socket_type::udp, "::ffff:127.0.0.1", 0);
  auto v4 = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(v6 && v4) << why(v6) << why(v4);
  const int port = v4->local_endpoint()->port();
  for (int k = 0; k < 3; ++k) {
    auto sent = v6->sendto("m", "127.0.0.1", port);
    ASSERT_TRUE(sent) << why(sent);
    ASSERT_TRUE(wait_readable(*v4)) << k;
    char buf[4];
    auto got = v4->recv(buf);
    ASSERT_TRUE(got) << why(got);
  }
}

TEST(Udp, SendtoAnUnknownHostIsAResolverError) {
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  auto r = s->sendto("x", test::unresolvable_host, 9);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().domain, error_domain::resolver) << r.error().describe();
  EXPECT_EQ(r.error().op, "sendto");
}

}  // namespace
}  // namespace lsock
