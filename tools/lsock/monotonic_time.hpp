#pragma once
// Time on the steady clock, in nanoseconds: now, milliseconds elapsed, and deadlines.

#include <cstdint>

namespace lsock::cli {

[[nodiscard]] std::int64_t now_ns();
/// Milliseconds since `start` (steady clock), rounded to microseconds.
[[nodiscard]] double elapsed_ms(std::int64_t start_ns);
/// A deadline `seconds` from now (steady clock ns), or 0 for none (seconds <= 0).
[[nodiscard]] std::int64_t deadline_after(double seconds);
[[nodiscard]] bool passed(std::int64_t deadline_ns);

}  // namespace lsock::cli
