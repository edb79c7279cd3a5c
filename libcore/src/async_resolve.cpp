#include "lsock/async_resolve.hpp"

#include <netdb.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <deque>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "detail/resolver_error.hpp"
#include "detail/resolver_pool.hpp"

namespace lsock {
namespace detail {

/// A request's shared state: the owner (resolve_request) and, while it looks the name up, one
/// worker hold it. Every field but `name` and `prefer` is guarded by the pool's lock.
struct resolve_job {
  std::string name;
  family_preference prefer = family_preference::any;
  int fd = -1;  ///< the eventfd; closed by cancel() / finalize() / the owner's destructor
  resolve_state state = resolve_state::pending;
  std::optional<result<std::vector<resolved_address>>> answer;
};

}  // namespace detail

namespace {

using detail::resolve_job;
using job_ptr = std::shared_ptr<resolve_job>;

struct pool {
  std::mutex m;
  std::condition_variable cv;
  std::deque<job_ptr> queue;
  std::vector<job_ptr> running;
  unsigned threads = 0;
  unsigned idle = 0;
};

pool& the_pool();

void close_fd(resolve_job& job) noexcept {
  if (job.fd >= 0) (void)::close(job.fd);
  job.fd = -1;
}

/// Hands the answer to the job and makes its descriptor readable. Called with the lock held.
void complete(resolve_job& job, result<std::vector<resolved_address>> answer) noexcept {
  job.answer.emplace(std::move(answer));
  job.state = resolve_state::done;
  const std::uint64_t one = 1;
  // An eventfd write of 1 fails only when the counter would overflow, which one write never does.
  (void)!::write(job.fd, &one, sizeof one);
}

void worker() {
  pool& p = the_pool();
  std::unique_lock lock(p.m);
  for (;;) {
    ++p.idle;
    const bool work = p.cv.wait_for(lock, std::chrono::milliseconds(detail::resolver_idle_ms),
                                    [&] { return !p.queue.empty(); });
    --p.idle;
    if (!work) break;
    job_ptr job = std::move(p.queue.front());
    p.queue.pop_front();
    if (job->state != resolve_state::pending) continue;
    p.running.push_back(job);
    lock.unlock();
    auto answer = resolve(job->name, job->prefer);
    lock.lock();
    std::erase(p.running, job);
    // Cancelled while it ran: the answer is dropped, the descriptor is long closed.
    if (job->state == resolve_state::pending) complete(*job, std::move(answer));
  }
  --p.threads;
}

/// Starts a worker with every signal blocked, so signals meant for the process (Ctrl-C in the
/// CLI, whatever a program that loads the Lua module handles) never run on it. Lock held.
bool spawn_worker(pool& p) {
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  bool ok = true;
  try {
    std::thread(worker).detach();
    ++p.threads;
  } catch (const std::system_error&) {
    ok = false;  // EAGAIN: no thread now; a running worker still takes the job
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

// fork(): the child has none of the workers. Lookups queued or running at the fork end there
// with an error instead of staying pending forever; the lock is held across the fork so the
// child gets it in a consistent state.
void before_fork() { the_pool().m.lock(); }
void after_fork_parent() { the_pool().m.unlock(); }
void after_fork_child() {
  pool& p = the_pool();
  // Threads of the parent may have been waiting on it: start the child with a fresh one.
  new (&p.cv) std::condition_variable;
  p.threads = 0;
  p.idle = 0;
  auto lost = [](const job_ptr& job) {
    if (job->state == resolve_state::pending) {
      complete(*job, library_error("resolve", EAGAIN, "lookup lost in fork()"));
    }
  };
  std::for_each(p.queue.begin(), p.queue.end(), lost);
  std::for_each(p.running.begin(), p.running.end(), lost);
  p.queue.clear();
  p.running.clear();
  p.m.unlock();
}

pool& the_pool() {
  // Never destroyed: a detached worker may still be inside a lookup while the process exits.
  static pool* const p = [] {
    auto* made = new pool;
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    return made;
  }();
  return *p;
}

}  // namespace

result<resolve_request> resolve_request::start(std::string_view name, family_preference prefer) {
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    return detail::resolver_error("resolve", EAI_NONAME);
  }
  auto job = std::make_shared<resolve_job>();
  job->name = std::string(name);
  job->prefer = prefer;
  job->fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (job->fd < 0) return system_error("resolve", errno);
  if (endpoint ep; parse_ip_literal(name, 0, ep)) {
    // No lookup to wait for: answered here, exactly as resolve() answers.
    complete(*job, resolve(name, prefer));
    return resolve_request(std::move(job));
  }
  pool& p = the_pool();
  std::lock_guard lock(p.m);
  p.queue.push_back(job);
  if (p.queue.size() > p.idle && p.threads < detail::resolver_max_threads && !spawn_worker(p) &&
      p.threads == 0) {
    p.queue.pop_back();
    close_fd(*job);
    return system_error("resolve", EAGAIN);
  }
  p.cv.notify_one();
  return resolve_request(std::move(job));
}

resolve_request& resolve_request::operator=(resolve_request&& other) noexcept {
  if (this != &other) {
    cancel();
    job_ = std::move(other.job_);
  }
  return *this;
}

resolve_request::~resolve_request() { cancel(); }

int resolve_request::fd() const noexcept {
  if (!job_) return -1;
  std::lock_guard lock(the_pool().m);
  return job_->fd;
}

resolve_state resolve_request::state() const noexcept {
  if (!job_) return resolve_state::cancelled;
  std::lock_guard lock(the_pool().m);
  return job_->state;
}

namespace {

error not_usable(resolve_state s) {
  if (s == resolve_state::finalized) {
    return library_error("resolve", EALREADY, "request already finalized");
  }
  return library_error("resolve", ECANCELED, "request cancelled");
}

}  // namespace

result<bool> resolve_request::poll() const {
  const resolve_state s = state();
  if (s == resolve_state::pending) return false;
  if (s == resolve_state::done) return true;
  return not_usable(s);
}

void resolve_request::cancel() noexcept {
  if (!job_) return;
  pool& p = the_pool();
  std::lock_guard lock(p.m);
  resolve_job& job = *job_;
  if (job.state == resolve_state::pending || job.state == resolve_state::done) {
    job.state = resolve_state::cancelled;
    job.answer.reset();
    close_fd(job);
    // A queued lookup gives up its place now; a running one ends with its worker.
    if (auto it = std::find(p.queue.begin(), p.queue.end(), job_); it != p.queue.end()) {
      p.queue.erase(it);
    }
  }
}

result<std::vector<resolved_address>> resolve_request::finalize() {
  if (!job_) return not_usable(resolve_state::cancelled);
  std::lock_guard lock(the_pool().m);
  resolve_job& job = *job_;
  if (job.state == resolve_state::pending) {
    return library_error("resolve", EAGAIN, "lookup still pending");
  }
  if (job.state != resolve_state::done) return not_usable(job.state);
  job.state = resolve_state::finalized;
  close_fd(job);
  auto answer = std::move(*job.answer);
  job.answer.reset();
  return answer;
}

unsigned detail::resolver_threads() noexcept {
  pool& p = the_pool();
  std::lock_guard lock(p.m);
  return p.threads;
}

}  // namespace lsock
