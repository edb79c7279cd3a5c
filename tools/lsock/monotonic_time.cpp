#include "monotonic_time.hpp"

#include <chrono>
#include <cmath>

namespace lsock::cli {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double elapsed_ms(std::int64_t start_ns) {
  return std::round(static_cast<double>(now_ns() - start_ns) / 1000.0) / 1000.0;
}

std::int64_t deadline_after(double seconds) {
  if (!(seconds > 0)) return 0;
  return now_ns() + static_cast<std::int64_t>(seconds * 1e9);
}

bool passed(std::int64_t deadline_ns) { return deadline_ns != 0 && now_ns() >= deadline_ns; }

}  // namespace lsock::cli
