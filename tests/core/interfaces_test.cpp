// interfaces() and interface_index(): loopback with mask, prefix and flags; every record
// consistent; no crash on interfaces without an address; nothing leaked over many calls.
#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "detail/interface_lookup.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using detail::interface_index;
using test::why;

/// The number of leading one bits of a netmask in text form; -1 if it is not a netmask.
int mask_bits(family f, const std::string& text) {
  unsigned char bytes[16] = {};
  const int af = f == family::inet ? AF_INET : AF_INET6;
  if (inet_pton(af, text.c_str(), bytes) != 1) return -1;
  const int n = f == family::inet ? 4 : 16;
  int bits = 0;
  bool zero_seen = false;
  for (int i = 0; i < n; ++i) {
    for (int b = 7; b >= 0; --b) {
      const bool one = ((bytes[i] >> b) & 1) != 0;
      if (one && zero_seen) return -1;  // not contiguous
      if (one) ++bits;
      zero_seen = zero_seen || !one;
    }
  }
  return bits;
}

TEST(Interfaces, LoopbackIsListedWithMaskPrefixAndFlags) {
  auto list = interfaces();
  ASSERT_TRUE(list) << why(list);
  auto lo = std::find_if(list->begin(), list->end(), [](const interface_address& a) {
    return a.name == "lo" && a.addr == "127.0.0.1";
  });
  ASSERT_NE(lo, list->end()) << "lo with 127.0.0.1 is missing";
  EXPECT_EQ(lo->family, family::inet);
  EXPECT_EQ(lo->mask, "255.0.0.0");
  EXPECT_EQ(lo->prefixlen, 8);
  EXPECT_TRUE(lo->flags.up);
  EXPECT_TRUE(lo->flags.running);
  EXPECT_TRUE(lo->flags.loopback);
  EXPECT_FALSE(lo->flags.broadcast);
  EXPECT_EQ(lo->broadcast, "");
  EXPECT_EQ(lo->index, if_nametoindex("lo"));
  EXPECT_GT(lo->index, 0u);
}

TEST(Interfaces, Ipv6LoopbackHasA128BitMask) {
  if (!test::have_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  auto list = interfaces();
  ASSERT_TRUE(list) << why(list);
  auto lo6 = std::find_if(list->begin(), list->end(), [](const interface_address& a) {
    return a.name == "lo" && a.addr == "::1";
  });
  ASSERT_NE(lo6, list->end()) << "lo with ::1 is missing";
  EXPECT_EQ(lo6->family, family::inet6);
  EXPECT_EQ(lo6->mask, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_EQ(lo6->prefixlen, 128);
  EXPECT_TRUE(lo6->flags.loopback);
  EXPECT_EQ(lo6->broadcast, "");
}

TEST(Interfaces, EveryRecordIsConsistent) {
  auto list = interfaces();
  ASSERT_TRUE(list) << why(list);
  ASSERT_FALSE(list->empty());
  for (const auto& a : *list) {
    SCOPED_TRACE(a.name + " " + a.addr);
    EXPECT_FALSE(a.name.empty());
    ASSERT_TRUE(a.family == family::inet || a.family == family::inet6);
    EXPECT_EQ(a.index, if_nametoindex(a.name.c_str()));
    EXPECT_EQ(a.addr.find('%'), std::string::npos) << "scope in the address";
    unsigned char buf[16];
    EXPECT_EQ(inet_pton(a.family == family::inet ? AF_INET : AF_INET6, a.addr.c_str(), buf), 1);
    EXPECT_EQ(mask_bits(a.family, a.mask), a.prefixlen) << a.mask;
    EXPECT_GE(a.prefixlen, 0);
    EXPECT_LE(a.prefixlen, a.family == family::inet ? 32 : 128);
    if (!a.broadcast.empty()) {
      EXPECT_EQ(a.family, family::inet);
      EXPECT_TRUE(a.flags.broadcast);
      EXPECT_EQ(inet_pton(AF_INET, a.broadcast.c_str(), buf), 1) << a.broadcast;
    }
    if (a.family == family::inet6) {
      EXPECT_EQ(a.broadcast, "");
    }
  }
}

TEST(Interfaces, BroadcastAddressesAreTheLimitedOneAndEachSubnets) {
  EXPECT_TRUE(is_broadcast_address("255.255.255.255"));
  EXPECT_FALSE(is_broadcast_address("127.0.0.1"));
  EXPECT_FALSE(is_broadcast_address("224.0.0.1"));
  EXPECT_FALSE(is_broadcast_address("ff02::1"));
  EXPECT_FALSE(is_broadcast_address("name.test"));
  EXPECT_FALSE(is_broadcast_address(""));
  auto all = interfaces();
  ASSERT_TRUE(all) << why(all);
  for (const auto& a : *all) {
    if (!a.broadcast.empty()) {
      EXPECT_TRUE(is_broadcast_address(a.broadcast)) << a.name;
    }
    // An interface's own address is not its subnet's broadcast address.
    if (a.family == family::inet && a.addr != a.broadcast) {
      EXPECT_FALSE(is_broadcast_address(a.addr)) << a.name << " " << a.addr;
    }
  }
}

TEST(InterfaceIndex, ByNameOrByAddress) {
  const unsigned lo = if_nametoindex("lo");
  ASSERT_GT(lo, 0u);
  auto by_name = interface_index("lo");
  auto by_addr = interface_index("127.0.0.1");
  ASSERT_TRUE(by_name) << why(by_name);
  ASSERT_TRUE(by_addr) << why(by_addr);
  EXPECT_EQ(*by_name, lo);
  EXPECT_EQ(*by_addr, lo);
  if (test::have_ipv6_loopback()) {
    auto by_v6 = interface_index("::1");
    ASSERT_TRUE(by_v6) << why(by_v6);
    EXPECT_EQ(*by_v6, lo);
  }
}

TEST(InterfaceIndex, UnknownIsENODEV) {
  for (const std::string& what :
       {std::string("nosuchif0"), std::string(""), std::string("127.0.0.2"),
        std::string("256.1.1.1"), std::string(200, 'x'), std::string("lo\0x", 4)}) {
    auto r = interface_index(what);
    ASSERT_FALSE(r) << "'" << what << "' gave index " << *r;
    EXPECT_EQ(r.error().name, "ENODEV");
    EXPECT_EQ(r.error().code, ENODEV);
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(Interfaces, ManyCallsLeakNoDescriptors) {
  // The original never freed the list.
  ASSERT_TRUE(interfaces());
  const int before = test::fd_count();
  for (int i = 0; i < 10000; ++i) {
    auto list = interfaces();
    ASSERT_TRUE(list) << i << ": " << why(list);
    ASSERT_FALSE(list->empty());
  }
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(interface_index("127.0.0.1")) << i;
    ASSERT_FALSE(interface_index("nosuchif0")) << i;
  }
  EXPECT_EQ(test::fd_count(), before);
}

}  // namespace
}  // namespace lsock
