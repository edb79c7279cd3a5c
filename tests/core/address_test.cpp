// Address parsing as lsocket does it: IP literals (no DNS), hostnames, unix paths, abstract
// names with their exact length, ports checked and never wrapped.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "detail/sockaddr.hpp"  // the raw sockaddr an endpoint holds
#include "test_support.hpp"

namespace lsock {
namespace {

using test::why;

/// A test-name-safe version of `s` for parameterized tests.
std::string param_name(std::string s) {
  std::string out;
  for (const char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out.empty() ? std::string("empty") : out.substr(0, 60);
}

// --- Good addresses --------------------------------------------------------------------------

struct good_case {
  const char* label;
  std::string input;
  int port;
  family fam;
  std::string addr;  ///< what endpoint::addr() reads back
  int expect_port;
};

class AddressGood : public ::testing::TestWithParam<good_case> {};

TEST_P(AddressGood, ParsesToOneEndpoint) {
  const auto& c = GetParam();
  for (const socket_type t : {socket_type::tcp, socket_type::udp, socket_type::mcast}) {
    auto eps = resolve_endpoints("bind", c.input, c.port, t);
    ASSERT_TRUE(eps) << c.input << ": " << why(eps);
    ASSERT_EQ(eps->size(), 1u) << c.input;
    const endpoint& ep = (*eps)[0];
    EXPECT_EQ(ep.family(), c.fam) << c.input;
    EXPECT_EQ(ep.addr(), c.addr) << c.input;
    EXPECT_EQ(ep.port(), c.expect_port) << c.input;
  }
}

const std::string long_path = "/" + std::string(max_unix_path - 1, 'p');  // 107 bytes
const std::string long_abstract = "@" + std::string(max_unix_path, 'a');  // 107-byte name

INSTANTIATE_TEST_SUITE_P(
    Table, AddressGood,
    ::testing::Values(
        good_case{"v4_loopback", "127.0.0.1", 80, family::inet, "127.0.0.1", 80},
        good_case{"v4_loopback_net", "127.1.2.3", 1, family::inet, "127.1.2.3", 1},
        good_case{"v4_any_port0", "0.0.0.0", 0, family::inet, "0.0.0.0", 0},
        good_case{"v4_broadcast", "255.255.255.255", 65535, family::inet, "255.255.255.255", 65535},
        good_case{"v4_group", "239.1.2.3", 5000, family::inet, "239.1.2.3", 5000},
        good_case{"v6_loopback", "::1", 65535, family::inet6, "::1", 65535},
        good_case{"v6_any", "::", 0, family::inet6, "::", 0},
        good_case{"v6_any_long", "::0", 1, family::inet6, "::", 1},
        good_case{"v6_full_form", "0:0:0:0:0:0:0:1", 7, family::inet6, "::1", 7},
        good_case{"v6_mapped_v4", "::ffff:127.0.0.1", 5, family::inet6, "::ffff:127.0.0.1", 5},
        good_case{"v6_group", "ff15::1:3", 9, family::inet6, "ff15::1:3", 9},
        good_case{"v6_scoped_by_name", "fe80::1%lo", 7, family::inet6, "fe80::1%lo", 7},
        good_case{"unix_abs_path", "/tmp/x.sock", 0, family::unix_domain, "/tmp/x.sock", 0},
        good_case{"unix_path_ignores_port", "/tmp/x.sock", 99, family::unix_domain, "/tmp/x.sock",
                  0},
        good_case{"unix_path_ignores_bad_port", "/tmp/x.sock", -1, family::unix_domain,
                  "/tmp/x.sock", 0},
        good_case{"unix_relative", "rel/x.sock", 0, family::unix_domain, "rel/x.sock", 0},
        good_case{"unix_dot_relative", "./x.sock", 0, family::unix_domain, "./x.sock", 0},
        good_case{"unix_longest_path", long_path, 0, family::unix_domain, long_path, 0},
        good_case{"abstract", "@abstract", 0, family::unix_domain, "@abstract", 0},
        good_case{"abstract_with_slash", "@a/b c", 0, family::unix_domain, "@a/b c", 0},
        good_case{"abstract_ignores_port", "@p", 70000, family::unix_domain, "@p", 0},
        good_case{"abstract_longest", long_abstract, 0, family::unix_domain, long_abstract, 0}),
    [](const auto& tp) { return std::string(tp.param.label); });

TEST(Address, ScopedIpv6LiteralCarriesTheInterfaceIndex) {
  auto eps = resolve_endpoints("connect", "fe80::1%lo", 7, socket_type::udp);
  ASSERT_TRUE(eps) << why(eps);
  ASSERT_EQ(eps->size(), 1u);
  const auto* in6 = static_cast<const sockaddr_in6*>(detail::storage((*eps)[0]));
  EXPECT_EQ(in6->sin6_scope_id, if_nametoindex("lo"));
  EXPECT_EQ((*eps)[0].size(), sizeof(sockaddr_in6));
}

TEST(Address, LocalhostResolvesToLoopbackWithThePort) {
  auto eps = resolve_endpoints("connect", "localhost", 8080, socket_type::tcp);
  ASSERT_TRUE(eps) << why(eps);
  ASSERT_FALSE(eps->empty());
  for (const auto& ep : *eps) {
    EXPECT_TRUE(ep.addr() == "127.0.0.1" || ep.addr() == "::1") << ep.addr();
    EXPECT_EQ(ep.port(), 8080);
  }
}

TEST(Address, FamilyPreferenceFiltersHostnames) {
  auto v4 = resolve_endpoints("connect", "localhost", 1, socket_type::tcp, family_preference::inet);
  ASSERT_TRUE(v4) << why(v4);
  ASSERT_FALSE(v4->empty());
  for (const auto& ep : *v4) EXPECT_EQ(ep.family(), family::inet) << ep.addr();
  auto v6 =
      resolve_endpoints("connect", "localhost", 1, socket_type::tcp, family_preference::inet6);
  if (v6) {
    // Only when the resolver has an IPv6 localhost (this machine's /etc/hosts may not).
    for (const auto& ep : *v6) EXPECT_EQ(ep.family(), family::inet6) << ep.addr();
  } else {
    EXPECT_EQ(v6.error().domain, error_domain::resolver) << why(v6);
  }
}

// --- Bad addresses ---------------------------------------------------------------------------

struct bad_case {
  const char* label;
  std::string input;
  int port;
  const char* name;     ///< expected error name; "" = any, "EAI_" = any resolver code
  const char* message;  ///< expected message; "" = any non-empty
};

class AddressBad : public ::testing::TestWithParam<bad_case> {};

TEST_P(AddressBad, IsAClearError) {
  const auto& c = GetParam();
  for (const socket_type t : {socket_type::tcp, socket_type::udp}) {
    auto eps = resolve_endpoints("test-op", c.input, c.port, t);
    ASSERT_FALSE(eps) << c.input << " port " << c.port << " gave "
                      << (eps->empty() ? std::string("nothing") : (*eps)[0].to_string());
    const error& e = eps.error();
    EXPECT_EQ(e.op, "test-op");
    EXPECT_FALSE(e.message.empty());
    EXPECT_FALSE(e.name.empty());
    const std::string want = c.name;
    if (want == "EAI_") {
      EXPECT_EQ(e.domain, error_domain::resolver) << e.describe();
      EXPECT_EQ(e.name.rfind("EAI_", 0), 0u) << e.name;
    } else if (!want.empty()) {
      EXPECT_EQ(e.name, want) << e.describe();
    }
    if (*c.message != '\0') {
      EXPECT_EQ(e.message, c.message);
    }
  }
}

const std::string too_long_path = "/" + std::string(max_unix_path, 'p');          // 108 bytes
const std::string too_long_abstract = "@" + std::string(max_unix_path + 1, 'a');  // 108-byte name

INSTANTIATE_TEST_SUITE_P(
    Table, AddressBad,
    ::testing::Values(bad_case{"port_minus_1", "127.0.0.1", -1, "EINVAL", ""},
                      bad_case{"port_65536", "127.0.0.1", 65536, "EINVAL", ""},
                      bad_case{"port_70000", "127.0.0.1", 70000, "EINVAL", ""},
                      bad_case{"port_65536_plus_80", "127.0.0.1", 65536 + 80, "EINVAL", ""},
                      bad_case{"port_int_max", "127.0.0.1", INT_MAX, "EINVAL", ""},
                      bad_case{"port_int_min", "127.0.0.1", INT_MIN, "EINVAL", ""},
                      bad_case{"v6_port_65536", "::1", 65536, "EINVAL", ""},
                      bad_case{"v6_port_minus_1", "::1", -1, "EINVAL", ""},
                      bad_case{"name_port_70000", "localhost", 70000, "EINVAL", ""},
                      bad_case{"empty", "", 80, "", ""},
                      bad_case{"unix_path_too_long", too_long_path, 0, "ENAMETOOLONG",
                               "unix domain path too long"},
                      bad_case{"abstract_too_long", too_long_abstract, 0, "ENAMETOOLONG",
                               "unix domain path too long"},
                      bad_case{"unknown_host", test::unresolvable_host, 80, "EAI_", ""},
                      bad_case{"unknown_scope", "fe80::1%nosuchif0", 1, "ENODEV",
                               "no such interface: nosuchif0"},
                      bad_case{"embedded_nul", std::string("local\0host", 10), 80, "", ""},
                      bad_case{"path_embedded_nul", std::string("/tmp/a\0b", 8), 0, "", ""}),
    [](const auto& tp) { return std::string(tp.param.label); });

TEST(Address, PortsAreCheckedAndNeverWrapped) {
  // 65536 + 80 must not silently become 80, as it did in the original.
  for (const long long bad : {-1LL, 65536LL, 65536LL + 80, 70000LL, LLONG_MIN, LLONG_MAX,
                              static_cast<long long>(INT_MAX) + 1}) {
    auto r = check_port("bind", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().name, "EINVAL") << bad;
    EXPECT_EQ(r.error().code, EINVAL) << bad;
    EXPECT_EQ(r.error().op, "bind");
    EXPECT_EQ(r.error().domain, error_domain::library);
    EXPECT_NE(r.error().message.find("out of range"), std::string::npos) << r.error().message;
  }
  for (const long long good : {0LL, 1LL, 80LL, 65535LL}) EXPECT_TRUE(check_port("bind", good));
}

TEST(Address, TooLongUnixPathIsENAMETOOLONG) {
  auto eps = resolve_endpoints("bind", too_long_path, 0, socket_type::tcp);
  ASSERT_FALSE(eps);
  EXPECT_EQ(eps.error().message, "unix domain path too long");
  EXPECT_EQ(eps.error().name, "ENAMETOOLONG");
  EXPECT_EQ(eps.error().code, ENAMETOOLONG);
  EXPECT_EQ(eps.error().describe(), "bind: unix domain path too long");
}

// --- Abstract names: exact length (the original counted a trailing NUL) ----------------------

class AbstractLength : public ::testing::TestWithParam<std::size_t> {};

TEST_P(AbstractLength, IsFamilyPlusNulPlusName) {
  const std::string name(GetParam(), 'n');
  auto eps = resolve_endpoints("bind", "@" + name, 0, socket_type::udp);
  ASSERT_TRUE(eps) << why(eps);
  const endpoint& ep = (*eps)[0];
  EXPECT_EQ(ep.size(), sizeof(sa_family_t) + 1 + name.size());
  const auto* un = static_cast<const sockaddr_un*>(detail::storage(ep));
  EXPECT_EQ(un->sun_family, AF_UNIX);
  EXPECT_EQ(un->sun_path[0], '\0');
  EXPECT_EQ(std::string(un->sun_path + 1, name.size()), name);
  EXPECT_EQ(ep.addr(), "@" + name);
  EXPECT_EQ(ep.to_string(), "@" + name);
}

INSTANTIATE_TEST_SUITE_P(Sizes, AbstractLength, ::testing::Values(1, 4, 5, 50, max_unix_path));

TEST(Address, UnixPathEndpointHoldsThePath) {
  auto eps = resolve_endpoints("bind", "/x/y", 0, socket_type::tcp);
  ASSERT_TRUE(eps) << why(eps);
  const endpoint& ep = (*eps)[0];
  const auto* un = static_cast<const sockaddr_un*>(detail::storage(ep));
  EXPECT_EQ(un->sun_family, AF_UNIX);
  EXPECT_STREQ(un->sun_path, "/x/y");
  // The kernel accepts the path with or without its terminating NUL.
  EXPECT_GE(ep.size(), offsetof(sockaddr_un, sun_path) + 4);
  EXPECT_LE(ep.size(), offsetof(sockaddr_un, sun_path) + 5);
}

// --- Hex-only names are hostnames, not literals (the original never looked them up) ----------

class HexName : public ::testing::TestWithParam<const char*> {};

TEST_P(HexName, IsNotALiteral) {
  const char* name = GetParam();
  endpoint ep;
  EXPECT_FALSE(parse_ip_literal(name, 80, ep)) << name;
}

TEST_P(HexName, GoesToTheResolver) {
  const char* name = GetParam();
  auto eps = resolve_endpoints("connect", name, 1, socket_type::tcp);
  if (eps) {
    // The resolver knew it: whatever it gave, it is a real lookup result.
    for (const auto& ep : *eps) {
      EXPECT_TRUE(ep.family() == family::inet || ep.family() == family::inet6);
      EXPECT_EQ(ep.port(), 1);
    }
  } else {
    // Never "bad address" from libcore's own parser: the name was asked for.
    EXPECT_EQ(eps.error().domain, error_domain::resolver) << name << ": " << why(eps);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Names, HexName,
    ::testing::Values("cafe", "deadbeef", "abc.example",
                      // hex-only, and rejected before any DNS query:
                      "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
                      "deadbeef.cafe"),
    [](const auto& tp) { return param_name(tp.param); });

// --- parse_ip_literal -------------------------------------------------------------------------

TEST(Address, ParseIpLiteral) {
  endpoint ep;
  ASSERT_TRUE(parse_ip_literal("127.0.0.1", 80, ep));
  EXPECT_EQ(ep.family(), family::inet);
  EXPECT_EQ(ep.to_string(), "127.0.0.1:80");
  ASSERT_TRUE(parse_ip_literal("::1", 443, ep));
  EXPECT_EQ(ep.family(), family::inet6);
  EXPECT_EQ(ep.to_string(), "[::1]:443");
  for (const char* no : {"", "localhost", "/tmp/x", "@x", "1.2.3", "127.0.0.1 ", "::1::2",
                         "fe80::1%lo", "256.0.0.1"}) {
    EXPECT_FALSE(parse_ip_literal(no, 1, ep)) << no;
  }
  const std::string huge(4096, '1');
  EXPECT_FALSE(parse_ip_literal(huge, 1, ep));
  // inet_pton stops at a NUL; the literal must not (found by fuzz_address).
  using namespace std::string_literals;
  for (const std::string& nul : {"127.0.0.1\0junk"s, "::ffff\0\0\0\x15.0.0.0"s, "::1\0"s}) {
    EXPECT_FALSE(parse_ip_literal(nul, 1, ep)) << nul.size();
  }
}

// IPv4 literals are parsed and formatted by hand (no inet_pton / inet_ntop per sendto and
// recvfrom): the same grammar and the same text as those, octet by octet.
TEST(Address, Ipv4LiteralsAsInetPtonAndNtop) {
  endpoint ep;
  for (unsigned v = 0; v <= 300; ++v) {
    for (const char* fmt : {"%u.0.0.1", "1.%u.2.3", "1.2.%u.3", "9.8.7.%u", "%03u.1.1.1"}) {
      char text[32];
      std::snprintf(text, sizeof text, fmt, v);
      in_addr ref{};
      const bool ok = inet_pton(AF_INET, text, &ref) == 1;
      ASSERT_EQ(parse_ip_literal(text, 9, ep), ok) << text;
      if (!ok) continue;
      EXPECT_EQ(
          std::memcmp(&static_cast<const sockaddr_in*>(detail::storage(ep))->sin_addr, &ref, 4), 0)
          << text;
      char back[INET_ADDRSTRLEN];
      ASSERT_NE(inet_ntop(AF_INET, &ref, back, sizeof back), nullptr);
      EXPECT_EQ(ep.addr(), back) << text;
    }
  }
  for (const char* no : {"1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.00",
                         "1.2.3.-4", "1.2.3.4a", "1.2.3.1000", "a.b.c.d", "1.2.3.4/8"}) {
    EXPECT_FALSE(parse_ip_literal(no, 1, ep)) << no;
  }
}

// --- Classification and text ------------------------------------------------------------------

TEST(Address, UnixDetection) {
  for (const char* yes : {"/run/x", "rel/x", "./x", "@x", "@", "a/"}) {
    EXPECT_TRUE(is_unix_address(yes)) << yes;
  }
  for (const char* no : {"127.0.0.1", "::1", "localhost", "x@y", "", "fe80::1%lo"}) {
    EXPECT_FALSE(is_unix_address(no)) << no;
  }
}

TEST(Address, EndpointText) {
  auto v4 = resolve_endpoints("t", "127.0.0.1", 80, socket_type::tcp);
  ASSERT_TRUE(v4);
  EXPECT_EQ((*v4)[0].to_string(), "127.0.0.1:80");
  auto v6 = resolve_endpoints("t", "::1", 443, socket_type::tcp);
  ASSERT_TRUE(v6);
  EXPECT_EQ((*v6)[0].to_string(), "[::1]:443");
  auto path = resolve_endpoints("t", "/run/x.sock", 0, socket_type::tcp);
  ASSERT_TRUE(path);
  EXPECT_EQ((*path)[0].to_string(), "/run/x.sock");
  EXPECT_EQ((*path)[0].port(), 0);
}

TEST(Address, IpTextIsAddrWithoutAllocating) {
  // What recvfrom's caller pushes for every datagram: the same text as addr(), NUL-terminated,
  // for both families and a scoped address; nothing for a unix or an empty endpoint.
  char text[ip_text_capacity];
  for (const char* in :
       {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.200.3.40", "::1", "::", "fe80::1%lo",
        "2001:db8::ffff:1.2.3.4", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    auto eps = resolve_endpoints("t", in, 7, socket_type::udp);
    ASSERT_TRUE(eps) << in << ": " << why(eps);
    const endpoint& ep = (*eps)[0];
    const std::size_t n = ep.ip_text(text);
    EXPECT_EQ(std::string(text, n), ep.addr()) << in;
    EXPECT_EQ(text[n], '\0') << in;
  }
  auto path = resolve_endpoints("t", "/run/x.sock", 0, socket_type::udp);
  ASSERT_TRUE(path);
  EXPECT_EQ((*path)[0].ip_text(text), 0u);
  EXPECT_EQ(endpoint{}.ip_text(text), 0u);
}

TEST(Address, DefaultAndUnnamedEndpoints) {
  const endpoint none;
  EXPECT_EQ(none.family(), family::unspec);
  EXPECT_EQ(none.addr(), "");
  EXPECT_EQ(none.port(), 0);
  EXPECT_EQ(none.size(), 0u);
  EXPECT_GE(detail::endpoint_capacity, sizeof(sockaddr_storage));

  // An unnamed unix socket (what accept() reports for an unbound client): just the family.
  endpoint unnamed;
  static_cast<sockaddr_un*>(detail::storage(unnamed))->sun_family = AF_UNIX;
  detail::set_size(unnamed, sizeof(sa_family_t));
  EXPECT_EQ(unnamed.family(), family::unix_domain);
  EXPECT_EQ(unnamed.addr(), "");
  EXPECT_EQ(unnamed.port(), 0);
}

TEST(Address, FamilyAndTypeNames) {
  EXPECT_EQ(family_name(family::inet), "inet");
  EXPECT_EQ(family_name(family::inet6), "inet6");
  EXPECT_EQ(family_name(family::unix_domain), "unix");
  EXPECT_EQ(family_name(family::unspec), "unspec");
  EXPECT_EQ(type_name(socket_type::tcp), "tcp");
  EXPECT_EQ(type_name(socket_type::udp), "udp");
  EXPECT_EQ(type_name(socket_type::mcast), "mcast");
}

}  // namespace
}  // namespace lsock
