#include "wait_until.hpp"

#include <algorithm>
#include <vector>

#include "monotonic_time.hpp"
#include "stop_signal.hpp"

namespace lsock::cli {
namespace {

/// The wait itself, `wait(ms)` one selector call; `wakes`: the read table holds the stop wake
/// pipe, so no slices are needed.
template <class Wait>
result<bool> wait_loop(Wait&& wait, std::int64_t deadline_ns, bool wakes) {
  constexpr std::int64_t slice_ms = 100;
  while (!stop_requested()) {
    std::int64_t wait_ms = wakes ? -1 : slice_ms;
    if (deadline_ns != 0) {
      const std::int64_t left_ms = (deadline_ns - now_ns() + 999'999) / 1'000'000;
      if (left_ms <= 0) return false;
      wait_ms = wait_ms < 0 ? left_ms : std::min(wait_ms, left_ms);
    }
    auto r = wait(wait_ms);
    if (!r) return r;
    if (*r && !stop_requested()) return true;
  }
  return false;
}

}  // namespace

result<bool> wait_until(selector& sel, std::span<const int> read_fds,
                        std::span<const int> write_fds, std::int64_t deadline_ns) {
  const int wake_fd = stop_wake_fd();
  const bool wakes = wake_fd >= 0;
  // The wake pipe goes last, so the callers' indices into ready_read() stay theirs; it is
  // readable only after a signal, and then this returns false.
  std::vector<int> reads(read_fds.begin(), read_fds.end());
  if (wakes) reads.push_back(wake_fd);
  return wait_loop([&](std::int64_t ms) { return sel.wait(reads, write_fds, ms); }, deadline_ns,
                   wakes);
}

result<bool> wait_until_woken(selector& sel, watch_table& reads, watch_table& writes,
                              std::int64_t deadline_ns) {
  auto wait = [&](std::int64_t ms) {
    // Told only when neither table changed since the selector last saw them.
    auto r = reads.changed() || writes.changed()
                 ? sel.wait(reads.fds(), writes.fds(), ms)
                 : sel.wait_unchanged(reads.fds(), writes.fds(), ms);
    reads.waited();
    writes.waited();
    return r;
  };
  return wait_loop(wait, deadline_ns, stop_wake_fd() >= 0);
}

}  // namespace lsock::cli
