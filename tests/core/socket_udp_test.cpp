// UDP and unix-domain sockets: datagrams, zero-length, truncation, abstract names.
#include <set>
#include <vector>

#include "test_support.hpp"

namespace lsock {
namespace {

using test::wait_readable;

TEST(Udp, RoundTripWithSendtoAndRecvfrom) {
  for (const char* addr : {"127.0.0.1", "::1"}) {
    auto a = socket::bind(socket_type::udp, addr, 0);
    auto b = socket::bind(socket_type::udp, addr, 0);
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(a->info().listening);  // lsocket: every socket made by bind
    const int bport = b->local_endpoint()->port();
    auto sent = a->sendto("ping", addr, bport);
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->bytes, 4u);
    ASSERT_TRUE(wait_readable(*b));
    char buf[64];
    endpoint from;
    auto r = b->recvfrom(buf, from);
    ASSERT_TRUE(r);
    EXPECT_EQ(std::string(buf, r->bytes), "ping");
    EXPECT_EQ(from.addr(), addr);
    EXPECT_EQ(from.port(), a->local_endpoint()->port());
    EXPECT_FALSE(r->truncated);
  }
}

TEST(Udp, BindPortZeroGivesDistinctPorts) {
  std::vector<socket> socks;
  std::set<int> ports;
  for (int i = 0; i < 500; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s);
    ports.insert(s->local_endpoint()->port());
    socks.push_back(std::move(*s));
  }
  EXPECT_EQ(ports.size(), socks.size());
}

TEST(Udp, ZeroLengthDatagramIsDataNotClose) {
  // known defect 11
  auto srv = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto c = socket::connect(socket_type::udp, "127.0.0.1", srv->local_endpoint()->port());
  ASSERT_TRUE(c);
  auto sent = c->send("");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, io_status::ready);
  ASSERT_TRUE(wait_readable(*srv));
  char buf[8];
  auto r = srv->recv(buf);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, io_status::ready);
  EXPECT_EQ(r->bytes, 0u);
}

TEST(Udp, TruncatedDatagramIsReported) {
  // known defect 11
  auto srv = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto c = socket::connect(socket_type::udp, "127.0.0.1", srv->local_endpoint()->port());
  ASSERT_TRUE(c->send("0123456789"));
  ASSERT_TRUE(wait_readable(*srv));
  char buf[4];
  endpoint from;
  auto r = srv->recvfrom(buf, from);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->bytes, 4u);
  EXPECT_EQ(r->datagram_size, 10u);
  EXPECT_EQ(std::string(buf, 4), "0123");
}

TEST(Udp, NothingQueuedWouldBlock) {
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  char buf[8];
  endpoint from;
  EXPECT_EQ(s->recv(buf)->status, io_status::would_block);
  EXPECT_EQ(s->recvfrom(buf, from)->status, io_status::would_block);
}

TEST(Udp, SendtoResolvesInTheSocketsFamily) {
  // known defect 13: an IPv4 socket must not get ::1 for "localhost".
  auto b = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto a = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(a->sendto("hi", "localhost", b->local_endpoint()->port()));
  ASSERT_TRUE(wait_readable(*b));
}

TEST(Udp, Ipv6SocketReachesIpv4ThroughMappedAddress) {
  auto b = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto a = socket::bind(socket_type::udp, "::", 0);
  ASSERT_TRUE(a);
  auto r = a->sendto("v4", "127.0.0.1", b->local_endpoint()->port());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_TRUE(wait_readable(*b));
}

TEST(Unix, StreamRoundTripOverAPath) {
  char tmpl[] = "/tmp/lsock-core-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/s.sock";
  auto l = socket::bind(socket_type::tcp, path, 0);
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->info().family, family::unix_domain);
  EXPECT_EQ(l->local_endpoint()->addr(), path);
  auto c = socket::connect(socket_type::tcp, path, 0);
  ASSERT_TRUE(c);
  ASSERT_TRUE(test::wait_writable(*c));
  EXPECT_TRUE(c->status());
  ASSERT_TRUE(wait_readable(*l));
  accepted a;
  ASSERT_EQ(*l->accept(a), io_status::ready);
  EXPECT_EQ(a.peer.family(), family::unix_domain);
  ASSERT_TRUE(c->send("unix"));
  EXPECT_EQ(test::recv_exactly(a.socket, 4), "unix");
  EXPECT_EQ(c->peer_endpoint()->addr(), path);
  unlink(path.c_str());
  rmdir(tmpl);
}

TEST(Unix, AbstractNamesRoundTripAndReadBackWithTheirAt) {
  // known defect 9
  const std::string name = test::abstract_name("stream");
  auto l = socket::bind(socket_type::tcp, name, 0);
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->local_endpoint()->addr(), name);
  auto c = socket::connect(socket_type::tcp, name, 0);
  ASSERT_TRUE(c);
  ASSERT_TRUE(test::wait_writable(*c));
  EXPECT_TRUE(c->status());
  EXPECT_EQ(c->peer_endpoint()->addr(), name);
  ASSERT_TRUE(wait_readable(*l));
  accepted a;
  ASSERT_EQ(*l->accept(a), io_status::ready);
  ASSERT_TRUE(a.socket.send("@"));
  EXPECT_EQ(test::recv_exactly(*c, 1), "@");
  // The same name plus one byte is another socket.
  auto other = socket::connect(socket_type::tcp, name + "x", 0);
  if (other) {
    test::wait_writable(*other);
    EXPECT_FALSE(other->status());
  }
}

TEST(Unix, DatagramsBetweenAbstractNames) {
  const std::string an = test::abstract_name("dga");
  const std::string bn = test::abstract_name("dgb") + "b";
  auto a = socket::bind(socket_type::udp, an, 0);
  auto b = socket::bind(socket_type::udp, bn, 0);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->sendto("one", bn, 0));
  ASSERT_TRUE(wait_readable(*b));
  char buf[8];
  endpoint from;
  auto r = b->recvfrom(buf, from);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::string(buf, r->bytes), "one");
  EXPECT_EQ(from.addr(), an);
}

TEST(Unix, McastIsNotAvailable) {
  auto s = socket::bind(socket_type::mcast, test::abstract_name("mc"), 0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "multicast not available for unix domain sockets");
}

}  // namespace
}  // namespace lsock
