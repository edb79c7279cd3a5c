#pragma once
// The fixture of the suites that run every test twice: over 127.0.0.1 and over ::1.

#include <gtest/gtest.h>

#include <lsock/lsock.hpp>
#include <string>

#include "test_support.hpp"

namespace lsock::test {

/// A test run for 127.0.0.1 and for ::1 (the latter skipped, visibly, where IPv6 is off).
/// Derive a suite from it and instantiate it with loopback_addresses() and loopback_name.
class loopback_test : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "::1" && !have_ipv6_loopback()) {
      GTEST_SKIP() << "IPv6 loopback (::1) is not available on this machine";
    }
  }
  [[nodiscard]] std::string addr() const { return GetParam(); }
  [[nodiscard]] family fam() const { return addr() == "::1" ? family::inet6 : family::inet; }
};

/// The two loopback addresses a loopback_test runs over.
inline auto loopback_addresses() { return ::testing::Values("127.0.0.1", "::1"); }

/// Test names that say which address ran: "ipv4" or "ipv6".
inline std::string loopback_name(const ::testing::TestParamInfo<const char*>& tp) {
  return std::string(tp.param) == "::1" ? "ipv6" : "ipv4";
}

}  // namespace lsock::test
