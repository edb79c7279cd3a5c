// A socket's life: descriptor flags, close (idempotent), release / set_fd(-1), moves, every
// operation on a closed socket, failed creation releasing its descriptor, EMFILE.
#include <sys/resource.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "test_support.hpp"

namespace lsock {
namespace {

using test::why;

/// Every way libcore makes a socket (loopback and unix only).
struct maker {
  const char* label;
  bool bind;
  socket_type type;
  const char* addr;
};

class EverySocket : public ::testing::TestWithParam<maker> {
 protected:
  void SetUp() override {
    if (std::string(GetParam().addr) == "::1" && !test::have_ipv6_loopback()) {
      GTEST_SKIP() << "IPv6 loopback (::1) is not available on this machine";
    }
  }
  result<socket> make() {
    const auto& m = GetParam();
    std::string addr = m.addr;
    if (addr == "@") addr = test::abstract_name(m.label);
    if (addr == "/") addr = dir_ / "s.sock";
    if (m.bind) return socket::bind(m.type, addr, 0);
    // connect: to a listener of the same kind, made here.
    auto target =
        socket::bind(m.type == socket_type::tcp ? socket_type::tcp : socket_type::udp, addr, 0);
    if (!target) return std::move(target).error();
    const int port = target->local_endpoint()->port();
    target_ = std::move(*target);
    return socket::connect(m.type, addr, port);
  }
  test::temp_dir dir_;
  socket target_;
};

INSTANTIATE_TEST_SUITE_P(
    Kinds, EverySocket,
    ::testing::Values(maker{"bind_tcp_v4", true, socket_type::tcp, "127.0.0.1"},
                      maker{"bind_tcp_v6", true, socket_type::tcp, "::1"},
                      maker{"bind_udp_v4", true, socket_type::udp, "127.0.0.1"},
                      maker{"bind_udp_v6", true, socket_type::udp, "::1"},
                      maker{"bind_mcast_v4", true, socket_type::mcast, "127.0.0.1"},
                      maker{"bind_mcast_v6", true, socket_type::mcast, "::1"},
                      maker{"bind_tcp_path", true, socket_type::tcp, "/"},
                      maker{"bind_udp_path", true, socket_type::udp, "/"},
                      maker{"bind_tcp_abstract", true, socket_type::tcp, "@"},
                      maker{"bind_udp_abstract", true, socket_type::udp, "@"},
                      maker{"connect_tcp_v4", false, socket_type::tcp, "127.0.0.1"},
                      maker{"connect_tcp_v6", false, socket_type::tcp, "::1"},
                      maker{"connect_udp_v4", false, socket_type::udp, "127.0.0.1"},
                      maker{"connect_udp_v6", false, socket_type::udp, "::1"},
                      maker{"connect_mcast_v4", false, socket_type::mcast, "127.0.0.1"},
                      maker{"connect_tcp_path", false, socket_type::tcp, "/"},
                      maker{"connect_udp_abstract", false, socket_type::udp, "@"}),
    [](const auto& tp) { return std::string(tp.param.label); });

TEST_P(EverySocket, IsNonBlockingAndCloseOnExec) {
  // The original set no close-on-exec, and its F_SETFL overwrote the existing flags.
  auto s = make();
  ASSERT_TRUE(s) << why(s);
  EXPECT_TRUE(test::nonblocking_and_cloexec(s->fd()));
  EXPECT_EQ(s->info().fd, s->fd());
  EXPECT_EQ(s->info().listening, GetParam().bind);
  EXPECT_EQ(s->info().multicast, GetParam().type == socket_type::mcast);
  EXPECT_EQ(s->info().type,
            GetParam().type == socket_type::tcp ? socket_type::tcp : socket_type::udp);
}

TEST_P(EverySocket, CloseIsIdempotentAndReleasesTheDescriptor) {
  auto s = make();
  ASSERT_TRUE(s) << why(s);
  const int fd = s->fd();
  ASSERT_TRUE(test::fd_is_open(fd));
  const int before = test::fd_count();
  EXPECT_TRUE(s->close()) << why(s->close());
  EXPECT_FALSE(s->is_open());
  EXPECT_EQ(s->fd(), -1);
  EXPECT_EQ(s->info().fd, -1);
  EXPECT_EQ(test::fd_count(), before - 1);
  EXPECT_TRUE(s->close());  // again: nothing to do, still fine
  EXPECT_TRUE(s->close());
  EXPECT_EQ(test::fd_count(), before - 1);
}

TEST_P(EverySocket, EveryOperationOnAClosedSocketIsEBADF) {
  auto s = make();
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->close());
  char buf[4];
  endpoint from;
  accepted a;
  auto check = [](const error& e, const char* what) {
    EXPECT_EQ(e.name, "EBADF") << what;
    EXPECT_EQ(e.code, EBADF) << what;
    EXPECT_EQ(e.message, "socket is closed") << what;
    EXPECT_EQ(e.domain, error_domain::library) << what;
    EXPECT_FALSE(e.op.empty()) << what;
  };
  auto expect_closed = [&](const auto& r, const char* what) {
    ASSERT_FALSE(r) << what << " succeeded on a closed socket";
    check(r.error(), what);
  };
  expect_closed(s->recv(buf), "recv");
  expect_closed(s->recvfrom(buf, from), "recvfrom");
  expect_closed(s->send("x"), "send");
  expect_closed(s->sendto("x", "127.0.0.1", 9), "sendto(address)");
  auto ep = resolve_endpoints("t", "127.0.0.1", 9, socket_type::udp);
  ASSERT_TRUE(ep);
  expect_closed(s->sendto("x", (*ep)[0]), "sendto(endpoint)");
  expect_closed(s->accept(a), "accept");
  expect_closed(s->status(), "status");
  expect_closed(s->local_endpoint(), "local_endpoint");
  expect_closed(s->peer_endpoint(), "peer_endpoint");
  expect_closed(s->shutdown_write(), "shutdown_write");
  expect_closed(s->check_open("op"), "check_open");
  EXPECT_EQ(s->check_open("op").error().op, "op");
  EXPECT_FALSE(a.socket.is_open());
}

TEST_P(EverySocket, ReleaseLeavesTheDescriptorOpen) {
  auto s = make();
  ASSERT_TRUE(s) << why(s);
  const int fd = s->fd();
  const int released = s->release();
  EXPECT_EQ(released, fd);
  EXPECT_EQ(s->fd(), -1);
  EXPECT_FALSE(s->is_open());
  *s = socket();  // destroying/overwriting the socket must not close what it released
  EXPECT_TRUE(test::fd_is_open(fd)) << "release() closed the descriptor";
  EXPECT_EQ(::close(fd), 0);  // still ours to close
}

TEST(Lifecycle, SetFdAcceptsOnlyMinusOneAndThenReleases) {
  auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  const int fd = s->fd();
  for (const int bad : {7, 0, -2, fd}) {
    auto r = s->set_fd(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().name, "EINVAL");
    EXPECT_EQ(s->fd(), fd) << "a refused set_fd changed the descriptor";
  }
  EXPECT_TRUE(s->set_fd(-1));
  EXPECT_EQ(s->fd(), -1);
  EXPECT_TRUE(test::fd_is_open(fd)) << "set_fd(-1) closed the descriptor";
  auto closed = s->status();
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().name, "EBADF");
  EXPECT_TRUE(s->close());  // closing the released socket closes nothing
  EXPECT_TRUE(test::fd_is_open(fd));
  ::close(fd);
}

TEST(Lifecycle, DefaultConstructedSocketIsClosed) {
  socket s;
  EXPECT_FALSE(s.is_open());
  EXPECT_EQ(s.fd(), -1);
  EXPECT_EQ(s.info().fd, -1);
  EXPECT_TRUE(s.close());
  char buf[1];
  auto r = s.recv(buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "EBADF");
}

TEST(Lifecycle, DestructorCloses) {
  const int before = test::fd_count();
  int fd = -1;
  {
    auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << why(s);
    fd = s->fd();
    EXPECT_EQ(test::fd_count(), before + 1);
  }
  EXPECT_EQ(test::fd_count(), before);
  EXPECT_FALSE(test::fd_is_open(fd));
}

TEST(Lifecycle, MovingTransfersOwnershipAndMoveAssignmentClosesTheOldOne) {
  auto a = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto b = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(a && b);
  const int afd = a->fd();
  const int bfd = b->fd();
  const int before = test::fd_count();
  socket moved = std::move(*a);
  EXPECT_EQ(moved.fd(), afd);
  EXPECT_EQ(a->fd(), -1);  // NOLINT(bugprone-use-after-move): moved-from is closed
  EXPECT_EQ(moved.info().type, socket_type::udp);
  EXPECT_TRUE(moved.info().listening);
  moved = std::move(*b);  // afd is closed, bfd taken over
  EXPECT_EQ(moved.fd(), bfd);
  EXPECT_FALSE(test::fd_is_open(afd));
  EXPECT_EQ(test::fd_count(), before - 1);
  socket& alias = moved;
  moved = std::move(alias);  // self-move must not close the descriptor
  EXPECT_EQ(moved.fd(), bfd);
  EXPECT_TRUE(test::fd_is_open(bfd));
}

TEST(Lifecycle, ManyOpenCloseCyclesLeaveNothingBehind) {
  const int before = test::fd_count();
  for (int i = 0; i < 5000; ++i) {
    auto s = socket::bind(i % 2 == 0 ? socket_type::udp : socket_type::tcp, "127.0.0.1", 0);
    ASSERT_TRUE(s) << why(s);
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Lifecycle, FailedConnectsLeakNothing) {
  const int before = test::fd_count();
  test::temp_dir dir;
  socket_options bad_ttl;
  bad_ttl.ttl = 999;
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(socket::connect(socket_type::tcp, dir / "nobody.sock", 0));
    EXPECT_FALSE(socket::connect(socket_type::udp, "127.0.0.1", 70000));
    EXPECT_FALSE(socket::connect(socket_type::mcast, "127.0.0.1", 9, bad_ttl));
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Lifecycle, RunningOutOfDescriptorsIsEMFILENotALaterEBADF) {
  // The original ignored socket() failures, and later calls said "Bad file descriptor".
  const test::fd_limit_guard restore;
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  rl.rlim_cur = static_cast<rlim_t>(test::fd_count() + 3);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
  std::vector<socket> held;
  std::optional<error> failure;
  for (int i = 0; i < 64 && !failure; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    if (s) {
      held.push_back(std::move(*s));
    } else {
      failure = s.error();
    }
  }
  ASSERT_TRUE(failure.has_value()) << "never ran out of descriptors";
  EXPECT_EQ(failure->name, "EMFILE") << failure->describe();
  EXPECT_EQ(failure->op, "socket");
  for (const auto& s : held) EXPECT_TRUE(test::nonblocking_and_cloexec(s.fd()));
  // Once one is freed, the next works.
  held.pop_back();
  auto again = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  EXPECT_TRUE(again) << why(again);
}

}  // namespace
}  // namespace lsock
