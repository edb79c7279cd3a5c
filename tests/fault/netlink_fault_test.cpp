// interface_table() when the routing socket fails: every failing call is reported with op
// "netlink" and its errno, EINTR and EAGAIN are waited out, an interrupted dump is started
// again (and given up after a few tries), a kernel that never answers ends in ETIMEDOUT, and
// the socket is closed on every path.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <cstring>

#include "lsock/lsock.hpp"
#include "seam.hpp"
#include "seam_test.hpp"

namespace lsock {
namespace {

using seam::call;

class NetlinkFault : public seam::seam_test {};

::testing::AssertionResult fails_with(const result<std::vector<interface_info>>& r, int code) {
  if (r) return ::testing::AssertionFailure() << "succeeded; expected " << errno_name(code);
  const error& e = r.error();
  if (e.op != "netlink" || e.code != code || e.name != errno_name(code) || e.message.empty()) {
    return ::testing::AssertionFailure() << "got " << e.op << " " << e.name << " '" << e.message
                                         << "'; expected netlink " << errno_name(code);
  }
  return ::testing::AssertionSuccess();
}

bool has_lo(const result<std::vector<interface_info>>& r) {
  if (!r) return false;
  for (const auto& i : *r) {
    if (i.name == "lo") return true;
  }
  return false;
}

TEST_F(NetlinkFault, EachFailingCallIsReported) {
  for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM, EACCES, EAFNOSUPPORT}) {
    seam::fail(call::socket, e);
    EXPECT_TRUE(fails_with(interface_table(), e));
  }
  // The second dump (addresses) fails too, after the first succeeded.
  seam::fail(call::socket, EMFILE, 1, 1);
  EXPECT_TRUE(fails_with(interface_table(), EMFILE));
  seam::fail(call::sendto, ENOBUFS);
  EXPECT_TRUE(fails_with(interface_table(), ENOBUFS));
  // ENOBUFS on receive: the kernel dropped part of the dump.
  for (int e : {ENOBUFS, ENOMEM, EPERM}) {
    seam::fail(call::recvfrom, e);
    EXPECT_TRUE(fails_with(interface_table(), e));
  }
  seam::fail(call::recvfrom, EAGAIN);
  seam::fail(call::poll, ENOMEM);
  EXPECT_TRUE(fails_with(interface_table(), ENOMEM));
}

TEST_F(NetlinkFault, InterruptionsAndWouldBlockAreWaitedOut) {
  seam::fail(call::recvfrom, EINTR, 3);
  EXPECT_TRUE(has_lo(interface_table()));
  seam::fail(call::sendto, EINTR, 2);
  EXPECT_TRUE(has_lo(interface_table()));
  seam::fail(call::recvfrom, EAGAIN, 3);
  EXPECT_TRUE(has_lo(interface_table()));
  EXPECT_GE(seam::calls(call::poll), 3);
  seam::fail(call::poll, EINTR, 2);
  seam::fail(call::recvfrom, EAGAIN, 1);
  EXPECT_TRUE(has_lo(interface_table()));
}

int recv_checks_failed = 0;

TEST_F(NetlinkFault, TheSocketIsNonBlockingAndCloseOnExec) {
  recv_checks_failed = 0;
  detail::sys().recvfrom = [](int fd, void* b, size_t n, int f, sockaddr* a,
                              socklen_t* l) -> ssize_t {
    const int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
    if ((fl & O_NONBLOCK) == 0 || (fdfl & FD_CLOEXEC) == 0) ++recv_checks_failed;
    return detail::real_syscalls().recvfrom(fd, b, n, f, a, l);
  };
  EXPECT_TRUE(has_lo(interface_table()));
  EXPECT_EQ(recv_checks_failed, 0);
}

// The kernel never answers: the dump ends at its deadline, not never.
TEST_F(NetlinkFault, AKernelThatNeverAnswersTimesOut) {
  seam::fail(call::recvfrom, EAGAIN, -1);
  detail::sys().poll = [](pollfd*, nfds_t, int) { return 0; };
  EXPECT_TRUE(fails_with(interface_table(), ETIMEDOUT));
}

// A datagram larger than the buffer is an error, never a silently cut listing.
TEST_F(NetlinkFault, AnOversizedReplyIsAnError) {
  detail::sys().recvfrom = [](int fd, void* b, size_t n, int f, sockaddr* a,
                              socklen_t* l) -> ssize_t {
    const ssize_t got = detail::real_syscalls().recvfrom(fd, b, n, f, a, l);
    return got < 0 ? got : static_cast<ssize_t>(n) + 1;  // what MSG_TRUNC reports
  };
  EXPECT_TRUE(fails_with(interface_table(), EMSGSIZE));
}

int interrupted_left = 0;

/// Marks the first message of the next `interrupted_left` datagrams NLM_F_DUMP_INTR, as the
/// kernel does when the tables change during a dump.
ssize_t interrupting_recvfrom(int fd, void* b, size_t n, int f, sockaddr* a, socklen_t* l) {
  const ssize_t got = detail::real_syscalls().recvfrom(fd, b, n, f, a, l);
  if (got >= static_cast<ssize_t>(sizeof(nlmsghdr)) && interrupted_left != 0) {
    if (interrupted_left > 0) --interrupted_left;
    nlmsghdr h{};
    std::memcpy(&h, b, sizeof h);
    h.nlmsg_flags |= NLM_F_DUMP_INTR;
    std::memcpy(b, &h, sizeof h);
  }
  return got;
}

TEST_F(NetlinkFault, AnInterruptedDumpIsStartedAgain) {
  interrupted_left = 1;
  detail::sys().recvfrom = interrupting_recvfrom;
  auto t = interface_table();
  EXPECT_TRUE(has_lo(t)) << (t ? "" : t.error().describe());
  EXPECT_EQ(seam::calls(call::socket), 3) << "one dump again, then the address dump";
}

TEST_F(NetlinkFault, ADumpThatKeepsChangingIsGivenUp) {
  interrupted_left = -1;
  detail::sys().recvfrom = interrupting_recvfrom;
  auto t = interface_table();
  EXPECT_TRUE(fails_with(t, EAGAIN));
  EXPECT_EQ(seam::calls(call::socket), 5) << "five attempts, each stopped at its first reply";
}

}  // namespace
}  // namespace lsock
