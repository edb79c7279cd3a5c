// Fault injection through libcore's syscall seam: each failure a kernel can report reaches the
// caller as the right outcome, with the right operation and name, and no descriptor is left.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>

#include "../core/test_support.hpp"
#include "detail/syscalls.hpp"
#include "lsock/lsock.hpp"

namespace lsock {
namespace {

using detail::sys;

/// Restores the real syscalls when a test ends, whatever happened.
struct seam_guard {
  seam_guard() { detail::restore_syscalls(); }
  ~seam_guard() { detail::restore_syscalls(); }
};

/// Per-test programmable failures: "fail the next N calls of X with errno E".
struct plan {
  int errnum = 0;
  int times = 0;
  bool take() {
    if (times == 0) return false;
    if (times > 0) --times;
    errno = errnum;
    return true;
  }
};
std::map<std::string, plan> plans;
std::set<int> closed_fds;

template <class R>
bool fail(const char* name, R& rc) {
  auto it = plans.find(name);
  if (it == plans.end() || !it->second.take()) return false;
  rc = static_cast<R>(-1);
  return true;
}

void program(const std::string& name, int errnum, int times = 1) { plans[name] = {errnum, times}; }

void install_faulty_table() {
  plans.clear();
  closed_fds.clear();
  auto& t = sys();
  t.socket = [](int d, int ty, int p) {
    int rc;
    return fail("socket", rc) ? rc : detail::real_syscalls().socket(d, ty, p);
  };
  t.setsockopt = [](int fd, int l, int n, const void* v, socklen_t len) {
    int rc;
    return fail("setsockopt", rc) ? rc : detail::real_syscalls().setsockopt(fd, l, n, v, len);
  };
  t.bind = [](int fd, const sockaddr* a, socklen_t l) {
    int rc;
    return fail("bind", rc) ? rc : detail::real_syscalls().bind(fd, a, l);
  };
  t.listen = [](int fd, int b) {
    int rc;
    return fail("listen", rc) ? rc : detail::real_syscalls().listen(fd, b);
  };
  t.connect = [](int fd, const sockaddr* a, socklen_t l) {
    int rc;
    return fail("connect", rc) ? rc : detail::real_syscalls().connect(fd, a, l);
  };
  t.accept4 = [](int fd, sockaddr* a, socklen_t* l, int f) {
    int rc;
    return fail("accept", rc) ? rc : detail::real_syscalls().accept4(fd, a, l, f);
  };
  t.recv = [](int fd, void* b, size_t n, int f) {
    ssize_t rc;
    return fail("recv", rc) ? rc : detail::real_syscalls().recv(fd, b, n, f);
  };
  t.recvfrom = [](int fd, void* b, size_t n, int f, sockaddr* a, socklen_t* l) {
    ssize_t rc;
    return fail("recvfrom", rc) ? rc : detail::real_syscalls().recvfrom(fd, b, n, f, a, l);
  };
  t.send = [](int fd, const void* b, size_t n, int f) {
    ssize_t rc;
    if (fail("send", rc)) return rc;
    // "short": the kernel took only the first byte.
    if (plans.count("short") && plans["short"].take()) n = n > 0 ? 1 : 0;
    return detail::real_syscalls().send(fd, b, n, f);
  };
  t.sendto = [](int fd, const void* b, size_t n, int f, const sockaddr* a, socklen_t l) {
    ssize_t rc;
    return fail("sendto", rc) ? rc : detail::real_syscalls().sendto(fd, b, n, f, a, l);
  };
  t.poll = [](pollfd* fds, nfds_t n, int ms) {
    int rc;
    return fail("poll", rc) ? rc : detail::real_syscalls().poll(fds, n, ms);
  };
  t.close = [](int fd) {
    closed_fds.insert(fd);
    return detail::real_syscalls().close(fd);
  };
  t.getaddrinfo = [](const char* n, const char* s, const addrinfo* h, addrinfo** r) {
    auto it = plans.find("getaddrinfo");
    if (it != plans.end() && it->second.times != 0) {
      --it->second.times;
      errno = EMFILE;  // for EAI_SYSTEM
      return it->second.errnum;
    }
    return detail::real_syscalls().getaddrinfo(n, s, h, r);
  };
  t.getifaddrs = [](ifaddrs** r) {
    int rc;
    return fail("getifaddrs", rc) ? rc : detail::real_syscalls().getifaddrs(r);
  };
}

class Fault : public ::testing::Test {
 protected:
  void SetUp() override { install_faulty_table(); }
  seam_guard guard_;
};

TEST_F(Fault, SocketFailureIsReportedWithItsName) {
  for (int e : {EMFILE, ENFILE, ENOBUFS, EAFNOSUPPORT}) {
    program("socket", e);
    auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().op, "socket");
    EXPECT_EQ(s.error().code, e);
    EXPECT_EQ(s.error().name, errno_name(e));
  }
  program("socket", EMFILE);
  auto c = socket::connect(socket_type::udp, "127.0.0.1", 9);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().name, "EMFILE");
}

TEST_F(Fault, SetsockoptBindAndListenFailuresReleaseTheDescriptor) {
  const int before = test::fd_count();
  for (const char* what : {"setsockopt", "bind", "listen"}) {
    program(what, ENOBUFS);
    closed_fds.clear();
    auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
    ASSERT_FALSE(s) << what;
    EXPECT_EQ(s.error().op, what);
    EXPECT_EQ(s.error().name, "ENOBUFS");
    EXPECT_EQ(closed_fds.size(), 1u) << what << ": the descriptor was not closed";
    EXPECT_EQ(test::fd_count(), before) << what;
  }
  // mcast sender options fail the same way.
  program("setsockopt", EPERM);
  auto m = socket::connect(socket_type::mcast, "239.1.2.3", 9);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().name, "EPERM");
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(Fault, ConnectFailureReleasesTheDescriptor) {
  const int before = test::fd_count();
  program("connect", ENETUNREACH);
  auto c = socket::connect(socket_type::tcp, "127.0.0.1", 9);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().op, "connect");
  EXPECT_EQ(c.error().name, "ENETUNREACH");
  EXPECT_EQ(test::fd_count(), before);
  // EINTR: the connection goes on in the background; not a failure.
  program("connect", EINTR);
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  auto ok = socket::connect(socket_type::tcp, "127.0.0.1", l->local_endpoint()->port());
  ASSERT_TRUE(ok);
  ASSERT_TRUE(test::wait_writable(*ok));
  EXPECT_TRUE(ok->status());
}

TEST_F(Fault, EintrIsRetriedTransparently) {
  auto p = test::make_tcp_pair();
  program("send", EINTR, 3);
  auto s = p.client.send("abc");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bytes, 3u);
  ASSERT_TRUE(test::wait_readable(p.server));
  program("recv", EINTR, 3);
  char buf[8];
  auto r = p.server.recv(buf);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::string(buf, r->bytes), "abc");
  ASSERT_TRUE(p.client.close());
  auto c = socket::connect(socket_type::tcp, "127.0.0.1", p.listener.local_endpoint()->port());
  ASSERT_TRUE(test::wait_readable(p.listener));
  program("accept", EINTR, 2);
  accepted a;
  auto ar = p.listener.accept(a);
  ASSERT_TRUE(ar);
  EXPECT_EQ(*ar, io_status::ready);
  program("poll", EINTR, 5);
  selector sel;
  const int fd = p.listener.fd();
  auto w = sel.wait(std::span<const int>(&fd, 1), {}, 50);
  ASSERT_TRUE(w);
  EXPECT_FALSE(*w);  // a timeout, after the interruptions
}

TEST_F(Fault, EagainIsWouldBlock) {
  auto p = test::make_tcp_pair();
  program("send", EAGAIN);
  auto s = p.client.send("x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, io_status::would_block);
  program("recv", EWOULDBLOCK);
  char buf[4];
  EXPECT_EQ(p.server.recv(buf)->status, io_status::would_block);
  program("accept", EAGAIN);
  accepted a;
  EXPECT_EQ(*p.listener.accept(a), io_status::would_block);
  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
  program("sendto", EAGAIN);
  EXPECT_EQ(u->sendto("x", "127.0.0.1", 9)->status, io_status::would_block);
}

TEST_F(Fault, ConnectionErrorsAreErrors) {
  auto p = test::make_tcp_pair();
  program("recv", ECONNRESET);
  char buf[4];
  auto r = p.server.recv(buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().op, "recv");
  EXPECT_EQ(r.error().name, "ECONNRESET");
  program("send", EPIPE);
  auto s = p.client.send("x");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "EPIPE");
  program("accept", EMFILE);
  accepted a;
  auto ar = p.listener.accept(a);
  ASSERT_FALSE(ar);
  EXPECT_EQ(ar.error().name, "EMFILE");
  program("poll", ENOMEM);
  selector sel;
  const int fd = p.server.fd();
  auto w = sel.wait(std::span<const int>(&fd, 1), {}, 10);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().op, "select");
  EXPECT_EQ(w.error().name, "ENOMEM");
  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0);
  program("recvfrom", ENOBUFS);
  endpoint from;
  auto rf = u->recvfrom(buf, from);
  ASSERT_FALSE(rf);
  EXPECT_EQ(rf.error().name, "ENOBUFS");
}

TEST_F(Fault, ShortWritesReportTheCount) {
  auto p = test::make_tcp_pair();
  program("short", 0, 1);
  auto s = p.client.send("hello");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, io_status::ready);
  EXPECT_EQ(s->bytes, 1u);
  EXPECT_EQ(test::recv_exactly(p.server, 1), "h");
}

TEST_F(Fault, ResolverFailures) {
  program("getaddrinfo", EAI_AGAIN);
  auto r = resolve("example.invalid");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "EAI_AGAIN");
  EXPECT_EQ(r.error().domain, error_domain::resolver);
  program("getaddrinfo", EAI_SYSTEM);
  r = resolve("example.invalid");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "EMFILE");  // EAI_SYSTEM carries errno
  program("getaddrinfo", EAI_MEMORY);
  auto c = socket::connect(socket_type::tcp, "localhost", 9);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().name, "EAI_MEMORY");
  EXPECT_EQ(c.error().op, "connect");
}

TEST_F(Fault, InterfaceListingFailure) {
  program("getifaddrs", ENOMEM);
  auto r = interfaces();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().op, "getifaddrs");
  EXPECT_EQ(r.error().name, "ENOMEM");
  program("getifaddrs", ENOMEM);
  EXPECT_FALSE(interface_index("127.0.0.1"));
}

}  // namespace
}  // namespace lsock
