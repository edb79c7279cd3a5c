// Multicast and broadcast. ctest runs this binary inside a private network namespace
// (tests/netns/run-in-netns.sh) whose loopback carries IPv4 multicast, IPv4 broadcast and IPv6
// multicast; the Veth* tests run in a second namespace that also has a veth pair v0/v1
// (LSOCK_NETNS_VETH=1). Outside a namespace every test here skips: wildcard binds and group
// joins are only made where nobody else can see them.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "detail/interface_lookup.hpp"
#include "netns_support.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using detail::interface_index;
using test::joined;
using test::wait_readable;
using test::why;

// --- Round trips ------------------------------------------------------------------------------

struct mcast_case {
  const char* label;
  const char* bind_addr;
  const char* send_to;
  const char* iface;
  family fam;
};

class McastRoundTrip : public ::testing::TestWithParam<mcast_case> {
 protected:
  void SetUp() override { REQUIRE_NETNS(); }
};

TEST_P(McastRoundTrip, Delivers) {
  const auto& c = GetParam();
  socket_options o;
  o.iface = c.iface;
  auto r = socket::bind(socket_type::mcast, c.bind_addr, 0, o);
  ASSERT_TRUE(r) << why(r);
  const auto ri = r->info();
  EXPECT_TRUE(ri.multicast);
  EXPECT_TRUE(ri.listening);
  EXPECT_EQ(ri.type, socket_type::udp);
  EXPECT_EQ(ri.family, c.fam);
  EXPECT_TRUE(test::nonblocking_and_cloexec(r->fd()));
  const int port = r->local_endpoint()->port();
  ASSERT_GT(port, 0);

  auto s = socket::connect(socket_type::mcast, c.send_to, port, o);
  ASSERT_TRUE(s) << why(s);
  const auto si = s->info();
  EXPECT_TRUE(si.multicast);
  EXPECT_FALSE(si.listening);
  EXPECT_EQ(si.type, socket_type::udp);
  EXPECT_TRUE(test::nonblocking_and_cloexec(s->fd()));

  auto sent = s->send("hello");
  ASSERT_TRUE(sent) << why(sent);
  EXPECT_EQ(sent->bytes, 5u);
  ASSERT_TRUE(wait_readable(*r)) << "nothing arrived at " << c.bind_addr << ":" << port;
  char buf[16];
  endpoint from;
  auto got = r->recvfrom(buf, from);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(got->status, io_status::ready);
  EXPECT_EQ(std::string(buf, got->bytes), "hello");
  EXPECT_EQ(from.port(), s->local_endpoint()->port());
  EXPECT_EQ(from.family(), c.fam);
}

INSTANTIATE_TEST_SUITE_P(
    Groups, McastRoundTrip,
    ::testing::Values(
        // The original never joined an IPv4 group "mcast" was bound to.
        mcast_case{"v4_group", "239.1.2.3", "239.1.2.3", "", family::inet},
        mcast_case{"v4_group_iface_by_name", "239.1.2.4", "239.1.2.4", "lo", family::inet},
        mcast_case{"v4_group_iface_by_addr", "239.1.2.5", "239.1.2.5", "127.0.0.1", family::inet},
        mcast_case{"v4_broadcast", "0.0.0.0", "255.255.255.255", "", family::inet},
        mcast_case{"v6_group", "ff15::1:3", "ff15::1:3", "", family::inet6},
        mcast_case{"v6_group_iface_by_name", "ff15::1:5", "ff15::1:5", "lo", family::inet6},
        mcast_case{"v6_group_iface_by_addr", "ff15::1:6", "ff15::1:6", "::1", family::inet6},
        mcast_case{"v6_link_local_group_on_lo", "ff02::1:4", "ff02::1:4", "lo", family::inet6},
        // A scoped group names its interface itself.
        mcast_case{"v6_link_local_group_scoped", "ff02::1:8%lo", "ff02::1:8%lo", "",
                   family::inet6}),
    [](const auto& tp) { return std::string(tp.param.label); });

TEST(Mcast, BindingAGroupJoinsItOnTheChosenInterfaceAndCloseLeaves) {
  REQUIRE_NETNS();
  for (const auto& [group, iface] : {std::pair<std::string, std::string>{"239.3.3.3", "lo"},
                                     {"239.3.3.4", ""},
                                     {"ff15::3:3", "lo"},
                                     {"ff15::3:4", ""}}) {
    SCOPED_TRACE(group + " on '" + iface + "'");
    ASSERT_FALSE(joined("lo", group));
    socket_options o;
    o.iface = iface;
    auto r = socket::bind(socket_type::mcast, group, 0, o);
    ASSERT_TRUE(r) << why(r);
    EXPECT_TRUE(joined("lo", group)) << "the kernel does not list the group as joined";
    ASSERT_TRUE(r->close());
    EXPECT_FALSE(joined("lo", group)) << "still joined after close";
  }
}

TEST(Mcast, TwoReceiversShareAGroupPort) {
  REQUIRE_NETNS();
  auto a = socket::bind(socket_type::mcast, "239.4.4.4", 0);
  ASSERT_TRUE(a) << why(a);
  const int port = a->local_endpoint()->port();
  auto b = socket::bind(socket_type::mcast, "239.4.4.4", port);
  ASSERT_TRUE(b) << why(b);
  auto s = socket::connect(socket_type::mcast, "239.4.4.4", port);
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->send("both"));
  char buf[8];
  for (socket* r : {&*a, &*b}) {
    ASSERT_TRUE(wait_readable(*r));
    auto got = r->recv(buf);
    ASSERT_TRUE(got) << why(got);
    EXPECT_EQ(std::string(buf, got->bytes), "both");
  }
}

TEST(Mcast, SendtoAGroupFromAnMcastSocket) {
  REQUIRE_NETNS();
  auto r = socket::bind(socket_type::mcast, "239.5.5.5", 0);
  ASSERT_TRUE(r) << why(r);
  auto s = socket::bind(socket_type::mcast, "127.0.0.1", 0);
  ASSERT_TRUE(s) << why(s);
  auto sent = s->sendto("via-sendto", "239.5.5.5", r->local_endpoint()->port());
  ASSERT_TRUE(sent) << why(sent);
  ASSERT_TRUE(wait_readable(*r));
  char buf[16];
  auto got = r->recv(buf);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "via-sendto");
}

TEST(Mcast, BindToTheIpv6AndIpv4WildcardsWorks) {
  // Binding "mcast" to "::" failed in the original.
  REQUIRE_NETNS();
  for (const char* any : {"::", "0.0.0.0"}) {
    auto r = socket::bind(socket_type::mcast, any, 0);
    ASSERT_TRUE(r) << any << ": " << why(r);
    EXPECT_TRUE(r->info().multicast);
    // It receives datagrams for its port.
    const bool v6 = std::string(any) == "::";
    auto s =
        socket::connect(socket_type::udp, v6 ? "::1" : "127.0.0.1", r->local_endpoint()->port());
    ASSERT_TRUE(s) << why(s);
    ASSERT_TRUE(s->send("any"));
    ASSERT_TRUE(wait_readable(*r)) << any;
  }
}

TEST(Mcast, Ipv6SocketReachesIpv4ThroughAMappedAddress) {
  REQUIRE_NETNS();
  auto b = socket::bind(socket_type::udp, "127.0.0.1", 0);
  auto a = socket::bind(socket_type::udp, "::", 0);
  ASSERT_TRUE(a) << why(a);
  ASSERT_TRUE(b) << why(b);
  auto r = a->sendto("v4", "127.0.0.1", b->local_endpoint()->port());
  ASSERT_TRUE(r) << why(r);
  ASSERT_TRUE(wait_readable(*b));
  char buf[4];
  endpoint from;
  auto got = b->recvfrom(buf, from);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "v4");
  EXPECT_EQ(from.port(), a->local_endpoint()->port());
}

// --- TTL / hops and the sending interface -----------------------------------------------------

int int_option(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return -2;
  if (len == 1) return static_cast<unsigned char>(v);  // IP_MULTICAST_TTL may answer one byte
  return v;
}

TEST(Mcast, TtlAndHopsAreSet) {
  REQUIRE_NETNS();
  for (const int ttl : {0, 1, 7, 255}) {
    socket_options o;
    o.ttl = ttl;
    auto v4 = socket::connect(socket_type::mcast, "239.1.2.3", 9, o);
    ASSERT_TRUE(v4) << ttl << ": " << why(v4);
    EXPECT_EQ(int_option(v4->fd(), IPPROTO_IP, IP_MULTICAST_TTL), ttl);
    auto v6 = socket::connect(socket_type::mcast, "ff15::1", 9, o);
    ASSERT_TRUE(v6) << ttl << ": " << why(v6);
    EXPECT_EQ(int_option(v6->fd(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS), ttl);
  }
  auto dflt = socket::connect(socket_type::mcast, "239.1.2.3", 9);
  ASSERT_TRUE(dflt) << why(dflt);
  EXPECT_EQ(int_option(dflt->fd(), IPPROTO_IP, IP_MULTICAST_TTL), 1);  // lsocket's default
}

TEST(Mcast, TtlOutOfRangeIsAnErrorAndLeaksNothing) {
  REQUIRE_NETNS();
  const int before = test::fd_count();
  for (const int ttl : {-1, 256, 100000}) {
    socket_options o;
    o.ttl = ttl;
    auto s = socket::connect(socket_type::mcast, "239.1.2.3", 9, o);
    ASSERT_FALSE(s) << ttl;
    EXPECT_EQ(s.error().name, "EINVAL");
    EXPECT_EQ(s.error().op, "connect");
  }
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Mcast, Ipv6SendingInterfaceIsTheChosenOne) {
  REQUIRE_NETNS();
  const int lo = static_cast<int>(if_nametoindex("lo"));
  for (const char* iface : {"lo", "::1", "127.0.0.1"}) {
    socket_options o;
    o.iface = iface;
    auto s = socket::connect(socket_type::mcast, "ff15::1", 9, o);
    ASSERT_TRUE(s) << iface << ": " << why(s);
    EXPECT_EQ(int_option(s->fd(), IPPROTO_IPV6, IPV6_MULTICAST_IF), lo) << iface;
  }
}

TEST(Mcast, UnknownInterfaceIsENODEVAndLeaksNothing) {
  REQUIRE_NETNS();
  const int before = test::fd_count();
  socket_options o;
  for (const char* iface : {"nosuchif0", "127.0.0.2", "fd00::dead"}) {
    o.iface = iface;
    for (const char* group : {"239.1.2.9", "ff15::9"}) {
      auto b = socket::bind(socket_type::mcast, group, 0, o);
      ASSERT_FALSE(b) << iface << " " << group;
      EXPECT_EQ(b.error().name, "ENODEV");
      auto c = socket::connect(socket_type::mcast, group, 9, o);
      ASSERT_FALSE(c) << iface << " " << group;
      EXPECT_EQ(c.error().name, "ENODEV");
    }
  }
  EXPECT_EQ(test::fd_count(), before);
}

// --- Interfaces without an address (the original dereferenced the missing one) ---------------

TEST(Interfaces, AnInterfaceWithoutAnAddressIsSkippedSafely) {
  REQUIRE_NETNS();
  // A tun device that is down has no address at all (getifaddrs gives ifa_addr == NULL).
  if (std::system("ip tuntap add dev lsocktun0 mode tun 2>/dev/null") != 0) {
    GTEST_SKIP() << "cannot create a tun device here (ip tuntap add failed)";
  }
  auto list = interfaces();
  if (std::system("ip tuntap del dev lsocktun0 mode tun 2>/dev/null") != 0) {
    ADD_FAILURE() << "could not remove the tun device";
  }
  ASSERT_TRUE(list) << why(list);
  for (const auto& a : *list) EXPECT_NE(a.name, "lsocktun0") << a.addr;
  EXPECT_TRUE(std::any_of(list->begin(), list->end(),
                          [](const interface_address& a) { return a.name == "lo"; }));
}

// --- Interface selection on a veth pair -------------------------------------------------------
// The receiver joins on v0. A datagram sent out of v0 is looped back to it; one sent out of lo
// (which has not joined) is not: this tells the chosen interface apart on both ends.

struct veth_case {
  const char* label;
  const char* group;
  const char* recv_iface;
  const char* v0_addr;
};

class VethSelection : public ::testing::TestWithParam<veth_case> {
 protected:
  void SetUp() override { REQUIRE_VETH(); }
};

TEST_P(VethSelection, JoinsAndSendsOnTheChosenInterface) {
  const auto& c = GetParam();
  socket_options ro;
  ro.iface = c.recv_iface;
  auto r = socket::bind(socket_type::mcast, c.group, 0, ro);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(joined("v0", c.group)) << "not joined on v0";
  EXPECT_FALSE(joined("lo", c.group)) << "joined on lo instead";
  EXPECT_FALSE(joined("v1", c.group)) << "joined on v1 instead";
  const int port = r->local_endpoint()->port();
  char buf[16];

  for (const char* send_iface : {"v0", c.v0_addr}) {
    socket_options so;
    so.iface = send_iface;
    auto s = socket::connect(socket_type::mcast, c.group, port, so);
    ASSERT_TRUE(s) << send_iface << ": " << why(s);
    ASSERT_TRUE(s->send("via-v0"));
    ASSERT_TRUE(wait_readable(*r)) << "nothing arrived when sent via " << send_iface;
    auto got = r->recv(buf);
    ASSERT_TRUE(got) << why(got);
    EXPECT_EQ(std::string(buf, got->bytes), "via-v0");
  }

  socket_options lo;
  lo.iface = "lo";
  auto s = socket::connect(socket_type::mcast, c.group, port, lo);
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->send("via-lo"));
  EXPECT_FALSE(wait_readable(*r, 300)) << "a datagram sent via lo reached a v0-only member";
}

INSTANTIATE_TEST_SUITE_P(
    Groups, VethSelection,
    ::testing::Values(veth_case{"v4_by_name", "239.7.7.1", "v0", "10.77.0.1"},
                      veth_case{"v4_by_addr", "239.7.7.2", "10.77.0.1", "10.77.0.1"},
                      veth_case{"v6_by_name", "ff15::7:1", "v0", "fd77::1"},
                      veth_case{"v6_by_addr", "ff15::7:2", "fd77::1", "fd77::1"}),
    [](const auto& tp) { return std::string(tp.param.label); });

TEST(Veth, InterfacesListTheVethAddresses) {
  REQUIRE_VETH();
  auto list = interfaces();
  ASSERT_TRUE(list) << why(list);
  auto v0 = std::find_if(list->begin(), list->end(), [](const interface_address& a) {
    return a.name == "v0" && a.family == family::inet;
  });
  ASSERT_NE(v0, list->end());
  EXPECT_EQ(v0->addr, "10.77.0.1");
  EXPECT_EQ(v0->mask, "255.255.255.0");
  EXPECT_EQ(v0->prefixlen, 24);
  // run-in-netns.sh adds 10.77.0.1/24 without "brd": the interface has no broadcast address.
  // (glibc's getifaddrs then puts the address itself in ifa_broadaddr: that is no broadcast.)
  EXPECT_EQ(v0->broadcast, "") << "v0 has no broadcast address (ip addr shows no brd)";
  EXPECT_TRUE(v0->flags.up);
  EXPECT_TRUE(v0->flags.broadcast);
  EXPECT_TRUE(v0->flags.multicast);
  EXPECT_FALSE(v0->flags.loopback);
  EXPECT_EQ(v0->index, if_nametoindex("v0"));
  auto v1_6 = std::find_if(list->begin(), list->end(), [](const interface_address& a) {
    return a.name == "v1" && a.addr == "fd77::2";
  });
  ASSERT_NE(v1_6, list->end());
  EXPECT_EQ(v1_6->prefixlen, 64);
  EXPECT_EQ(v1_6->mask, "ffff:ffff:ffff:ffff::");
  auto by_addr = interface_index("10.77.0.2");
  ASSERT_TRUE(by_addr) << why(by_addr);
  EXPECT_EQ(*by_addr, if_nametoindex("v1"));
  auto by_addr6 = interface_index("fd77::1");
  ASSERT_TRUE(by_addr6) << why(by_addr6);
  EXPECT_EQ(*by_addr6, if_nametoindex("v0"));
}

TEST(Veth, InterfacesReportTheBroadcastAddress) {
  REQUIRE_VETH();
  // An address with a broadcast address ("brd +"), in this private namespace only.
  if (std::system("ip addr add 10.78.0.1/24 brd + dev v1") != 0) {
    GTEST_SKIP() << "could not add an address with a broadcast address to v1";
  }
  auto list = interfaces();
  if (std::system("ip addr del 10.78.0.1/24 dev v1") != 0) ADD_FAILURE() << "cleanup failed";
  ASSERT_TRUE(list) << why(list);
  auto a = std::find_if(list->begin(), list->end(),
                        [](const interface_address& x) { return x.addr == "10.78.0.1"; });
  ASSERT_NE(a, list->end());
  EXPECT_EQ(a->name, "v1");
  EXPECT_EQ(a->broadcast, "10.78.0.255");
  EXPECT_EQ(a->prefixlen, 24);
}

}  // namespace
}  // namespace lsock
