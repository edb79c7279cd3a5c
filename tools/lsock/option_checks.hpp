#pragma once
// Checks of option values, with messages people can act on.

#include <CLI/CLI.hpp>

namespace lsock::cli {

/// A whole number in [min, max]: "--count: expected a whole number from 1, got '0'".
[[nodiscard]] CLI::Validator whole_number(long long min, long long max);
/// A year: every wait and interval stays far from the int64 nanoseconds (292 years) that
/// deadlines are counted in, so `1e10` cannot overflow into a deadline in the past.
inline constexpr double max_seconds = 31'536'000;
/// A number of seconds from 0 to `max`: "--timeout: expected seconds from 0 to 31536000 (such
/// as 2 or 0.5), got '-1'".
[[nodiscard]] CLI::Validator seconds(double max = max_seconds);

}  // namespace lsock::cli
