// resolve(): de-duplicated addresses in resolver order, literals as they are, family
// preference, resolver errors with EAI_* names, nothing leaked over many calls.
#include <set>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace lsock {
namespace {

using test::why;

TEST(Resolve, LocalhostIsLoopbackWithoutDuplicates) {
  auto list = resolve("localhost");
  ASSERT_TRUE(list) << why(list);
  ASSERT_FALSE(list->empty());
  std::set<std::pair<family, std::string>> seen;
  for (const auto& r : *list) {
    EXPECT_TRUE(r.family == family::inet || r.family == family::inet6) << r.addr;
    EXPECT_TRUE(r.addr == "127.0.0.1" || r.addr == "::1") << r.addr;
    EXPECT_TRUE(seen.insert({r.family, r.addr}).second) << "duplicate " << r.addr;
  }
}

struct literal_case {
  const char* label;
  const char* input;
  family fam;
  const char* addr;
};

class ResolveLiteral : public ::testing::TestWithParam<literal_case> {};

TEST_P(ResolveLiteral, ComesBackAsItIs) {
  const auto& c = GetParam();
  auto list = resolve(c.input);
  ASSERT_TRUE(list) << why(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].family, c.fam);
  EXPECT_EQ((*list)[0].addr, c.addr);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ResolveLiteral,
    ::testing::Values(literal_case{"v4_loopback", "127.0.0.1", family::inet, "127.0.0.1"},
                      literal_case{"v4_other_loopback", "127.0.0.53", family::inet, "127.0.0.53"},
                      literal_case{"v4_any", "0.0.0.0", family::inet, "0.0.0.0"},
                      literal_case{"v6_loopback", "::1", family::inet6, "::1"},
                      literal_case{"v6_any", "::", family::inet6, "::"},
                      literal_case{"v6_group", "ff15::1", family::inet6, "ff15::1"}),
    [](const auto& tp) { return std::string(tp.param.label); });

TEST(Resolve, PreferenceFilters) {
  auto v4 = resolve("localhost", family_preference::inet);
  ASSERT_TRUE(v4) << why(v4);
  ASSERT_FALSE(v4->empty());
  for (const auto& r : *v4) EXPECT_EQ(r.family, family::inet) << r.addr;

  auto v6 = resolve("localhost", family_preference::inet6);
  if (v6) {
    for (const auto& r : *v6) EXPECT_EQ(r.family, family::inet6) << r.addr;
  } else {  // this machine's resolver has no IPv6 localhost
    EXPECT_EQ(v6.error().domain, error_domain::resolver) << why(v6);
  }

  auto v4_only = resolve("127.0.0.1", family_preference::inet);
  ASSERT_TRUE(v4_only) << why(v4_only);
  EXPECT_EQ((*v4_only)[0].addr, "127.0.0.1");
  auto v6_of_v4 = resolve("127.0.0.1", family_preference::inet6);
  if (v6_of_v4) {
    for (const auto& r : *v6_of_v4) EXPECT_EQ(r.family, family::inet6) << r.addr;
  }
  auto any = resolve("::1", family_preference::any);
  ASSERT_TRUE(any) << why(any);
  EXPECT_EQ((*any)[0].family, family::inet6);
}

class ResolveBad : public ::testing::TestWithParam<std::string> {};

TEST_P(ResolveBad, IsAResolverErrorWithAnEaiName) {
  const int before = test::fd_count();
  auto r = resolve(GetParam());
  ASSERT_FALSE(r) << "resolved to " << (*r)[0].addr;
  EXPECT_EQ(r.error().op, "resolve");
  EXPECT_EQ(r.error().domain, error_domain::resolver) << r.error().describe();
  EXPECT_EQ(r.error().name.rfind("EAI_", 0), 0u) << r.error().name;
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_EQ(r.error().describe(), "resolve: " + r.error().message);
  EXPECT_EQ(test::fd_count(), before);
}

INSTANTIATE_TEST_SUITE_P(Names, ResolveBad,
                         ::testing::Values(std::string(""), std::string("no-such-host.invalid"),
                                           std::string("local\0host", 10),
                                           std::string(300, 'a') + ".invalid",
                                           test::unresolvable_host),
                         [](const auto& tp) {
                           const std::string& s = tp.param;
                           if (s.empty()) return std::string("empty");
                           if (s.find('\0') != std::string::npos) return std::string("nul");
                           if (s.size() > 200) return std::string("too_long");
                           if (s == test::unresolvable_host) return std::string("long_label");
                           return std::string("unknown_host");
                         });

TEST(Resolve, AScopedLiteralNamesItsInterfaceOrSaysThereIsNone) {
  auto lo = resolve("fe80::1%lo");
  ASSERT_TRUE(lo) << why(lo);
  ASSERT_EQ(lo->size(), 1u);
  EXPECT_EQ((*lo)[0].addr, "fe80::1%lo");
  // Not "Name or service not known": the address is numeric, its interface is what is wrong.
  auto none = resolve("fe80::1%nosuchif0");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().name, "ENODEV");
  EXPECT_EQ(none.error().message, "no such interface: nosuchif0");
  auto eps = resolve_endpoints("connect", "fe80::1%nosuchif0", 80, socket_type::tcp);
  ASSERT_FALSE(eps);
  EXPECT_EQ(eps.error().describe(), "connect: no such interface: nosuchif0");
}

TEST(Resolve, HexOnlyNamesAreLookedUp) {
  // The original took "cafe" and "deadbeef" for numeric addresses and never looked them up.
  for (const std::string& name :
       {std::string("cafe"), std::string("deadbeef"), std::string(64, 'f') + ".cafe"}) {
    auto r = resolve(name);
    if (r) {
      for (const auto& a : *r) EXPECT_NE(a.addr, name);
    } else {
      EXPECT_EQ(r.error().domain, error_domain::resolver) << name << ": " << why(r);
    }
  }
}

TEST(Resolve, ManyCallsLeakNoDescriptors) {
  ASSERT_TRUE(resolve("localhost"));  // let the C library open whatever it keeps open
  ASSERT_FALSE(resolve(test::unresolvable_host));
  const int before = test::fd_count();
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(resolve("127.0.0.1")) << i;
    ASSERT_TRUE(resolve("localhost")) << i;
  }
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(resolve(test::unresolvable_host)) << i;
  EXPECT_EQ(test::fd_count(), before);
}

}  // namespace
}  // namespace lsock
