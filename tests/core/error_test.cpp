// Errors as values: symbolic names for errno and EAI_* codes, thread-safe messages,
// describe(), and result<T>.
#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "detail/resolver_error.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using detail::eai_name;
using detail::resolver_error;

struct errno_case {
  int code;
  const char* name;
};

class ErrnoName : public ::testing::TestWithParam<errno_case> {};

TEST_P(ErrnoName, IsTheSymbol) {
  EXPECT_EQ(errno_name(GetParam().code), GetParam().name);
  const error e = system_error("op", GetParam().code);
  EXPECT_EQ(e.name, GetParam().name);
  EXPECT_EQ(e.code, GetParam().code);
  EXPECT_EQ(e.domain, error_domain::system);
  EXPECT_FALSE(e.message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ErrnoName,
    ::testing::Values(
        errno_case{ECONNREFUSED, "ECONNREFUSED"}, errno_case{ECONNRESET, "ECONNRESET"},
        errno_case{EPIPE, "EPIPE"}, errno_case{EAGAIN, "EAGAIN"}, errno_case{EINTR, "EINTR"},
        errno_case{EINVAL, "EINVAL"}, errno_case{EBADF, "EBADF"}, errno_case{EMFILE, "EMFILE"},
        errno_case{ENFILE, "ENFILE"}, errno_case{ENOENT, "ENOENT"}, errno_case{EACCES, "EACCES"},
        errno_case{ENAMETOOLONG, "ENAMETOOLONG"}, errno_case{EADDRINUSE, "EADDRINUSE"},
        errno_case{EADDRNOTAVAIL, "EADDRNOTAVAIL"}, errno_case{EAFNOSUPPORT, "EAFNOSUPPORT"},
        errno_case{ENODEV, "ENODEV"}, errno_case{ENOTCONN, "ENOTCONN"},
        errno_case{ENOTSOCK, "ENOTSOCK"}, errno_case{EINPROGRESS, "EINPROGRESS"},
        errno_case{ETIMEDOUT, "ETIMEDOUT"}, errno_case{EHOSTUNREACH, "EHOSTUNREACH"},
        errno_case{ENETUNREACH, "ENETUNREACH"}, errno_case{EMSGSIZE, "EMSGSIZE"},
        errno_case{ENOBUFS, "ENOBUFS"}, errno_case{ENOMEM, "ENOMEM"},
        errno_case{EOPNOTSUPP, "EOPNOTSUPP"}, errno_case{EISCONN, "EISCONN"},
        errno_case{EDESTADDRREQ, "EDESTADDRREQ"}, errno_case{ECONNABORTED, "ECONNABORTED"},
        errno_case{EPERM, "EPERM"}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST(ErrorNames, UnknownErrnoIsENumber) {
  EXPECT_EQ(errno_name(99999), "E99999");
  EXPECT_EQ(errno_name(0), "E0");
  EXPECT_EQ(errno_name(-1), "E-1");
}

TEST(Errors, OutOfDescriptorsIsEmfileOrEnfileFromTheSystem) {
  EXPECT_TRUE(out_of_descriptors(system_error("socket", EMFILE)));
  EXPECT_TRUE(out_of_descriptors(system_error("accept", ENFILE)));
  EXPECT_FALSE(out_of_descriptors(system_error("socket", ENOMEM)));
  // Judged by domain and code, not by the name: a library error with the code is not it.
  EXPECT_FALSE(out_of_descriptors(library_error("socket", EMFILE, "made up")));
}

TEST(ErrorNames, EveryErrnoGlibcKnowsHasItsName) {
  // Names beyond the common socket errors come from glibc too (no hand-kept list).
  EXPECT_EQ(errno_name(ESTALE), "ESTALE");
  EXPECT_EQ(errno_name(EDQUOT), "EDQUOT");
  EXPECT_EQ(errno_name(ETXTBSY), "ETXTBSY");
  EXPECT_EQ(errno_name(EWOULDBLOCK), "EAGAIN");
}

struct eai_case {
  int code;
  const char* name;
};

class EaiName : public ::testing::TestWithParam<eai_case> {};

TEST_P(EaiName, IsTheSymbol) {
  EXPECT_EQ(eai_name(GetParam().code), GetParam().name);
  const error e = resolver_error("resolve", GetParam().code);
  EXPECT_EQ(e.domain, error_domain::resolver);
  EXPECT_EQ(e.code, GetParam().code);
  EXPECT_EQ(e.name, GetParam().name);
  EXPECT_EQ(e.message, gai_strerror(GetParam().code));
}

INSTANTIATE_TEST_SUITE_P(
    Table, EaiName,
    ::testing::Values(eai_case{EAI_NONAME, "EAI_NONAME"}, eai_case{EAI_AGAIN, "EAI_AGAIN"},
                      eai_case{EAI_FAIL, "EAI_FAIL"}, eai_case{EAI_FAMILY, "EAI_FAMILY"},
                      eai_case{EAI_SOCKTYPE, "EAI_SOCKTYPE"}, eai_case{EAI_SERVICE, "EAI_SERVICE"},
                      eai_case{EAI_MEMORY, "EAI_MEMORY"}, eai_case{EAI_BADFLAGS, "EAI_BADFLAGS"},
                      eai_case{EAI_OVERFLOW, "EAI_OVERFLOW"}, eai_case{EAI_NODATA, "EAI_NODATA"},
                      eai_case{EAI_ADDRFAMILY, "EAI_ADDRFAMILY"}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST(ErrorNames, UnknownEaiCodeIsEaiNumber) {
  const std::string n = eai_name(-12345);
  EXPECT_EQ(n.rfind("EAI_", 0), 0u) << n;
  EXPECT_NE(n.find("12345"), std::string::npos) << n;
}

TEST(Errors, SystemErrorCarriesEverything) {
  const error e = system_error("connect", ECONNREFUSED);
  EXPECT_EQ(e.op, "connect");
  EXPECT_EQ(e.domain, error_domain::system);
  EXPECT_EQ(e.code, ECONNREFUSED);
  EXPECT_EQ(e.name, "ECONNREFUSED");
  EXPECT_EQ(e.message, "Connection refused");
  EXPECT_EQ(e.describe(), "connect: Connection refused");
  EXPECT_EQ(system_error("bind", EADDRINUSE).describe(), "bind: Address already in use");
}

TEST(Errors, ResolverErrorWithEaiSystemUsesTheSavedErrno) {
  const error e = resolver_error("resolve", EAI_SYSTEM, EMFILE);
  EXPECT_EQ(e.name, "EMFILE");
  EXPECT_EQ(e.code, EMFILE);
  EXPECT_EQ(e.op, "resolve");
  EXPECT_FALSE(e.message.empty());
}

TEST(Errors, LibraryErrorKeepsItsWords) {
  const error e = library_error("bind", ENAMETOOLONG, "unix domain path too long");
  EXPECT_EQ(e.op, "bind");
  EXPECT_EQ(e.domain, error_domain::library);
  EXPECT_EQ(e.code, ENAMETOOLONG);
  EXPECT_EQ(e.name, "ENAMETOOLONG");
  EXPECT_EQ(e.message, "unix domain path too long");
  EXPECT_EQ(e.describe(), "bind: unix domain path too long");
}

TEST(Errors, RealFailuresDescribeThemselves) {
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l) << test::why(l);
  auto again = socket::bind(socket_type::tcp, "127.0.0.1", l->local_endpoint()->port());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().describe(), "bind: Address already in use");
  EXPECT_EQ(again.error().name, "EADDRINUSE");
  EXPECT_EQ(again.error().code, EADDRINUSE);
}

TEST(Errors, MessagesAreThreadSafe) {
  // The original used strerror(), which is not thread-safe.
  const std::vector<int> codes{ECONNREFUSED, EPIPE, EADDRINUSE, ENOENT, EBADF, EINVAL, EMFILE};
  std::vector<std::string> expected;
  for (const int c : codes) expected.push_back(system_error("x", c).message);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::size_t k = static_cast<std::size_t>(i + t) % codes.size();
        if (system_error("x", codes[k]).message != expected[k]) mismatches.fetch_add(1);
        if (errno_name(codes[k]).empty()) mismatches.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Result, HoldsAValueOrAnError) {
  result<int> ok = 42;
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, 42);
  EXPECT_EQ(ok.value(), 42);
  result<int> bad = library_error("op", EINVAL, "nope");
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "nope");
  result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
  EXPECT_EQ(std::move(s).value(), "abc");

  result<void> fine;
  EXPECT_TRUE(fine.has_value());
  result<void> failed = system_error("close", EBADF);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().name, "EBADF");
  EXPECT_EQ(std::move(failed).error().op, "close");
}

TEST(Result, TransferDefaultsToWouldBlock) {
  const transfer t;
  EXPECT_EQ(t.status, io_status::would_block);
  EXPECT_EQ(t.bytes, 0u);
  EXPECT_FALSE(t.truncated);
  EXPECT_EQ(t.datagram_size, 0u);
}

}  // namespace
}  // namespace lsock
