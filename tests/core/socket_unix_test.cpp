// Unix-domain sockets: filesystem paths and Linux abstract names ('@name', exact length),
// stream and datagram, endpoints read back, interoperation with peers using the exact length.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "test_support.hpp"

namespace lsock {
namespace {

using test::wait_readable;
using test::wait_writable;
using test::why;

/// Where each test's socket lives: a path in a fresh directory, or a fresh abstract name.
class UnixStream : public ::testing::TestWithParam<bool> {
 protected:
  [[nodiscard]] bool abstract() const { return GetParam(); }
  std::string fresh(const std::string& tag) {
    return abstract() ? test::abstract_name(tag) : dir_ / (tag + ".sock");
  }
  test::temp_dir dir_;
};

INSTANTIATE_TEST_SUITE_P(Kinds, UnixStream, ::testing::Values(false, true),
                         [](const auto& tp) { return tp.param ? "abstract" : "path"; });

TEST_P(UnixStream, RoundTripAndEndpoints) {
  ASSERT_FALSE(dir_.path().empty());
  const std::string name = fresh("stream");
  auto p = test::make_tcp_pair(name);
  ASSERT_TRUE(p.ok) << p.why;
  ASSERT_TRUE(p.client.send("unix"));
  EXPECT_EQ(test::recv_exactly(p.server, 4), "unix");
  ASSERT_TRUE(p.server.send("back"));
  EXPECT_EQ(test::recv_exactly(p.client, 4), "back");
  // The listener reads back its name ('@' included for abstract names; the original read
  // back "").
  auto local = p.listener.local_endpoint();
  ASSERT_TRUE(local) << why(local);
  EXPECT_EQ(local->family(), family::unix_domain);
  EXPECT_EQ(local->addr(), name);
  EXPECT_EQ(local->port(), 0);
  EXPECT_EQ(local->to_string(), name);
  auto peer = p.client.peer_endpoint();
  ASSERT_TRUE(peer) << why(peer);
  EXPECT_EQ(peer->addr(), name);
  // The client never bound a name: accept() and getpeername() give an unnamed address.
  EXPECT_EQ(p.server_peer.family(), family::unix_domain);
  EXPECT_EQ(p.server_peer.addr(), "");
  auto client_local = p.client.local_endpoint();
  ASSERT_TRUE(client_local) << why(client_local);
  EXPECT_EQ(client_local->addr(), "");
}

TEST_P(UnixStream, InfoAndDescriptorFlags) {
  auto p = test::make_tcp_pair(fresh("info"));
  ASSERT_TRUE(p.ok) << p.why;
  for (const socket* s : {&p.listener, &p.client, &p.server}) {
    EXPECT_TRUE(test::nonblocking_and_cloexec(s->fd()));
    EXPECT_EQ(s->info().family, family::unix_domain);
    EXPECT_EQ(s->info().type, socket_type::tcp);
    EXPECT_FALSE(s->info().multicast);
  }
  EXPECT_TRUE(p.listener.info().listening);
  EXPECT_FALSE(p.client.info().listening);
}

TEST_P(UnixStream, PeerCloseAndNothingPending) {
  auto p = test::make_tcp_pair(fresh("close"));
  ASSERT_TRUE(p.ok) << p.why;
  accepted a;
  auto acc = p.listener.accept(a);
  ASSERT_TRUE(acc) << why(acc);
  EXPECT_EQ(*acc, io_status::would_block);
  char buf[8];
  auto r = p.server.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::would_block);
  ASSERT_TRUE(p.client.close());
  ASSERT_TRUE(wait_readable(p.server));
  r = p.server.recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::closed);
}

TEST_P(UnixStream, BindingANameInUseFailsAndReleasesTheDescriptor) {
  const std::string name = fresh("dup");
  auto first = socket::bind(socket_type::tcp, name, 0);
  ASSERT_TRUE(first) << why(first);
  const int before = test::fd_count();
  auto second = socket::bind(socket_type::tcp, name, 0);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().name, "EADDRINUSE");
  EXPECT_EQ(second.error().op, "bind");
  EXPECT_EQ(test::fd_count(), before);
}

TEST_P(UnixStream, ConnectingToNobodyIsAnError) {
  const std::string name = fresh("nobody");
  const int before = test::fd_count();
  auto c = socket::connect(socket_type::tcp, name, 0);
  if (c) {
    // Reported later instead: then status() must say so.
    ASSERT_TRUE(wait_writable(*c));
    EXPECT_FALSE(c->status()) << "connected to " << name << " where nobody listens";
  } else {
    EXPECT_TRUE(c.error().name == "ENOENT" || c.error().name == "ECONNREFUSED") << why(c);
    EXPECT_EQ(c.error().op, "connect");
    EXPECT_EQ(test::fd_count(), before);  // the failed socket was released
  }
}

TEST_P(UnixStream, McastIsNotAvailable) {
  for (const bool binding : {true, false}) {
    const int before = test::fd_count();
    auto s = binding ? socket::bind(socket_type::mcast, fresh("mc"), 0)
                     : socket::connect(socket_type::mcast, fresh("mc"), 0);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "multicast not available for unix domain sockets");
    EXPECT_EQ(s.error().op, binding ? "bind" : "connect");
    EXPECT_EQ(test::fd_count(), before);
  }
}

class UnixDatagram : public UnixStream {};
INSTANTIATE_TEST_SUITE_P(Kinds, UnixDatagram, ::testing::Values(false, true),
                         [](const auto& tp) { return tp.param ? "abstract" : "path"; });

TEST_P(UnixDatagram, RoundTripNamesTheSender) {
  const std::string an = fresh("dga");
  const std::string bn = fresh("dgb");
  auto a = socket::bind(socket_type::udp, an, 0);
  auto b = socket::bind(socket_type::udp, bn, 0);
  ASSERT_TRUE(a) << why(a);
  ASSERT_TRUE(b) << why(b);
  EXPECT_TRUE(a->info().listening);
  EXPECT_EQ(a->info().type, socket_type::udp);
  EXPECT_EQ(a->info().family, family::unix_domain);
  EXPECT_TRUE(test::nonblocking_and_cloexec(a->fd()));
  auto sent = a->sendto("one", bn, 0);
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->bytes, 3u);
  ASSERT_TRUE(wait_readable(*b));
  char buf[8];
  endpoint from;
  auto r = b->recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(std::string(buf, r->bytes), "one");
  EXPECT_EQ(from.family(), family::unix_domain);
  EXPECT_EQ(from.addr(), an);
  // Reply to the name recvfrom gave.
  ASSERT_TRUE(b->sendto("two", from));
  ASSERT_TRUE(wait_readable(*a));
  r = a->recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(std::string(buf, r->bytes), "two");
}

TEST_P(UnixDatagram, ConnectedSenderZeroLengthAndTruncation) {
  const std::string name = fresh("dgc");
  auto srv = socket::bind(socket_type::udp, name, 0);
  ASSERT_TRUE(srv) << why(srv);
  auto c = socket::connect(socket_type::udp, name, 0);
  ASSERT_TRUE(c) << why(c);
  EXPECT_FALSE(c->info().listening);
  ASSERT_TRUE(c->send(""));
  ASSERT_TRUE(c->send("0123456789"));
  char buf[4];
  endpoint from;
  ASSERT_TRUE(wait_readable(*srv));
  auto r = srv->recvfrom(buf, from);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->status, io_status::ready);  // zero-length: data, not close
  EXPECT_EQ(r->bytes, 0u);
  EXPECT_EQ(from.addr(), "");  // an unnamed sender
  ASSERT_TRUE(wait_readable(*srv));
  r = srv->recv(buf);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->bytes, 4u);
  EXPECT_EQ(r->datagram_size, 10u);
}

TEST(Unix, LongestPathBindsAndReadsBack) {
  test::temp_dir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/";
  path += std::string(max_unix_path - path.size(), 's');
  ASSERT_EQ(path.size(), max_unix_path);
  auto l = socket::bind(socket_type::tcp, path, 0);
  ASSERT_TRUE(l) << why(l);
  EXPECT_EQ(l->local_endpoint()->addr(), path);
  auto c = socket::connect(socket_type::tcp, path, 0);
  ASSERT_TRUE(c) << why(c);
  ASSERT_TRUE(wait_writable(*c));
  EXPECT_TRUE(c->status());
}

TEST(Unix, LongestAbstractNameBindsAndReadsBack) {
  std::string name = test::abstract_name("long");
  name += std::string(max_unix_path + 1 - name.size(), 'L');  // '@' + 107 bytes
  auto l = socket::bind(socket_type::udp, name, 0);
  ASSERT_TRUE(l) << why(l);
  EXPECT_EQ(l->local_endpoint()->addr(), name);
}

TEST(Unix, TooLongNamesAreENAMETOOLONGAndOpenNothing) {
  const int before = test::fd_count();
  for (const std::string& name :
       {"/" + std::string(max_unix_path, 'x'), "@" + std::string(max_unix_path + 1, 'x')}) {
    for (const bool binding : {true, false}) {
      auto s = binding ? socket::bind(socket_type::tcp, name, 0)
                       : socket::connect(socket_type::tcp, name, 0);
      ASSERT_FALSE(s) << name.size();
      EXPECT_EQ(s.error().name, "ENAMETOOLONG");
      EXPECT_EQ(s.error().message, "unix domain path too long");
      EXPECT_EQ(s.error().op, binding ? "bind" : "connect");
    }
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Unix, BindInAMissingDirectoryFailsAndReleasesTheDescriptor) {
  // The original kept the descriptor of a failed bind open until garbage collection.
  test::temp_dir dir;
  const int before = test::fd_count();
  auto s = socket::bind(socket_type::tcp, dir / "missing/x.sock", 0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "ENOENT");
  EXPECT_EQ(s.error().op, "bind");
  EXPECT_EQ(test::fd_count(), before);
}

/// A raw AF_UNIX address for `name` (without '@') of exactly the given length.
sockaddr_un raw_abstract(const std::string& name, socklen_t& len, bool with_trailing_nul) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path + 1, name.data(), name.size());
  len = static_cast<socklen_t>(sizeof(sa_family_t) + 1 + name.size() + (with_trailing_nul ? 1 : 0));
  return un;
}

TEST(Unix, AbstractNamesInteroperateWithExactLengthPeers) {
  // The original counted a trailing NUL, so socat/systemd/Python peers (which use
  // the exact length) could not reach it, nor it them.
  const std::string name = test::abstract_name("interop");
  const std::string bare = name.substr(1);

  // 1. We listen; a raw peer connects with the exact length.
  auto l = socket::bind(socket_type::tcp, name, 0);
  ASSERT_TRUE(l) << why(l);
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    socklen_t len = 0;
    const sockaddr_un un = raw_abstract(bare, len, false);
    EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&un), len), 0)
        << "exact-length peer could not reach us: " << std::strerror(errno);
    ::close(fd);
  }
  {
    // With one more byte (a trailing NUL) it is another name, nobody listens there.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    socklen_t len = 0;
    const sockaddr_un un = raw_abstract(bare, len, true);
    EXPECT_NE(::connect(fd, reinterpret_cast<const sockaddr*>(&un), len), 0)
        << "the name with a trailing NUL reached us: our name has the NUL in it";
    ::close(fd);
  }

  // 2. A raw peer listens with the exact length; we connect.
  const std::string other = test::abstract_name("interop-raw");
  const int lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(lfd, 0);
  socklen_t len = 0;
  const sockaddr_un un = raw_abstract(other.substr(1), len, false);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<const sockaddr*>(&un), len), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(lfd, 1), 0);
  auto c = socket::connect(socket_type::tcp, other, 0);
  ASSERT_TRUE(c) << why(c);
  ASSERT_TRUE(wait_writable(*c));
  EXPECT_TRUE(c->status()) << why(c->status());
  EXPECT_EQ(c->peer_endpoint()->addr(), other);
  ::close(lfd);
}

TEST(Unix, AbstractNamePlusOneByteIsAnotherSocket) {
  const std::string name = test::abstract_name("plus");
  auto l = socket::bind(socket_type::udp, name, 0);
  ASSERT_TRUE(l) << why(l);
  auto other = socket::bind(socket_type::udp, name + "x", 0);
  ASSERT_TRUE(other) << why(other);
  auto s = socket::bind(socket_type::udp, test::abstract_name("sender"), 0);
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->sendto("to-x", name + "x", 0));
  ASSERT_TRUE(wait_readable(*other));
  EXPECT_FALSE(wait_readable(*l, 50)) << "a datagram for " << name << "x reached " << name;
}

}  // namespace
}  // namespace lsock
