#include "latency_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

namespace lsock::cli {
namespace {

/// The q-quantile (0..1) of sorted samples, interpolated between neighbouring ranks.
double quantile(const std::vector<double>& sorted, double q) {
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

std::string fixed3(double v) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

latency_summary summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  latency_summary s;
  const auto n = static_cast<double>(samples.size());
  s.min = samples.front();
  s.max = samples.back();
  s.avg = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double sq = 0;
  for (const double v : samples) sq += (v - s.avg) * (v - s.avg);
  s.mdev = std::sqrt(sq / n);
  s.p50 = quantile(samples, 0.50);
  s.p90 = quantile(samples, 0.90);
  s.p99 = quantile(samples, 0.99);
  return s;
}

std::vector<std::string> histogram_lines(const std::vector<double>& samples, int bar_width) {
  if (samples.empty()) return {};
  // Bucket k holds [2^k, 2^(k+1)) microseconds; a sample under 1 µs goes to bucket 0.
  std::map<int, std::size_t> buckets;
  for (const double ms : samples) {
    const double us = std::max(ms * 1000.0, 1.0);
    ++buckets[static_cast<int>(std::floor(std::log2(us)))];
  }
  std::size_t top = 0;
  for (const auto& [k, count] : buckets) top = std::max(top, count);
  std::vector<std::string> lines;
  for (int k = buckets.begin()->first; k <= buckets.rbegin()->first; ++k) {
    const auto it = buckets.find(k);
    const std::size_t count = it == buckets.end() ? 0 : it->second;
    const auto len = static_cast<std::size_t>(
        std::ceil(static_cast<double>(count) * bar_width / static_cast<double>(top)));
    const std::string range =
        fixed3(std::ldexp(1.0, k) / 1000) + "-" + fixed3(std::ldexp(1.0, k + 1) / 1000) + " ms";
    std::string line = std::string(range.size() < 20 ? 20 - range.size() : 0, ' ') + range + " ";
    const std::size_t bar_start = line.size();
    line += std::string(len, '#');
    line.resize(bar_start + static_cast<std::size_t>(bar_width) + 1, ' ');
    lines.push_back(line + std::to_string(count));
  }
  return lines;
}

}  // namespace lsock::cli
