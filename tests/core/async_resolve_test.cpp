// resolve_request: lookups off the calling thread. Names are answered by the syscall seam's
// fake resolver (tests/fault/seam.hpp), never by DNS; a slow resolver is a fake getaddrinfo
// that sleeps before it fails. The same checks against glibc's real resolver and a DNS server
// that never answers are in tests/lua/async_resolver_spec.lua and tests/cli (run-with-dns.sh).
#include <dirent.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "detail/resolver_pool.hpp"
#include "seam.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using detail::resolver_idle_ms;
using detail::resolver_max_threads;
using detail::resolver_threads;
using test::why;

/// Waits up to `ms` for `fd` to turn readable.
bool readable_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1 && (p.revents & POLLIN) != 0;
}

/// Waits (bounded) until the pool has no thread left.
bool threads_end_within(int ms) {
  for (int waited = 0; waited < ms; waited += 20) {
    if (resolver_threads() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return resolver_threads() == 0;
}

std::atomic<int> slow_ms{0};

/// A resolver that answers nothing: every lookup fails with EAI_AGAIN after slow_ms. Unlike the
/// seam's recording table it keeps no state, so lookups may run on many threads at once.
int slow_getaddrinfo(const char*, const char*, const addrinfo*, addrinfo**) {
  std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms.load()));
  errno = 0;
  return EAI_AGAIN;
}

/// Installs slow_getaddrinfo for its lifetime; the real resolver comes back at the end.
class slow_resolver {
 public:
  explicit slow_resolver(int ms) {
    slow_ms = ms;
    detail::sys().getaddrinfo = slow_getaddrinfo;
  }
  ~slow_resolver() {
    // A worker may still be inside the slow lookup: let it finish before the table changes.
    (void)threads_end_within(slow_ms + resolver_idle_ms + 3000);
    detail::restore_syscalls();
  }
  slow_resolver(const slow_resolver&) = delete;
  slow_resolver& operator=(const slow_resolver&) = delete;
};

/// Threads of this process (/proc/self/task).
int thread_count() {
  int n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return -1;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n - 2;
}

TEST(AsyncResolve, LiteralIsAnsweredAtOnce) {
  auto rq = resolve_request::start("127.0.0.1");
  ASSERT_TRUE(rq) << why(rq);
  EXPECT_TRUE(test::nonblocking_and_cloexec(rq->fd()));
  EXPECT_TRUE(readable_within(rq->fd(), 0));
  auto polled = rq->poll();
  ASSERT_TRUE(polled && *polled);
  auto list = rq->finalize();
  ASSERT_TRUE(list) << why(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].family, family::inet);
  EXPECT_EQ((*list)[0].addr, "127.0.0.1");
  EXPECT_EQ(rq->fd(), -1);
  EXPECT_EQ(rq->state(), resolve_state::finalized);
}

TEST(AsyncResolve, AnswerIsTheBlockingResolversDeduplicatedList) {
  seam::guard g;
  seam::fake_dns("dup.test", {"127.0.0.2", "::1", "127.0.0.2", "127.0.0.3", "::1"});
  auto rq = resolve_request::start("dup.test");
  ASSERT_TRUE(rq) << why(rq);
  ASSERT_TRUE(readable_within(rq->fd(), 5000));
  auto list = rq->finalize();
  ASSERT_TRUE(list) << why(list);
  auto blocking = resolve("dup.test");
  ASSERT_TRUE(blocking) << why(blocking);
  ASSERT_EQ(list->size(), 3u);
  ASSERT_EQ(list->size(), blocking->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    EXPECT_EQ((*list)[i].family, (*blocking)[i].family);
    EXPECT_EQ((*list)[i].addr, (*blocking)[i].addr);
  }
  auto again = rq->finalize();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().name, "EALREADY");
}

TEST(AsyncResolve, FamilyPreferenceReachesTheResolver) {
  seam::guard g;
  seam::fake_dns("both.test", {"127.0.0.1", "::1"});
  auto rq = resolve_request::start("both.test", family_preference::inet6);
  ASSERT_TRUE(rq) << why(rq);
  ASSERT_TRUE(readable_within(rq->fd(), 5000));
  auto list = rq->finalize();
  ASSERT_TRUE(list) << why(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].addr, "::1");
}

TEST(AsyncResolve, StaysPendingWhileTheResolverIsSlowThenReportsItsError) {
  const slow_resolver slow(600);
  auto rq = resolve_request::start("slow.test");
  ASSERT_TRUE(rq) << why(rq);
  EXPECT_FALSE(readable_within(rq->fd(), 200));
  auto polled = rq->poll();
  ASSERT_TRUE(polled) << why(polled);
  EXPECT_FALSE(*polled);
  auto early = rq->finalize();
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().name, "EAGAIN");
  EXPECT_EQ(rq->state(), resolve_state::pending);
  ASSERT_TRUE(readable_within(rq->fd(), 5000));
  auto list = rq->finalize();
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().op, "resolve");
  EXPECT_EQ(list.error().name, "EAI_AGAIN");
}

TEST(AsyncResolve, CancelClosesTheDescriptorAtOnce) {
  const slow_resolver slow(400);
  const int before = test::fd_count();
  auto rq = resolve_request::start("slow.test");
  ASSERT_TRUE(rq) << why(rq);
  const int fd = rq->fd();
  EXPECT_TRUE(test::fd_is_open(fd));
  rq->cancel();
  EXPECT_EQ(rq->fd(), -1);
  EXPECT_EQ(test::fd_count(), before);
  auto polled = rq->poll();
  ASSERT_FALSE(polled);
  EXPECT_EQ(polled.error().name, "ECANCELED");
  auto list = rq->finalize();
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().name, "ECANCELED");
  rq->cancel();  // again: nothing happens
  // The worker finishes the abandoned lookup, drops its answer and, idle, ends.
  EXPECT_TRUE(threads_end_within(400 + resolver_idle_ms + 2000));
}

TEST(AsyncResolve, BadNamesFailAtStart) {
  for (std::string_view name : {std::string_view(), std::string_view("a\0b", 3)}) {
    auto rq = resolve_request::start(name);
    ASSERT_FALSE(rq);
    EXPECT_EQ(rq.error().name, "EAI_NONAME");
  }
}

TEST(AsyncResolve, MovedFromAndDefaultRequestsAreCancelled) {
  resolve_request empty;
  EXPECT_EQ(empty.fd(), -1);
  EXPECT_EQ(empty.state(), resolve_state::cancelled);
  auto rq = resolve_request::start("::1");
  ASSERT_TRUE(rq) << why(rq);
  resolve_request moved = std::move(*rq);
  EXPECT_EQ(rq->fd(), -1);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(moved.state(), resolve_state::done);
  moved = std::move(empty);
  EXPECT_EQ(moved.fd(), -1);
}

// 10,000 requests dropped unfinished: their descriptors are released at once, the threads
// never exceed the pool's bound, and when the slow lookups end the threads end too.
TEST(AsyncResolve, TenThousandDroppedRequestsLeakNothing) {
  const slow_resolver slow(300);
  test::raise_fd_limit(1024);
  const int fds_before = test::fd_count();
  const int threads_before = thread_count();
  int most_threads = 0;
  for (int i = 0; i < 10'000; ++i) {
    auto rq = resolve_request::start("slow" + std::to_string(i) + ".test");
    ASSERT_TRUE(rq) << why(rq);
    if (i % 1000 == 0) most_threads = std::max(most_threads, thread_count());
  }
  EXPECT_EQ(test::fd_count(), fds_before);
  EXPECT_LE(most_threads, threads_before + static_cast<int>(resolver_max_threads));
  EXPECT_LE(resolver_threads(), resolver_max_threads);
  EXPECT_TRUE(threads_end_within(300 + resolver_idle_ms + 3000));
  EXPECT_EQ(thread_count(), threads_before);
}

// Lookups run side by side: eight slow ones take about one lookup's time, not eight.
TEST(AsyncResolve, LookupsRunInParallel) {
  const slow_resolver slow(300);
  std::vector<resolve_request> rqs;
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < resolver_max_threads; ++i) {
    auto rq = resolve_request::start("p" + std::to_string(i) + ".test");
    ASSERT_TRUE(rq) << why(rq);
    rqs.push_back(std::move(*rq));
  }
  for (auto& rq : rqs) ASSERT_TRUE(readable_within(rq.fd(), 5000));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(300 * 3));
}

}  // namespace
}  // namespace lsock
