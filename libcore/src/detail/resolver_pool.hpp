#pragma once
// The size and lifetime of the resolver's worker pool (async_resolve.cpp), for libcore and its
// tests; callers of resolve_request need none of it.

namespace lsock::detail {

/// Most lookups that run at the same time; more requests wait in a queue.
inline constexpr unsigned resolver_max_threads = 8;
/// How long a worker thread without work lives on.
inline constexpr int resolver_idle_ms = 1000;

/// Worker threads alive now (for tests and diagnostics).
[[nodiscard]] unsigned resolver_threads() noexcept;

}  // namespace lsock::detail
