// Closing, releasing, moving and using closed sockets.
#include <unistd.h>

#include "test_support.hpp"

namespace lsock {
namespace {

TEST(Lifecycle, CloseIsIdempotentAndReleasesTheDescriptor) {
  const int before = test::fd_count();
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s);
  EXPECT_EQ(test::fd_count(), before + 1);
  EXPECT_TRUE(s->close());
  EXPECT_TRUE(s->close());
  EXPECT_FALSE(s->is_open());
  EXPECT_EQ(s->fd(), -1);
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Lifecycle, DestructorCloses) {
  const int before = test::fd_count();
  { auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0); }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Lifecycle, ReleaseLeavesTheDescriptorOpen) {
  auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  const int fd = s->release();
  EXPECT_EQ(s->fd(), -1);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::close(fd), 0);  // still ours to close
}

TEST(Lifecycle, SetFdAcceptsOnlyMinusOne) {
  auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  const int fd = s->fd();
  auto bad = s->set_fd(7);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "EINVAL");
  EXPECT_EQ(s->fd(), fd);
  EXPECT_TRUE(s->set_fd(-1));
  EXPECT_EQ(s->fd(), -1);
  ::close(fd);
}

TEST(Lifecycle, MovingTransfersOwnership) {
  auto s = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  const int fd = s->fd();
  socket moved = std::move(*s);
  EXPECT_EQ(moved.fd(), fd);
  EXPECT_EQ(s->fd(), -1);
}

TEST(Lifecycle, EveryOperationOnAClosedSocketIsEbadf) {
  auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(s->close());
  char buf[4];
  endpoint from;
  accepted a;
  auto expect_closed = [](const error& e) {
    EXPECT_EQ(e.name, "EBADF");
    EXPECT_EQ(e.message, "socket is closed");
    EXPECT_EQ(e.domain, error_domain::library);
  };
  expect_closed(s->recv(buf).error());
  expect_closed(s->recvfrom(buf, from).error());
  expect_closed(s->send("x").error());
  expect_closed(s->sendto("x", "127.0.0.1", 9).error());
  expect_closed(s->accept(a).error());
  expect_closed(s->status().error());
  expect_closed(s->local_endpoint().error());
  expect_closed(s->peer_endpoint().error());
  expect_closed(s->shutdown_write().error());
  expect_closed(s->check_open("x").error());
}

TEST(Lifecycle, ManyOpenCloseCyclesLeaveNothingBehind) {
  const int before = test::fd_count();
  for (int i = 0; i < 5000; ++i) {
    auto s = socket::bind(socket_type::udp, "127.0.0.1", 0);
    ASSERT_TRUE(s);
  }
  EXPECT_EQ(test::fd_count(), before);
}

}  // namespace
}  // namespace lsock
