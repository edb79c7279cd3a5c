// Which interface a multicast socket uses when none is named. ctest runs this binary twice:
// in the plain namespace of tests/netns/run-in-netns.sh (only lo; the Default* tests) and in
// one with the veth pair v0/v1 too (LSOCK_NETNS_VETH=1; the Veth* tests). There, the routing
// table sends IPv4 multicast and broadcast to lo while the interfaces' addresses are on v0/v1,
// and three IPv6 multicast routes (lo, v0, v1) cover ff02::/16.
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "netns_support.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using test::joined;
using test::wait_readable;
using test::why;

endpoint literal(const std::string& text) {
  auto eps = resolve_endpoints("test", text, 0, socket_type::udp);
  EXPECT_TRUE(eps) << text << ": " << why(eps);
  return eps && !eps->empty() ? eps->front() : endpoint{};
}

unsigned index_of(const char* name) { return if_nametoindex(name); }

/// Runs an `ip` command in this namespace without the sanitizer runtime a test may preload.
bool ip(const std::string& args) {
  return std::system(("env -u LD_PRELOAD ip " + args).c_str()) == 0;
}

/// Binds `group` and connects to it, both without an interface, and checks one datagram.
void round_trip(const std::string& group) {
  auto r = socket::bind(socket_type::mcast, group, 0);
  ASSERT_TRUE(r) << group << ": " << why(r);
  auto s = socket::connect(socket_type::mcast, group, r->local_endpoint()->port());
  ASSERT_TRUE(s) << group << ": " << why(s);
  ASSERT_TRUE(s->send("scoped"));
  ASSERT_TRUE(wait_readable(*r)) << "nothing arrived at " << group;
  char buf[16];
  auto got = r->recv(buf);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "scoped");
}

TEST(GroupScope, ComesFromTheScopeField) {
  EXPECT_EQ(scope_of(literal("ff01::1")), group_scope::interface_local);
  EXPECT_EQ(scope_of(literal("ff11::1")), group_scope::interface_local);
  EXPECT_EQ(scope_of(literal("ff02::1")), group_scope::link_local);
  EXPECT_EQ(scope_of(literal("ff32::1")), group_scope::link_local);
  EXPECT_EQ(scope_of(literal("ff05::1")), group_scope::wider);
  EXPECT_EQ(scope_of(literal("ff0e::1")), group_scope::wider);
  EXPECT_EQ(scope_of(literal("239.1.1.1")), group_scope::wider);
  // Not groups at all.
  EXPECT_EQ(scope_of(literal("fe80::1")), group_scope::wider);
  EXPECT_EQ(scope_of(literal("::1")), group_scope::wider);
}

// --- Only lo: every scope has one obvious interface -------------------------------------------

TEST(DefaultInterface, EachScopeGetsItsInterface) {
  REQUIRE_NETNS();
  const unsigned lo = index_of("lo");
  auto local = group_interface(literal("ff01::1"), "");
  ASSERT_TRUE(local) << why(local);
  EXPECT_EQ(*local, lo) << "interface-local groups live on the loopback";
  // The only route for ff02::/16 here is "local ff00::/8 dev lo".
  auto link = group_interface(literal("ff02::1:9"), "");
  ASSERT_TRUE(link) << why(link);
  EXPECT_EQ(*link, lo);
  auto zoned = group_interface(literal("ff02::1%lo"), "");
  ASSERT_TRUE(zoned) << why(zoned);
  EXPECT_EQ(*zoned, lo);
  auto named = group_interface(literal("ff02::1"), "lo");
  ASSERT_TRUE(named) << why(named);
  EXPECT_EQ(*named, lo);
  // Wider groups are left to the kernel's own route lookup.
  for (const char* wider : {"ff15::1", "239.1.1.1"}) {
    auto kernel = group_interface(literal(wider), "");
    ASSERT_TRUE(kernel) << wider << ": " << why(kernel);
    EXPECT_EQ(*kernel, 0U) << wider;
  }
  auto unknown = group_interface(literal("ff02::1"), "nosuchif0");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().name, "ENODEV");
}

TEST(DefaultInterface, InterfaceAndLinkLocalGroupsWorkWithoutAnInterface) {
  // bind() and connect() of these groups failed with EINVAL: the kernel wants a scope id.
  REQUIRE_NETNS();
  for (const char* group : {"ff01::1", "ff01::1:5", "ff02::1:5", "ff12::1:5"}) {
    SCOPED_TRACE(group);
    round_trip(group);
  }
  auto r = socket::bind(socket_type::mcast, "ff02::1:6", 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(joined("lo", "ff02::1:6"));
  auto local = r->local_endpoint();
  ASSERT_TRUE(local) << why(local);
  EXPECT_EQ(local->addr(), "ff02::1:6%lo") << "bound with lo as the scope";
}

// --- With the veth pair -----------------------------------------------------------------------

class VethDefault : public ::testing::Test {
 protected:
  void SetUp() override { REQUIRE_VETH(); }
};

TEST_F(VethDefault, Ipv4SenderWithoutAnInterfaceFollowsTheRoute) {
  // A connected socket has v1's address as its source; without an interface the kernel sent
  // the group out of v1 then, not out of lo as "224.0.0.0/4 dev lo" says.
  auto r = socket::bind(socket_type::mcast, "239.8.8.1", 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(joined("lo", "239.8.8.1")) << "the receiver joins where the route points";
  EXPECT_FALSE(joined("v0", "239.8.8.1"));
  EXPECT_FALSE(joined("v1", "239.8.8.1"));
  auto s = socket::connect(socket_type::mcast, "239.8.8.1", r->local_endpoint()->port());
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->send("routed"));
  ASSERT_TRUE(wait_readable(*r)) << "the datagram did not go where the route sends it (lo)";
  char buf[16];
  auto got = r->recv(buf);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(std::string(buf, got->bytes), "routed");
}

/// A wildcard receiver that reports on which interface each datagram arrived (IP_PKTINFO).
class pktinfo_receiver {
 public:
  pktinfo_receiver() {
    auto r = socket::bind(socket_type::mcast, "0.0.0.0", 0);
    EXPECT_TRUE(r) << why(r);
    if (r) sock_ = std::move(*r);
    const int on = 1;
    EXPECT_EQ(setsockopt(sock_.fd(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on), 0);
  }
  int port() const { return sock_.local_endpoint() ? sock_.local_endpoint()->port() : 0; }
  /// The interface the next datagram arrived on, 0 if none arrives in time.
  unsigned next_arrival() {
    if (!wait_readable(sock_, 2000)) return 0;
    char data[16];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))];
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(sock_.fd(), &msg, 0) < 0) return 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        return static_cast<unsigned>(info.ipi_ifindex);
      }
    }
    return 0;
  }
  /// Drops whatever else arrived (a copy from the veth peer).
  void drain() {
    char data[16];
    while (wait_readable(sock_, 100)) (void)sock_.recv(data);
  }

 private:
  socket sock_;
};

TEST_F(VethDefault, LimitedBroadcastFollowsTheRouteOrTheNamedInterface) {
  pktinfo_receiver rx;
  ASSERT_GT(rx.port(), 0);
  auto routed = socket::connect(socket_type::mcast, "255.255.255.255", rx.port());
  ASSERT_TRUE(routed) << why(routed);
  ASSERT_TRUE(routed->send("b"));
  EXPECT_EQ(rx.next_arrival(), index_of("lo")) << "\"broadcast 255.255.255.255 dev lo\" ignored";
  rx.drain();
  // IP_MULTICAST_IF does nothing for broadcasts: the named interface must still be used.
  socket_options v0;
  v0.iface = "v0";
  auto named = socket::connect(socket_type::mcast, "255.255.255.255", rx.port(), v0);
  ASSERT_TRUE(named) << why(named);
  ASSERT_TRUE(named->send("b"));
  EXPECT_EQ(rx.next_arrival(), index_of("v0")) << "--iface v0 ignored for a broadcast";
}

TEST_F(VethDefault, LinkLocalGroupWithSeveralRoutesNeedsAnInterface) {
  const int before = test::fd_count();
  for (const char* group : {"ff02::1:a", "ff12::1:a"}) {
    SCOPED_TRACE(group);
    auto b = socket::bind(socket_type::mcast, group, 0);
    ASSERT_FALSE(b);
    EXPECT_TRUE(interface_needed(b.error())) << why(b);
    EXPECT_EQ(b.error().name, "EDESTADDRREQ");
    EXPECT_NE(b.error().message.find("needs an interface"), std::string::npos) << why(b);
    for (const char* dev : {"lo", "v0", "v1"}) {
      EXPECT_NE(b.error().message.find(dev), std::string::npos) << dev << " not listed: " << why(b);
    }
    auto c = socket::connect(socket_type::mcast, group, 9);
    ASSERT_FALSE(c);
    EXPECT_TRUE(interface_needed(c.error())) << why(c);
  }
  socket_options unknown;
  unknown.iface = "nosuchif0";
  auto u = socket::bind(socket_type::mcast, "ff02::1:a", 0, unknown);
  ASSERT_FALSE(u);
  EXPECT_FALSE(interface_needed(u.error())) << "an unknown interface is not a missing one";
  EXPECT_EQ(test::fd_count(), before);
}

/// An extra route for the length of a test.
class extra_route {
 public:
  explicit extra_route(std::string spec)
      : spec_(std::move(spec)), added_(ip("-6 route add " + spec_)) {}
  ~extra_route() {
    if (added_ && !ip("-6 route del " + spec_)) ADD_FAILURE() << "could not remove " << spec_;
  }
  extra_route(const extra_route&) = delete;
  extra_route& operator=(const extra_route&) = delete;
  [[nodiscard]] bool added() const { return added_; }

 private:
  std::string spec_;
  bool added_;
};

TEST_F(VethDefault, LinkLocalGroupTakesTheOneMostSpecificRoute) {
  extra_route v0_only("multicast ff02::/16 dev v0 table local");
  ASSERT_TRUE(v0_only.added());
  auto r = socket::bind(socket_type::mcast, "ff02::1:b", 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(joined("v0", "ff02::1:b")) << "not joined on v0, the only interface of the /16 route";
  EXPECT_FALSE(joined("lo", "ff02::1:b"));
  auto s = socket::connect(socket_type::mcast, "ff02::1:b", r->local_endpoint()->port());
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->send("v0"));
  EXPECT_TRUE(wait_readable(*r)) << "sent elsewhere than v0";
}

TEST_F(VethDefault, ScopedLiteralNamesTheInterface) {
  auto r = socket::bind(socket_type::mcast, "ff02::1:c%v0", 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(joined("v0", "ff02::1:c"));
  EXPECT_FALSE(joined("v1", "ff02::1:c"));
  auto s = socket::connect(socket_type::mcast, "ff02::1:c%v0", r->local_endpoint()->port());
  ASSERT_TRUE(s) << why(s);
  ASSERT_TRUE(s->send("zone"));
  EXPECT_TRUE(wait_readable(*r));
}

TEST_F(VethDefault, InterfaceLocalGroupStaysOnTheLoopback) {
  auto r = socket::bind(socket_type::mcast, "ff01::1:d", 0);
  ASSERT_TRUE(r) << why(r);
  EXPECT_TRUE(joined("lo", "ff01::1:d"));
  EXPECT_FALSE(joined("v0", "ff01::1:d"));
  EXPECT_FALSE(joined("v1", "ff01::1:d"));
  round_trip("ff01::1:e");
}

/// The device `ip route get` names for `dst` ("" if none).
std::string routed_device(const std::string& dst) {
  const std::string cmd = "env -u LD_PRELOAD ip route get " + dst;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  char line[512] = {};
  const bool got = std::fgets(line, sizeof line, p) != nullptr;
  pclose(p);
  if (!got) return "";
  std::istringstream words(line);
  for (std::string w; words >> w;) {
    if (w == "dev" && words >> w) return w;
  }
  return "";
}

TEST_F(VethDefault, WiderIpv6GroupJoinsOnTheRouteAndSendAgrees) {
  // Here the route is one of v0/v1 (metric 256 beats lo's 1024). The member joins there, and
  // hears what a sender without an interface sends.
  for (const char* group : {"ff15::8:1", "ff05::8:2"}) {
    SCOPED_TRACE(group);
    const std::string dev = routed_device(group);
    ASSERT_FALSE(dev.empty()) << "ip route get " << group << " names no device";
    auto r = socket::bind(socket_type::mcast, group, 0);
    ASSERT_TRUE(r) << why(r);
    EXPECT_TRUE(joined(dev, group)) << "not joined on " << dev << ", where the route points";
    EXPECT_FALSE(joined("lo", group));
    ASSERT_TRUE(r->close());
    round_trip(group);
  }
}

}  // namespace
}  // namespace lsock
