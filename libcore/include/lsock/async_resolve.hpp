#pragma once
/// Name lookups that do not block the caller: the lookup runs on a small pool of worker
/// threads inside libcore, and a descriptor turns readable when its answer is in, so it can be
/// waited for beside sockets (selector, Lua's select), bounded by a deadline and abandoned.
///
/// Why a worker pool and not glibc's getaddrinfo_a: getaddrinfo_a reports completion by a
/// signal (SIGEV_SIGNAL: it would take a signal from whatever process loaded the Lua module) or
/// by starting a thread per answer (SIGEV_THREAD), so a descriptor would need a thread anyway;
/// its lookups call glibc's getaddrinfo directly, past libcore's syscall seam that the fault
/// tests and fuzzers use to answer names without DNS; and gai_cancel cannot stop a lookup that
/// has started. The pool calls lsock::resolve, so the answer (IP literals, EAI_* errors,
/// de-duplication) is exactly the blocking call's.
///
/// The pool: at most 8 threads, started when lookups are queued and none is idle, and ending
/// after a second without work, so a process that stops looking names
/// up keeps no threads. A lookup that cannot be stopped (a resolver that does not answer)
/// keeps its thread until the resolver gives up; the request itself, its descriptor and its
/// queue slot are released at once when it is cancelled.

#include <memory>
#include <string_view>
#include <vector>

#include "lsock/address.hpp"
#include "lsock/resolve.hpp"
#include "lsock/result.hpp"

namespace lsock {

namespace detail {
struct resolve_job;
}

/// Where a request stands.
enum class resolve_state {
  pending,    ///< queued or being looked up
  done,       ///< the answer (addresses or error) is in: finalize() takes it
  cancelled,  ///< cancel() was called (or the request was moved from / never started)
  finalized,  ///< finalize() took the answer
};

/// One lookup started by resolve_request::start(). Move-only; destroying an unfinished request
/// cancels it.
class resolve_request {
 public:
  resolve_request() = default;
  resolve_request(resolve_request&&) noexcept = default;
  resolve_request& operator=(resolve_request&& other) noexcept;
  resolve_request(const resolve_request&) = delete;
  resolve_request& operator=(const resolve_request&) = delete;
  ~resolve_request();

  /// Starts looking `name` up and returns at once. IP literals are answered without a thread.
  /// Errors: EAI_NONAME for an empty name or one with a NUL byte; EMFILE/ENFILE when no
  /// descriptor is left; EAGAIN when no thread can be started and none runs.
  static result<resolve_request> start(std::string_view name,
                                       family_preference prefer = family_preference::any);

  /// A descriptor (eventfd) that turns readable when the answer is in and stays readable until
  /// finalize() or cancel(); -1 after those. Never read it or close it.
  [[nodiscard]] int fd() const noexcept;
  [[nodiscard]] resolve_state state() const noexcept;

  /// true when the answer is in, false while the lookup runs. Error after cancel()
  /// (ECANCELED, "request cancelled") or finalize() (EALREADY, "request already finalized").
  result<bool> poll() const;
  /// Abandons the lookup: the descriptor is closed and the answer, if it comes, dropped.
  /// Cancelling again, or after finalize(), does nothing.
  void cancel() noexcept;
  /// Takes the answer, once: the addresses as lsock::resolve gives them, or its error. Then the
  /// descriptor is closed. Errors of its own: EAGAIN ("lookup still pending") while pending,
  /// and those of poll() after cancel() / finalize().
  result<std::vector<resolved_address>> finalize();

 private:
  explicit resolve_request(std::shared_ptr<detail::resolve_job> job) noexcept
      : job_(std::move(job)) {}
  std::shared_ptr<detail::resolve_job> job_;
};

}  // namespace lsock
