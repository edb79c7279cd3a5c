#pragma once
// Latency statistics as ping reports them (min/avg/max/mdev) plus percentiles, and a text
// histogram that shows the shape of the distribution.

#include <string>
#include <vector>

namespace lsock::cli {

struct latency_summary {
  double min = 0, avg = 0, max = 0;
  double mdev = 0;  ///< population standard deviation, as ping's mdev
  double p50 = 0, p90 = 0, p99 = 0;
};

/// The summary of `samples_ms` (must not be empty). Percentiles interpolate linearly between
/// the closest ranks, so min <= p50 <= p90 <= p99 <= max always holds.
[[nodiscard]] latency_summary summarize(std::vector<double> samples_ms);

/// Lines of a histogram over log-scaled buckets (each twice as wide as the one before):
/// "  0.016 - 0.032 ms  ########            12". Empty for no samples.
[[nodiscard]] std::vector<std::string> histogram_lines(const std::vector<double>& samples_ms,
                                                       int bar_width = 40);

}  // namespace lsock::cli
