// The routing-socket parsers on made-up kernel messages (every attribute ifaces shows, the
// malformed and the surprising), and interface_table() on this machine's interfaces.
#include "detail/netlink.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "test_support.hpp"

namespace lsock {
namespace {

using namespace detail::netlink;
using bytes = std::vector<std::byte>;
using test::why;

/// Builds netlink payloads: a fixed header, then attributes, each 4-byte aligned.
struct builder {
  bytes b;
  void raw(const void* p, std::size_t n) {
    const auto* c = static_cast<const std::byte*>(p);
    b.insert(b.end(), c, c + n);
    while (b.size() % 4 != 0) b.push_back(std::byte{0});
  }
  template <class T>
  builder& fixed(const T& v) {
    raw(&v, sizeof v);
    return *this;
  }
  builder& attr(std::uint16_t type, const void* p, std::size_t n) {
    const rtattr a{static_cast<unsigned short>(sizeof(rtattr) + n), type};
    std::memcpy(grow(sizeof a), &a, sizeof a);
    raw(p, n);
    return *this;
  }
  builder& attr_str(std::uint16_t type, const std::string& s) {
    return attr(type, s.c_str(), s.size() + 1);
  }
  builder& attr_u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, sizeof v); }
  builder& attr_ip(std::uint16_t type, int af, const char* text) {
    unsigned char a[16] = {};
    EXPECT_EQ(inet_pton(af, text, a), 1) << text;
    return attr(type, a, af == AF_INET ? 4 : 16);
  }
  std::byte* grow(std::size_t n) {
    b.resize(b.size() + n);
    return b.data() + b.size() - n;
  }
};

/// One netlink message: header + payload.
bytes message_bytes(std::uint16_t type, std::uint16_t flags, std::uint32_t seq,
                    const bytes& payload) {
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + payload.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  builder m;
  m.fixed(h);
  m.b.insert(m.b.end(), payload.begin(), payload.end());
  return m.b;
}

bytes link_payload(unsigned index, unsigned flags, unsigned short type) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(index);
  ifi.ifi_flags = flags;
  ifi.ifi_type = type;
  builder p;
  p.fixed(ifi);
  const unsigned char mac[6] = {0x02, 0x00, 0x5e, 0x10, 0xab, 0xff};
  const unsigned char brd[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const unsigned char oper = 6;  // IF_OPER_UP
  p.attr_str(IFLA_IFNAME, "eth7").attr_u32(IFLA_MTU, 9000).attr(IFLA_OPERSTATE, &oper, 1);
  p.attr(IFLA_ADDRESS, mac, 6).attr(IFLA_BROADCAST, brd, 6).attr_u32(IFLA_LINK, 3);
  p.attr_str(IFLA_QDISC, "fq_codel").attr_u32(IFLA_TXQLEN, 500).attr_u32(IFLA_MASTER, 9);
  return p.b;
}

TEST(NetlinkParse, LinkCarriesEveryField) {
  link_message l;
  const unsigned flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST | (1U << 16);
  ASSERT_TRUE(parse_link(link_payload(7, flags, ARPHRD_ETHER), l));
  EXPECT_EQ(l.info.name, "eth7");
  EXPECT_EQ(l.info.index, 7u);
  EXPECT_EQ(l.info.mtu, 9000u);
  EXPECT_EQ(l.info.operstate, "UP");
  EXPECT_EQ(l.info.link_type, "ether");
  EXPECT_EQ(l.info.address, "02:00:5e:10:ab:ff");
  EXPECT_EQ(l.info.broadcast, "ff:ff:ff:ff:ff:ff");
  EXPECT_EQ(l.info.qdisc, "fq_codel");
  EXPECT_EQ(l.info.txqlen, 500u);
  EXPECT_EQ(l.link_index, 3u);
  EXPECT_EQ(l.master_index, 9u);
  EXPECT_FALSE(l.link_elsewhere);
  EXPECT_EQ(l.flag_bits, flags);
}

TEST(NetlinkParse, LinkWithoutNameOrTooShortIsRejected) {
  link_message l;
  EXPECT_FALSE(parse_link({}, l));
  ifinfomsg ifi{};
  ifi.ifi_index = 4;
  builder p;
  p.fixed(ifi);
  EXPECT_FALSE(parse_link(p.b, l)) << "no IFLA_IFNAME";
  // An attribute claiming more bytes than there are ends the walk, not the process.
  bytes bad = link_payload(4, 0, ARPHRD_ETHER);
  rtattr huge{0xfff0, IFLA_IFNAME};
  std::memcpy(bad.data() + NLMSG_ALIGN(sizeof(ifinfomsg)), &huge, sizeof huge);
  EXPECT_FALSE(parse_link(bad, l));
}

TEST(NetlinkParse, LinkFlagNamesFollowIp) {
  using v = std::vector<std::string>;
  EXPECT_EQ(link_flag_names(IFF_LOOPBACK | IFF_UP | IFF_RUNNING | (1U << 16), false),
            (v{"LOOPBACK", "UP", "LOWER_UP"}));
  // Up without RUNNING: no carrier; M-DOWN comes last.
  EXPECT_EQ(link_flag_names(IFF_UP | IFF_BROADCAST | IFF_MULTICAST, true),
            (v{"NO-CARRIER", "BROADCAST", "MULTICAST", "UP", "M-DOWN"}));
  EXPECT_EQ(link_flag_names(IFF_POINTOPOINT | IFF_NOARP | IFF_PROMISC | IFF_ALLMULTI, false),
            (v{"POINTOPOINT", "NOARP", "ALLMULTI", "PROMISC"}));
  EXPECT_EQ(link_flag_names(IFF_UP | IFF_RUNNING | (1U << 17) | (1U << 18), false),
            (v{"UP", "DORMANT", "ECHO"}));
  EXPECT_EQ(link_flag_names(IFF_MASTER | IFF_SLAVE | IFF_DEBUG | IFF_DYNAMIC, false),
            (v{"MASTER", "SLAVE", "DEBUG", "DYNAMIC"}));
  EXPECT_EQ(link_flag_names(1U << 20, false), (v{"100000"}));  // unknown bits, in hex like ip
}

TEST(NetlinkParse, NamesForStatesScopesTypesAndTunnelAddresses) {
  EXPECT_EQ(operstate_name(0), "UNKNOWN");
  EXPECT_EQ(operstate_name(2), "DOWN");
  EXPECT_EQ(operstate_name(3), "LOWERLAYERDOWN");
  EXPECT_EQ(operstate_name(5), "DORMANT");
  EXPECT_EQ(operstate_name(42), "42");
  EXPECT_EQ(scope_name(RT_SCOPE_UNIVERSE), "global");
  EXPECT_EQ(scope_name(RT_SCOPE_LINK), "link");
  EXPECT_EQ(scope_name(RT_SCOPE_HOST), "host");
  EXPECT_EQ(scope_name(RT_SCOPE_SITE), "site");
  EXPECT_EQ(scope_name(17), "17");
  EXPECT_EQ(link_type_name(ARPHRD_LOOPBACK), "loopback");
  EXPECT_EQ(link_type_name(ARPHRD_NONE), "none");
  EXPECT_EQ(link_type_name(ARPHRD_SIT), "sit");
  EXPECT_EQ(link_type_name(4242), "[4242]");
  const std::byte v4[4] = {std::byte{10}, std::byte{0}, std::byte{0}, std::byte{1}};
  EXPECT_EQ(link_address_text(ARPHRD_SIT, v4), "10.0.0.1");  // tunnels show IP endpoints
  EXPECT_EQ(link_address_text(ARPHRD_ETHER, v4), "0a:00:00:01");
  EXPECT_EQ(link_address_text(ARPHRD_ETHER, {}), "");
}

bytes address_payload(int af, unsigned char prefix, unsigned char scope, unsigned index,
                      builder attrs) {
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<unsigned char>(af);
  ifa.ifa_prefixlen = prefix;
  ifa.ifa_scope = scope;
  ifa.ifa_index = index;
  ifa.ifa_flags = IFA_F_PERMANENT;
  builder p;
  p.fixed(ifa);
  p.b.insert(p.b.end(), attrs.b.begin(), attrs.b.end());
  return p.b;
}

TEST(NetlinkParse, PointToPointAddressHasAPeerNotABroadcast) {
  builder a;
  a.attr_ip(IFA_ADDRESS, AF_INET, "10.88.0.2").attr_ip(IFA_LOCAL, AF_INET, "10.88.0.1");
  a.attr_str(IFA_LABEL, "v0");
  address_message m;
  ASSERT_TRUE(parse_address(address_payload(AF_INET, 32, RT_SCOPE_UNIVERSE, 3, a), m));
  EXPECT_EQ(m.index, 3u);
  EXPECT_EQ(m.info.family, family::inet);
  EXPECT_EQ(m.info.addr, "10.88.0.1");
  EXPECT_EQ(m.info.peer, "10.88.0.2");
  EXPECT_EQ(m.info.broadcast, "");
  EXPECT_EQ(m.info.mask, "255.255.255.255");
  EXPECT_EQ(m.info.label, "v0");
  EXPECT_EQ(m.info.scope, "global");
  EXPECT_EQ(m.info.scope_id, 0u);
  EXPECT_TRUE(m.info.flags.empty()) << "permanent addresses have no flag";
  EXPECT_FALSE(m.info.valid_lft);  // no IFA_CACHEINFO: forever
}

TEST(NetlinkParse, LabelBroadcastAndSecondary) {
  builder a;
  a.attr_ip(IFA_ADDRESS, AF_INET, "10.77.1.1").attr_ip(IFA_LOCAL, AF_INET, "10.77.1.1");
  a.attr_ip(IFA_BROADCAST, AF_INET, "10.77.1.255").attr_str(IFA_LABEL, "v0:alias");
  a.attr_u32(IFA_FLAGS, IFA_F_PERMANENT | IFA_F_SECONDARY);
  address_message m;
  ASSERT_TRUE(parse_address(address_payload(AF_INET, 24, RT_SCOPE_UNIVERSE, 3, a), m));
  EXPECT_EQ(m.info.addr, "10.77.1.1");
  EXPECT_EQ(m.info.peer, "");
  EXPECT_EQ(m.info.broadcast, "10.77.1.255");
  EXPECT_EQ(m.info.label, "v0:alias");
  EXPECT_EQ(m.info.mask, "255.255.255.0");
  EXPECT_EQ(m.info.flags, std::vector<std::string>{"secondary"});
}

TEST(NetlinkParse, LinkLocalIpv6HasAZoneAndLifetimes) {
  builder a;
  a.attr_ip(IFA_ADDRESS, AF_INET6, "fe80::1");
  ifa_cacheinfo ci{};
  ci.ifa_prefered = 1800;
  ci.ifa_valid = 0xFFFFFFFFU;
  a.attr(IFA_CACHEINFO, &ci, sizeof ci);
  // IFA_FLAGS replaces the 8-bit ifa_flags: not permanent ("dynamic"), temporary, no DAD,
  // and a bit ip has no name for.
  a.attr_u32(IFA_FLAGS, IFA_F_SECONDARY | IFA_F_NODAD | IFA_F_TENTATIVE | 0x10000U);
  address_message m;
  ASSERT_TRUE(parse_address(address_payload(AF_INET6, 64, RT_SCOPE_LINK, 5, a), m));
  EXPECT_EQ(m.info.family, family::inet6);
  EXPECT_EQ(m.info.addr, "fe80::1");
  EXPECT_EQ(m.info.scope, "link");
  EXPECT_EQ(m.info.scope_id, 5u);
  EXPECT_EQ(m.info.mask, "ffff:ffff:ffff:ffff::");
  EXPECT_EQ(m.info.label, "");
  ASSERT_TRUE(m.info.preferred_lft);
  EXPECT_EQ(*m.info.preferred_lft, 1800u);
  EXPECT_FALSE(m.info.valid_lft) << "0xffffffff is forever";
  EXPECT_EQ(m.info.flags,
            (std::vector<std::string>{"temporary", "nodad", "tentative", "dynamic", "10000"}));
}

TEST(NetlinkParse, OtherFamiliesAndBrokenAddressesAreSkipped) {
  address_message m;
  EXPECT_FALSE(parse_address(address_payload(AF_PACKET, 0, 0, 3, builder{}), m));
  EXPECT_FALSE(parse_address(address_payload(AF_INET, 24, 0, 3, builder{}), m)) << "no address";
  builder shorty;
  const unsigned char two[2] = {10, 1};
  shorty.attr(IFA_ADDRESS, two, 2);
  EXPECT_FALSE(parse_address(address_payload(AF_INET, 24, 0, 3, shorty), m));
  EXPECT_FALSE(parse_address({}, m));
  // A prefix longer than the family allows is clamped, not trusted.
  builder a;
  a.attr_ip(IFA_ADDRESS, AF_INET, "10.0.0.1");
  ASSERT_TRUE(parse_address(address_payload(AF_INET, 200, 0, 3, a), m));
  EXPECT_EQ(m.info.prefixlen, 32);
}

TEST(NetlinkWalk, DoneErrorsInterruptionsAndStrangers) {
  std::vector<std::uint16_t> seen;
  auto on = [&](const message& m) { seen.push_back(m.type); };
  bytes d = message_bytes(RTM_NEWLINK, NLM_F_MULTI, 9, link_payload(1, 0, ARPHRD_LOOPBACK));
  const bytes stranger = message_bytes(RTM_NEWLINK, NLM_F_MULTI, 8, {});
  d.insert(d.end(), stranger.begin(), stranger.end());
  auto c = walk(d, 9, on);
  ASSERT_TRUE(c) << why(c);
  EXPECT_FALSE(c->done);
  EXPECT_FALSE(c->interrupted);
  EXPECT_EQ(seen, std::vector<std::uint16_t>{RTM_NEWLINK}) << "another sequence is not ours";

  const int zero = 0;
  builder done;
  done.fixed(zero);
  bytes intr = message_bytes(RTM_NEWADDR, NLM_F_MULTI | NLM_F_DUMP_INTR, 9, {});
  const bytes end = message_bytes(NLMSG_DONE, NLM_F_MULTI, 9, done.b);
  intr.insert(intr.end(), end.begin(), end.end());
  c = walk(intr, 9, on);
  ASSERT_TRUE(c) << why(c);
  EXPECT_TRUE(c->done);
  EXPECT_TRUE(c->interrupted);

  nlmsgerr e{};
  e.error = -EPERM;
  builder err;
  err.fixed(e);
  c = walk(message_bytes(NLMSG_ERROR, 0, 9, err.b), 9, on);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().op, "netlink");
  EXPECT_EQ(c.error().name, "EPERM");
  // A dump the kernel ended with an error says so in NLMSG_DONE.
  const int nobufs = -ENOBUFS;
  builder done_err;
  done_err.fixed(nobufs);
  c = walk(message_bytes(NLMSG_DONE, NLM_F_MULTI, 9, done_err.b), 9, on);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().name, "ENOBUFS");
}

TEST(NetlinkWalk, MalformedDatagramsAreErrorsNotCrashes) {
  auto on = [](const message&) {};
  bytes d = message_bytes(RTM_NEWLINK, 0, 1, link_payload(1, 0, ARPHRD_ETHER));
  nlmsghdr h{};
  std::memcpy(&h, d.data(), sizeof h);
  h.nlmsg_len = static_cast<std::uint32_t>(d.size() + 100);  // longer than the datagram
  std::memcpy(d.data(), &h, sizeof h);
  auto c = walk(d, 1, on);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().name, "EPROTO");
  h.nlmsg_len = 4;  // shorter than its own header
  std::memcpy(d.data(), &h, sizeof h);
  EXPECT_FALSE(walk(d, 1, on));
  // Fewer bytes than a header: nothing to walk.
  const bytes tiny(7, std::byte{0});
  auto t = walk(tiny, 1, on);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->done);
}

// Random damage to a valid dump: every outcome is an error or values within their ranges, and
// (under the asan preset) no read outside the datagram.
TEST(NetlinkParse, DamagedDatagramsGiveErrorsOrSaneValues) {
  builder a;
  a.attr_ip(IFA_ADDRESS, AF_INET6, "fe80::1").attr_u32(IFA_FLAGS, IFA_F_NODAD);
  bytes good = message_bytes(RTM_NEWLINK, NLM_F_MULTI, 5, link_payload(2, IFF_UP, ARPHRD_ETHER));
  const bytes addr =
      message_bytes(RTM_NEWADDR, NLM_F_MULTI, 5, address_payload(AF_INET6, 64, 253, 2, a));
  good.insert(good.end(), addr.begin(), addr.end());
  std::mt19937 rng(20261202);
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    bytes d = good;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      d[rng() % d.size()] = static_cast<std::byte>(rng() & 0xff);
    }
    if (rng() % 4 == 0) d.resize(rng() % d.size());
    auto c = walk(d, 5, [&](const message& m) {
      link_message l;
      address_message am;
      if (parse_link(m.payload, l)) {
        ++parsed;
        EXPECT_FALSE(l.info.name.empty());
        EXPECT_LE(l.info.name.size(), m.payload.size());
      }
      if (parse_address(m.payload, am)) {
        ++parsed;
        unsigned char buf[16];
        const int af = am.info.family == family::inet ? AF_INET : AF_INET6;
        EXPECT_EQ(inet_pton(af, am.info.addr.c_str(), buf), 1) << am.info.addr;
        EXPECT_LE(am.info.prefixlen, af == AF_INET ? 32 : 128);
        EXPECT_FALSE(am.info.scope.empty());
      }
    });
    if (!c) {
      EXPECT_FALSE(c.error().message.empty());
    }
  }
  EXPECT_GT(parsed, 1000) << "the damage should leave many messages readable";
}

// ---- the real table --------------------------------------------------------------------------

TEST(InterfaceTable, LoopbackAsIpShowsIt) {
  auto table = interface_table();
  ASSERT_TRUE(table) << why(table);
  auto lo = std::find_if(table->begin(), table->end(),
                         [](const interface_info& i) { return i.name == "lo"; });
  ASSERT_NE(lo, table->end());
  EXPECT_EQ(lo->index, if_nametoindex("lo"));
  EXPECT_EQ(lo->link_type, "loopback");
  EXPECT_GT(lo->mtu, 0u);
  EXPECT_FALSE(lo->operstate.empty());
  EXPECT_NE(std::find(lo->flags.begin(), lo->flags.end(), "LOOPBACK"), lo->flags.end());
  EXPECT_NE(std::find(lo->flags.begin(), lo->flags.end(), "UP"), lo->flags.end());
  auto v4 = std::find_if(lo->addresses.begin(), lo->addresses.end(),
                         [](const address_info& a) { return a.addr == "127.0.0.1"; });
  ASSERT_NE(v4, lo->addresses.end());
  EXPECT_EQ(v4->scope, "host");
  EXPECT_EQ(v4->prefixlen, 8);
  EXPECT_EQ(v4->mask, "255.0.0.0");
  EXPECT_EQ(v4->label, "lo");
  EXPECT_EQ(v4->peer, "");
}

// Every address getifaddrs() knows is in the table, under the interface with that index
// (a labelled address under its interface, not under its label).
TEST(InterfaceTable, AgreesWithGetifaddrs) {
  auto table = interface_table();
  auto flat = interfaces();
  ASSERT_TRUE(table) << why(table);
  ASSERT_TRUE(flat) << why(flat);
  for (const auto& rec : *flat) {
    SCOPED_TRACE(rec.name + " " + rec.addr);
    auto i = std::find_if(table->begin(), table->end(),
                          [&](const interface_info& t) { return t.index == rec.index; });
    ASSERT_NE(i, table->end());
    auto a = std::find_if(i->addresses.begin(), i->addresses.end(),
                          [&](const address_info& x) { return x.addr == rec.addr; });
    ASSERT_NE(a, i->addresses.end());
    EXPECT_EQ(a->prefixlen, rec.prefixlen);
    EXPECT_EQ(a->family, rec.family);
    if (rec.family == family::inet) {
      EXPECT_EQ(a->label, rec.name);
    }
  }
}

TEST(InterfaceTable, ManyCallsLeakNoDescriptors) {
  ASSERT_TRUE(interface_table());
  const int before = test::fd_count();
  for (int i = 0; i < 2000; ++i) {
    auto t = interface_table();
    ASSERT_TRUE(t) << i << ": " << why(t);
    ASSERT_FALSE(t->empty());
  }
  EXPECT_EQ(test::fd_count(), before);
}

}  // namespace
}  // namespace lsock
