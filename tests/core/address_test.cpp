// Address parsing as lsocket does it: literals, names, unix paths, abstract names, ports.
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>

#include "test_support.hpp"

namespace lsock {
namespace {

struct good_case {
  const char* input;
  int port;
  family fam;
  const char* addr;
  int expect_port;
};

class AddressGood : public ::testing::TestWithParam<good_case> {};

TEST_P(AddressGood, Parses) {
  const auto& c = GetParam();
  auto eps = resolve_endpoints("test", c.input, c.port, socket_type::tcp);
  ASSERT_TRUE(eps) << eps.error().describe();
  ASSERT_FALSE(eps->empty());
  EXPECT_EQ((*eps)[0].family(), c.fam);
  EXPECT_EQ((*eps)[0].addr(), c.addr);
  EXPECT_EQ((*eps)[0].port(), c.expect_port);
}

INSTANTIATE_TEST_SUITE_P(
    Literals, AddressGood,
    ::testing::Values(good_case{"127.0.0.1", 80, family::inet, "127.0.0.1", 80},
                      good_case{"0.0.0.0", 0, family::inet, "0.0.0.0", 0},
                      good_case{"::1", 65535, family::inet6, "::1", 65535},
                      good_case{"::0", 1, family::inet6, "::", 1},
                      good_case{"::ffff:127.0.0.1", 5, family::inet6, "::ffff:127.0.0.1", 5},
                      good_case{"fe80::1%lo", 7, family::inet6, "fe80::1%lo", 7},
                      good_case{"localhost", 8080, family::inet, "127.0.0.1", 8080},
                      good_case{"/tmp/x.sock", 0, family::unix_domain, "/tmp/x.sock", 0},
                      good_case{"./rel/x.sock", 99, family::unix_domain, "./rel/x.sock", 0},
                      good_case{"@abstract", 0, family::unix_domain, "@abstract", 0}));

struct bad_case {
  const char* input;
  int port;
  const char* name;
};

class AddressBad : public ::testing::TestWithParam<bad_case> {};

TEST_P(AddressBad, IsAClearError) {
  const auto& c = GetParam();
  auto eps = resolve_endpoints("test", c.input, c.port, socket_type::udp);
  ASSERT_FALSE(eps);
  EXPECT_EQ(eps.error().name, c.name) << eps.error().describe();
  EXPECT_EQ(eps.error().op, "test");
  EXPECT_FALSE(eps.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(Errors, AddressBad,
                         ::testing::Values(bad_case{"127.0.0.1", -1, "EINVAL"},
                                           bad_case{"127.0.0.1", 65536, "EINVAL"},
                                           bad_case{"127.0.0.1", 70000, "EINVAL"},
                                           bad_case{"", 80, "EINVAL"},
                                           bad_case{"no-such-host.invalid", 80, "EAI_NONAME"},
                                           bad_case{"fe80::1%nosuchif", 1, "EAI_NONAME"}));

TEST(Address, PortsAreNeverWrapped) {
  // known defect 10: 65536 + 80 must not become 80.
  EXPECT_FALSE(check_port("bind", 65536 + 80));
  EXPECT_TRUE(check_port("bind", 0));
  EXPECT_TRUE(check_port("bind", 65535));
}

TEST(Address, TooLongUnixPathIsAnError) {
  const std::string path = "/" + std::string(max_unix_path, 'a');
  auto eps = resolve_endpoints("bind", path, 0, socket_type::tcp);
  ASSERT_FALSE(eps);
  EXPECT_EQ(eps.error().message, "unix domain path too long");
  EXPECT_EQ(eps.error().name, "ENAMETOOLONG");
  // Exactly the limit is fine.
  EXPECT_TRUE(resolve_endpoints("bind", path.substr(0, max_unix_path), 0, socket_type::tcp));
  EXPECT_FALSE(
      resolve_endpoints("bind", "@" + std::string(max_unix_path + 1, 'b'), 0, socket_type::tcp));
}

TEST(Address, AbstractNamesUseTheirExactLength) {
  // known defect 9: no trailing NUL in the address length.
  auto eps = resolve_endpoints("bind", "@name", 0, socket_type::tcp);
  ASSERT_TRUE(eps);
  EXPECT_EQ((*eps)[0].size(), offsetof(sockaddr_un, sun_path) + 1 + 4);
  auto path = resolve_endpoints("bind", "/x/y", 0, socket_type::tcp);
  ASSERT_TRUE(path);
  EXPECT_EQ((*path)[0].size(), offsetof(sockaddr_un, sun_path) + 4 + 1);
}

TEST(Address, HexOnlyNamesAreNamesNotLiterals) {
  // known defect 4: "cafe", "deadbeef", "abc.example" must go to the resolver.
  for (const char* name : {"cafe", "deadbeef", "abc.example", "beef:"}) {
    auto eps = resolve_endpoints("connect", name, 1, socket_type::tcp);
    if (eps) {
      for (const auto& ep : *eps) EXPECT_NE(ep.addr(), name);
    } else {
      EXPECT_EQ(eps.error().domain, error_domain::resolver) << name;
    }
  }
}

TEST(Address, FamilyPreferenceFiltersNames) {
  auto v4 = resolve_endpoints("connect", "localhost", 1, socket_type::tcp, family_preference::inet);
  ASSERT_TRUE(v4);
  for (const auto& ep : *v4) EXPECT_EQ(ep.family(), family::inet);
}

TEST(Address, UnixDetection) {
  EXPECT_TRUE(is_unix_address("/run/x"));
  EXPECT_TRUE(is_unix_address("rel/x"));
  EXPECT_TRUE(is_unix_address("@x"));
  EXPECT_FALSE(is_unix_address("127.0.0.1"));
  EXPECT_FALSE(is_unix_address("x@y"));
}

TEST(Address, EndpointText) {
  auto v4 = resolve_endpoints("t", "127.0.0.1", 80, socket_type::tcp);
  EXPECT_EQ((*v4)[0].to_string(), "127.0.0.1:80");
  auto v6 = resolve_endpoints("t", "::1", 443, socket_type::tcp);
  EXPECT_EQ((*v6)[0].to_string(), "[::1]:443");
  EXPECT_EQ(family_name(family::inet6), "inet6");
  EXPECT_EQ(family_name(family::unix_domain), "unix");
  EXPECT_EQ(type_name(socket_type::mcast), "mcast");
}

}  // namespace
}  // namespace lsock
