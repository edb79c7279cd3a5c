// classify_address: the one rule the CLI judges every address argument by, and the predicates
// and limits that go with it.
#include <gtest/gtest.h>
#include <sys/un.h>

#include <lsock/lsock.hpp>
#include <string>

namespace lsock {
namespace {

/// Readable kinds in failure messages.
std::string_view kind_name(address_kind k) {
  switch (k) {
    case address_kind::ipv4:
      return "ipv4";
    case address_kind::ipv6:
      return "ipv6";
    case address_kind::unix_path:
      return "unix path";
    case address_kind::abstract_name:
      return "abstract name";
    case address_kind::host_name:
      return "host name";
    default:
      return "malformed";
  }
}

struct kind_case {
  std::string text;
  address_kind kind;
  std::string zone_or_reason;  ///< the zone (ipv6), a part of the reason (malformed), or ""
};

class Classify : public ::testing::TestWithParam<kind_case> {};

TEST_P(Classify, GivesTheKindAndWhy) {
  const auto& c = GetParam();
  const address_class got = classify_address(c.text);
  EXPECT_EQ(kind_name(got.kind), kind_name(c.kind)) << c.text;
  if (c.kind == address_kind::malformed) {
    EXPECT_NE(got.reason.find(c.zone_or_reason), std::string::npos) << c.text << ": " << got.reason;
  } else {
    EXPECT_EQ(got.reason, "") << c.text;
    EXPECT_EQ(got.zone, c.zone_or_reason) << c.text;
  }
}

const std::string label63(63, 'a');
const std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');

INSTANTIATE_TEST_SUITE_P(
    Rule, Classify,
    ::testing::Values(
        kind_case{"127.0.0.1", address_kind::ipv4, ""},
        kind_case{"0.0.0.0", address_kind::ipv4, ""},
        kind_case{"255.255.255.255", address_kind::ipv4, ""},
        kind_case{"::1", address_kind::ipv6, ""},
        kind_case{"::ffff:127.0.0.1", address_kind::ipv6, ""},
        kind_case{"fe80::1%eth0", address_kind::ipv6, "eth0"},
        kind_case{"ff02::1%2", address_kind::ipv6, "2"},
        kind_case{"/run/x.sock", address_kind::unix_path, ""},
        kind_case{"rel/x", address_kind::unix_path, ""},
        kind_case{"@name", address_kind::abstract_name, ""},
        kind_case{"/" + std::string(106, 'p'), address_kind::unix_path, ""},
        kind_case{"@" + std::string(107, 'n'), address_kind::abstract_name, ""},
        kind_case{"localhost", address_kind::host_name, ""},
        kind_case{"host.lsock.test.", address_kind::host_name, ""},
        kind_case{"cafe", address_kind::host_name, ""},
        kind_case{"deadbeef", address_kind::host_name, ""},
        kind_case{"1.2.3.example", address_kind::host_name, ""},
        kind_case{"my_host-1", address_kind::host_name, ""},
        kind_case{name253, address_kind::host_name, ""},
        kind_case{name253 + ".", address_kind::host_name, ""},
        // Digits and dots (and inet_aton's other numeric forms) must be a full dotted quad.
        kind_case{"999.1.1.1", address_kind::malformed, "malformed IPv4 address '999.1.1.1'"},
        kind_case{"1.2.3", address_kind::malformed, "malformed IPv4"},
        kind_case{"1.2.3.4.5", address_kind::malformed, "malformed IPv4"},
        kind_case{"127.1", address_kind::malformed, "malformed IPv4"},
        kind_case{"0177.0.0.1", address_kind::malformed, "malformed IPv4"},
        kind_case{"01.2.3.4", address_kind::malformed, "malformed IPv4"},
        kind_case{"0x7f.1", address_kind::malformed, "malformed IPv4"},
        kind_case{"0x7f000001", address_kind::malformed, "malformed IPv4"},
        kind_case{"2130706433", address_kind::malformed, "malformed IPv4"},
        kind_case{"127.0.0.1.", address_kind::malformed, "malformed IPv4"},
        kind_case{"", address_kind::malformed, "empty address"},
        kind_case{std::string("a\0b", 3), address_kind::malformed, "NUL"},
        kind_case{"/" + std::string(107, 'p'), address_kind::malformed,
                  "unix domain path too long: 108 bytes (the limit is 107 bytes; sun_path holds "
                  "108 with the terminating NUL)"},
        kind_case{"@" + std::string(108, 'n'), address_kind::malformed,
                  "abstract name too long: 108 bytes after '@'"},
        kind_case{name253 + "a", address_kind::malformed, "254 characters (the limit is 253)"},
        kind_case{std::string(64, 'a') + ".org", address_kind::malformed,
                  "a label of 64 characters (the limit is 63)"},
        kind_case{"a..b", address_kind::malformed, "empty label"},
        kind_case{".a", address_kind::malformed, "empty label"},
        kind_case{"bad host", address_kind::malformed, "expected an IP address, a host name"},
        kind_case{"h\xc3\xa9llo", address_kind::malformed, "expected an IP address"},
        kind_case{"127.0.0.1:80", address_kind::malformed,
                  "give HOST and PORT as two arguments ('127.0.0.1 80')"},
        kind_case{"host.lsock.test:443", address_kind::malformed, "('host.lsock.test 443')"},
        kind_case{"[::1]:80", address_kind::malformed, "('::1 80')"},
        kind_case{"[::1]", address_kind::malformed, "without brackets ('::1')"},
        kind_case{"::1::2", address_kind::malformed, "malformed IPv6 address '::1::2'"},
        kind_case{"fe80::1%", address_kind::malformed, "empty zone"},
        kind_case{"1.2.3.4%eth0", address_kind::malformed, "expected an IP address"}));

TEST(AddressKind, PredicatesOnLiteralsAndEndpoints) {
  for (const char* yes : {"224.0.0.1", "239.255.255.255", "ff02::1", "ff05::1%lo", "ff0e::1"}) {
    EXPECT_TRUE(is_multicast_literal(yes)) << yes;
  }
  for (const char* no : {"223.255.255.255", "240.0.0.0", "127.0.0.1", "::1", "fe80::1", "localhost",
                         "/tmp/x", "", "255.255.255.255"}) {
    EXPECT_FALSE(is_multicast_literal(no)) << no;
  }
  EXPECT_TRUE(is_limited_broadcast_literal("255.255.255.255"));
  EXPECT_FALSE(is_limited_broadcast_literal("192.168.1.255"));
  EXPECT_FALSE(is_limited_broadcast_literal("::ffff:255.255.255.255"));
  endpoint ep;
  ASSERT_TRUE(parse_ip_literal("239.1.2.3", 5000, ep));
  EXPECT_TRUE(is_multicast(ep));
  EXPECT_FALSE(is_limited_broadcast(ep));
  EXPECT_FALSE(is_multicast(endpoint{}));
  auto unix_ep = resolve_endpoints("bind", "@x", 0, socket_type::udp);
  ASSERT_TRUE(unix_ep);
  EXPECT_FALSE(is_multicast((*unix_ep)[0]));
}

TEST(AddressKind, AddressPortTextBracketsIpv6AndLeavesUnixAddressesAlone) {
  EXPECT_EQ(address_port_text("127.0.0.1", 80), "127.0.0.1:80");
  EXPECT_EQ(address_port_text("::1", 80), "[::1]:80");
  EXPECT_EQ(address_port_text("fe80::1%lo", 7), "[fe80::1%lo]:7");
  EXPECT_EQ(address_port_text("name.test", 443), "name.test:443");
  EXPECT_EQ(address_port_text("/run/x.sock", 0), "/run/x.sock");
  EXPECT_EQ(address_port_text("@name", 9), "@name");
  // The same text endpoint::to_string() gives once the literal is parsed.
  endpoint ep;
  ASSERT_TRUE(parse_ip_literal("::1", 80, ep));
  EXPECT_EQ(address_port_text("::1", 80), ep.to_string());
}

TEST(AddressKind, LimitsMatchTheKernel) {
  EXPECT_EQ(max_port, 65535);
  EXPECT_EQ(max_ttl, 255);
  EXPECT_EQ(max_unix_path + 1, sizeof(sockaddr_un{}.sun_path));  // 108 on Linux
  // The longest path the rule accepts is one the core can build an endpoint from.
  const std::string longest = "/" + std::string(max_unix_path - 1, 'p');
  EXPECT_EQ(classify_address(longest).kind, address_kind::unix_path);
  EXPECT_TRUE(resolve_endpoints("bind", longest, 0, socket_type::tcp));
}

TEST(AddressKind, LuaRuleIsUnchanged) {
  // resolve_endpoints keeps lsocket's rule: the CLI's stricter one lives in classify_address.
  EXPECT_TRUE(classify_address("cafe").kind == address_kind::host_name);
  endpoint ep;
  EXPECT_FALSE(parse_ip_literal("127.1", 0, ep));
}

}  // namespace
}  // namespace lsock
