#pragma once
// The fixture of the fault tests that must leave nothing behind: the seam is installed for the
// test, and when the test ends every descriptor made through the seam was closed, the process
// has the descriptors it started with, and every resolver and interface list was freed once.

#include <gtest/gtest.h>

#include "seam.hpp"
#include "test_support.hpp"

namespace lsock::seam {

class seam_test : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = test::fd_count(); }
  void TearDown() override {
    EXPECT_EQ(still_open(), 0) << "a descriptor made through the seam was never closed";
    EXPECT_EQ(test::fd_count(), fds_before_);
    EXPECT_EQ(st().gai_freed, st().gai_ok) << "getaddrinfo lists leaked";
    EXPECT_EQ(st().ifa_freed, st().ifa_ok) << "getifaddrs lists leaked";
  }

 private:
  guard guard_;
  int fds_before_ = 0;
};

}  // namespace lsock::seam
