#pragma once
// Helpers for the tests that run inside the private network namespace of
// tests/netns/run-in-netns.sh: where they are, and what the kernel lists as joined.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace lsock::test {

inline bool in_netns() {
  const char* v = std::getenv("LSOCK_IN_NETNS");
  return v != nullptr && std::string(v) == "1";
}

inline bool have_veth() {
  return in_netns() && if_nametoindex("v0") != 0 && if_nametoindex("v1") != 0;
}

#define REQUIRE_NETNS()                                                                     \
  do {                                                                                      \
    if (!::lsock::test::in_netns()) {                                                       \
      GTEST_SKIP() << "not inside the private network namespace (run through ctest, which " \
                      "uses tests/netns/run-in-netns.sh)";                                  \
    }                                                                                       \
  } while (0)

#define REQUIRE_VETH()                                                                      \
  do {                                                                                      \
    if (!::lsock::test::have_veth()) {                                                      \
      GTEST_SKIP() << "no veth pair v0/v1 here (ctest runs these with LSOCK_NETNS_VETH=1)"; \
    }                                                                                       \
  } while (0)

/// True if the kernel lists `group` as joined on device `dev` (/proc/net/igmp, igmp6).
inline bool joined(const std::string& dev, const std::string& group) {
  if (group.find(':') == std::string::npos) {
    in_addr a{};
    if (inet_pton(AF_INET, group.c_str(), &a) != 1) return false;
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08X", a.s_addr);
    std::ifstream in("/proc/net/igmp");
    std::string line;
    std::string current;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string first;
      words >> first;
      if (line.empty() || first == "Idx") continue;
      if (line[0] != '\t') {
        words >> current;  // "1 lo : ..." -> device name
      } else if (current == dev && first == hex) {
        return true;
      }
    }
    return false;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, group.c_str(), &a6) != 1) return false;
  std::string hex;
  for (const unsigned char b : a6.s6_addr) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  std::ifstream in("/proc/net/igmp6");
  std::string idx;
  std::string d;
  std::string g;
  std::string rest;
  while (in >> idx >> d >> g && std::getline(in, rest)) {
    if (d == dev && g == hex) return true;
  }
  return false;
}

}  // namespace lsock::test
