// Name resolution and interface listing.
#include <netdb.h>

#include <algorithm>
#include <set>

#include "test_support.hpp"

namespace lsock {
namespace {

TEST(Resolve, LocalhostIsLoopbackWithoutDuplicates) {
  auto list = resolve("localhost");
  ASSERT_TRUE(list) << list.error().describe();
  ASSERT_FALSE(list->empty());
  std::set<std::string> seen;
  bool loopback = false;
  for (const auto& r : *list) {
    EXPECT_TRUE(seen.insert(r.addr).second) << "duplicate " << r.addr;
    loopback = loopback || r.addr == "127.0.0.1" || r.addr == "::1";
  }
  EXPECT_TRUE(loopback);
}

TEST(Resolve, LiteralsComeBackAsTheyAre) {
  auto v4 = resolve("127.0.0.1");
  ASSERT_TRUE(v4);
  ASSERT_EQ(v4->size(), 1u);
  EXPECT_EQ((*v4)[0].family, family::inet);
  EXPECT_EQ((*v4)[0].addr, "127.0.0.1");
  auto v6 = resolve("::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ((*v6)[0].family, family::inet6);
}

TEST(Resolve, PreferenceFilters) {
  auto v4 = resolve("localhost", family_preference::inet);
  ASSERT_TRUE(v4);
  for (const auto& r : *v4) EXPECT_EQ(r.family, family::inet);
  auto none = resolve("127.0.0.1", family_preference::inet6);
  EXPECT_FALSE(none);
}

TEST(Resolve, BadNamesGiveResolverErrorsAndNothingLeaks) {
  const int before = test::fd_count();
  for (const char* name : {"", "no-such-host.invalid"}) {
    auto r = resolve(name);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().op, "resolve");
    EXPECT_EQ(r.error().name.rfind("EAI_", 0), 0u) << r.error().name;
  }
  auto nul = resolve(std::string_view("local\0host", 10));
  EXPECT_FALSE(nul);
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Resolve, RepeatedCallsDoNotGrowDescriptors) {
  const int before = test::fd_count();
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(resolve("127.0.0.1"));
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Interfaces, LoopbackIsListedWithMaskAndPrefix) {
  auto list = interfaces();
  ASSERT_TRUE(list) << list.error().describe();
  auto lo = std::find_if(list->begin(), list->end(), [](const interface_address& a) {
    return a.name == "lo" && a.addr == "127.0.0.1";
  });
  ASSERT_NE(lo, list->end());
  EXPECT_EQ(lo->family, family::inet);
  EXPECT_EQ(lo->mask, "255.0.0.0");
  EXPECT_EQ(lo->prefixlen, 8);
  EXPECT_TRUE(lo->flags.up);
  EXPECT_TRUE(lo->flags.loopback);
  EXPECT_GT(lo->index, 0u);
  for (const auto& a : *list) {
    EXPECT_TRUE(a.family == family::inet || a.family == family::inet6);
    EXPECT_FALSE(a.addr.empty());
  }
}

TEST(Interfaces, IndexByNameOrAddress) {
  auto by_name = interface_index("lo");
  auto by_addr = interface_index("127.0.0.1");
  ASSERT_TRUE(by_name && by_addr);
  EXPECT_EQ(*by_name, *by_addr);
  auto none = interface_index("nosuchif0");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().name, "ENODEV");
  EXPECT_FALSE(interface_index("192.0.2.254"));
}

TEST(Interfaces, RepeatedCallsDoNotLeak) {
  const int before = test::fd_count();
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(interfaces());
  EXPECT_EQ(test::fd_count(), before);
}

TEST(Errors, NamesAndDescriptions) {
  EXPECT_EQ(errno_name(ECONNREFUSED), "ECONNREFUSED");
  EXPECT_EQ(errno_name(EPIPE), "EPIPE");
  EXPECT_EQ(errno_name(99999), "E99999");
  EXPECT_EQ(eai_name(EAI_NONAME), "EAI_NONAME");
  const error e = system_error("connect", ECONNREFUSED);
  EXPECT_EQ(e.domain, error_domain::system);
  EXPECT_EQ(e.code, ECONNREFUSED);
  EXPECT_EQ(e.describe(), "connect: Connection refused");
  const error r = resolver_error("resolve", EAI_NONAME);
  EXPECT_EQ(r.domain, error_domain::resolver);
  EXPECT_EQ(r.name, "EAI_NONAME");
  const error sys = resolver_error("resolve", EAI_SYSTEM, EMFILE);
  EXPECT_EQ(sys.name, "EMFILE");
  const error l = library_error("bind", ENAMETOOLONG, "unix domain path too long");
  EXPECT_EQ(l.describe(), "bind: unix domain path too long");
  EXPECT_EQ(l.name, "ENAMETOOLONG");
}

}  // namespace
}  // namespace lsock
