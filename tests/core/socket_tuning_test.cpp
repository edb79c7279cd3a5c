// Buffer sizes and TCP_INFO on loopback sockets.

#include <gtest/gtest.h>

#include <lsock/poll.hpp>
#include <lsock/socket_tuning.hpp>

#include "detail/socket_buffers.hpp"

namespace lsock {
namespace {

using detail::receive_buffer_size;
using detail::send_buffer_size;

struct tcp_pair {
  socket listener, client, server;
  tcp_pair() {
    listener = socket::bind(socket_type::tcp, "127.0.0.1", 0).value();
    const int port = listener.local_endpoint().value().port();
    client = socket::connect(socket_type::tcp, "127.0.0.1", port).value();
    selector sel;
    const int fd = listener.fd();
    EXPECT_TRUE(sel.wait(std::span<const int>(&fd, 1), {}, 2000).value());
    accepted a;
    EXPECT_EQ(listener.accept(a).value(), io_status::ready);
    server = std::move(a.socket);
    const int cfd = client.fd();
    EXPECT_TRUE(sel.wait({}, std::span<const int>(&cfd, 1), 2000).value());
  }
};

TEST(SocketTuning, TcpStatisticsOfAnEstablishedConnection) {
  tcp_pair p;
  auto st = tcp_statistics(p.client);
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_EQ(st->retransmits, 0u);
  EXPECT_GT(st->snd_cwnd, 0u);  // at least the initial window of 10 segments
}

TEST(SocketTuning, TcpStatisticsRefuseUdpAndClosedSockets) {
  auto u = socket::bind(socket_type::udp, "127.0.0.1", 0).value();
  auto st = tcp_statistics(u);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().name, "ENOPROTOOPT");
  ASSERT_TRUE(u.close());
  auto closed = tcp_statistics(u);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().name, "EBADF");
}

TEST(SocketTuning, BufferSizesAreSetAndReadBack) {
  tcp_pair p;
  ASSERT_TRUE(set_send_buffer(p.client, 64 * 1024));
  ASSERT_TRUE(set_receive_buffer(p.server, 64 * 1024));
  // Linux doubles the request for its own bookkeeping.
  EXPECT_EQ(send_buffer_size(p.client).value(), 128 * 1024);
  EXPECT_EQ(receive_buffer_size(p.server).value(), 128 * 1024);
  ASSERT_TRUE(p.client.close());
  auto e = set_send_buffer(p.client, 4096);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().name, "EBADF");
}

}  // namespace
}  // namespace lsock
