// Multicast and broadcast round trips. ctest runs this binary inside a private network
// namespace (tests/netns/run-in-netns.sh) whose loopback carries multicast and broadcast.
#include "test_support.hpp"

namespace lsock {
namespace {

struct mcast_case {
  const char* bind_addr;
  const char* send_to;
  const char* iface;
};

class McastRoundTrip : public ::testing::TestWithParam<mcast_case> {};

TEST_P(McastRoundTrip, Delivers) {
  const auto& c = GetParam();
  socket_options o;
  o.iface = c.iface;
  auto r = socket::bind(socket_type::mcast, c.bind_addr, 0, o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->info().multicast);
  EXPECT_EQ(r->info().type, socket_type::udp);
  auto s = socket::connect(socket_type::mcast, c.send_to, r->local_endpoint()->port(), o);
  ASSERT_TRUE(s) << s.error().describe();
  auto sent = s->send("hello");
  ASSERT_TRUE(sent) << sent.error().describe();
  ASSERT_TRUE(test::wait_readable(*r)) << "nothing arrived";
  char buf[16];
  endpoint from;
  auto got = r->recvfrom(buf, from);
  ASSERT_TRUE(got);
  EXPECT_EQ(std::string(buf, got->bytes), "hello");
  EXPECT_EQ(from.port(), s->local_endpoint()->port());
}

INSTANTIATE_TEST_SUITE_P(
    Groups, McastRoundTrip,
    ::testing::Values(mcast_case{"239.1.2.3", "239.1.2.3", ""},           // IPv4 group (defect 8)
                      mcast_case{"239.1.2.4", "239.1.2.4", "lo"},         // by interface name
                      mcast_case{"239.1.2.5", "239.1.2.5", "127.0.0.1"},  // by interface address
                      mcast_case{"0.0.0.0", "255.255.255.255", ""},       // IPv4 broadcast
                      mcast_case{"ff15::1:3", "ff15::1:3", ""},           // IPv6 group
                      mcast_case{"ff02::1:4", "ff02::1:4", "lo"}));       // link-local on lo

TEST(Mcast, BindToIpv6AnyWorks) {
  // known defect 8: binding mcast to "::" failed in lsocket.
  auto s = socket::bind(socket_type::mcast, "::", 0);
  EXPECT_TRUE(s) << s.error().describe();
}

TEST(Mcast, TtlIsChecked) {
  socket_options o;
  o.ttl = 256;
  EXPECT_FALSE(socket::connect(socket_type::mcast, "239.1.2.3", 9, o));
}

TEST(Mcast, UnknownInterfaceIsAnError) {
  socket_options o;
  o.iface = "nosuchif0";
  auto s = socket::bind(socket_type::mcast, "239.1.2.9", 0, o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "ENODEV");
}

}  // namespace
}  // namespace lsock
