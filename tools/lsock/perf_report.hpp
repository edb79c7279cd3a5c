#pragma once
// One side's view of a perf test: its streams, the interval reports, the totals, and the text
// table (as iperf3 prints it).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "output.hpp"
#include "perf_protocol.hpp"
#include "perf_stream.hpp"

namespace lsock::cli {

/// "3.85 GBytes" (binary prefixes) and "33.1 Gbits/sec" (decimal), as iperf3 writes them.
[[nodiscard]] std::string bytes_text(double bytes);
[[nodiscard]] std::string rate_text(double bits_per_second);
/// An interval's "  1.00-2.00   sec", as iperf3 writes it.
[[nodiscard]] std::string span_text(double a, double b);

class perf_meter {
 public:
  /// `sends`: this side sends. `interval_s` <= 0: no interval reports.
  perf_meter(const perf_params& p, bool sends, double interval_s);

  void add(std::unique_ptr<perf_stream> s) { streams_.push_back(std::move(s)); }
  [[nodiscard]] std::vector<std::unique_ptr<perf_stream>>& streams() noexcept { return streams_; }
  [[nodiscard]] bool sends() const noexcept { return sends_; }

  /// Starts every stream's thread and the clock.
  void start();
  /// Steady-clock ns when the next interval report is due (0: none).
  [[nodiscard]] std::int64_t next_report_ns() const noexcept;
  /// Prints the interval that ended (at `final`: whatever is left since the last one).
  void report(const output& out, bool final);
  void stop_all() noexcept;
  void abort_all() noexcept;
  [[nodiscard]] bool all_done() const noexcept;
  /// The first stream failure, if any.
  [[nodiscard]] std::optional<lsock::error> failure() const;
  /// {bytes, seconds, bits_per_second, retransmits, cpu_percent[, packets, lost, jitter_ms]}.
  [[nodiscard]] json totals() const;
  /// The `start` event: parameters and each stream's endpoints.
  [[nodiscard]] json start_event(double interval_s) const;
  /// Prints the text header of the interval table.
  void print_header(const output& out) const;

 private:
  [[nodiscard]] json stream_interval(std::size_t i, double span_s);
  void print_interval(const output& out, const json& ev) const;

  perf_params p_;
  bool sends_;
  double interval_s_;
  std::vector<std::unique_ptr<perf_stream>> streams_;
  std::int64_t t0_ = 0;
  double cpu0_ = 0;
  int reports_ = 0;
  double last_end_s_ = 0;
  std::vector<stream_snapshot> last_;
  std::vector<std::uint32_t> last_retrans_;
};

/// The `end` event of one side: `local` and `remote` are the two sides' totals.
[[nodiscard]] json end_event(const perf_params& p, bool local_sends, const json& local,
                             const json& remote, bool interrupted);
/// The text summary iperf3 prints after the table.
void print_summary(const output& out, const json& end);

/// `v` to a multiple of `unit` (1, 0.001, 1e-6), as the double nearest that decimal: multiplying
/// back by `unit` would print as 1.0400049999999998 where 1.040005 is meant.
double round_to(double v, double unit);

}  // namespace lsock::cli
