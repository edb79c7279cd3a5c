#include "port_scan.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <lsock/poll.hpp>

#include "monotonic_time.hpp"
#include "output.hpp"
#include "stop_signal.hpp"

namespace lsock::cli {
namespace {

/// Descriptors kept free for stdio, the selector and whatever else the process holds.
constexpr std::size_t reserved_fds = 32;

struct attempt {
  lsock::socket s;
  std::size_t index = 0;  ///< into the port list and the results
  std::int64_t start_ns = 0;
};

port_state state_of(const lsock::error& e) {
  return e.name == "ECONNREFUSED" ? port_state::closed : port_state::error;
}

void finish(port_result& r, std::int64_t start_ns, const result<void>& outcome) {
  r.rtt_ms = elapsed_ms(start_ns);
  if (outcome) {
    r.state = port_state::open;
    return;
  }
  r.state = state_of(outcome.error());
  if (r.state == port_state::error) r.error = outcome.error();
}

/// The scan's moving parts: the attempts in flight (oldest first) and the results so far.
class scanner {
 public:
  scanner(const std::string& addr, const std::vector<int>& ports, const scan_settings& settings)
      : addr_(addr), ports_(ports), settings_(settings), results_(ports.size()) {
    for (std::size_t i = 0; i < ports.size(); ++i) results_[i].port = ports[i];
  }

  [[nodiscard]] bool finished() const { return next_ == ports_.size() && flight_.empty(); }
  [[nodiscard]] std::size_t done() const { return done_; }
  [[nodiscard]] std::size_t open() const { return open_; }

  /// Starts attempts until `concurrency` are in flight or every port has been started.
  void fill() {
    while (flight_.size() < settings_.concurrency && next_ < ports_.size()) {
      const std::int64_t start = now_ns();
      auto s = lsock::socket::connect(socket_type::tcp, addr_, ports_[next_]);
      if (!s) {
        // Out of descriptors with attempts in flight: retry this port once some finish.
        const bool no_fds = s.error().name == "EMFILE" || s.error().name == "ENFILE";
        if (no_fds && !flight_.empty()) return;
        complete(next_++, start, s.error());
        continue;
      }
      flight_.push_back({std::move(*s), next_++, start});
    }
  }

  /// Waits (at most 100 ms, so Ctrl-C is seen) for answers, then sorts out what answered and
  /// what ran out of time.
  result<void> step(selector& sel) {
    if (flight_.empty()) return {};
    fds_.clear();
    for (const attempt& a : flight_) fds_.push_back(a.s.fd());
    const std::int64_t timeout_ns = static_cast<std::int64_t>(settings_.timeout_s * 1e9);
    const std::int64_t left_ns = flight_.front().start_ns + timeout_ns - now_ns();
    const std::int64_t wait_ms = std::clamp<std::int64_t>((left_ns + 999'999) / 1'000'000, 0, 100);
    auto ready = sel.wait({}, fds_, wait_ms);
    if (!ready) return ready.error();
    if (*ready) {
      for (const std::size_t i : sel.ready_write()) {
        attempt& a = flight_[i];
        complete(a.index, a.start_ns, a.s.status());
        (void)a.s.close();
      }
    }
    const std::int64_t now = now_ns();
    for (attempt& a : flight_) {
      if (a.s.is_open() && now - a.start_ns >= timeout_ns) {
        results_[a.index].state = port_state::filtered;
        ++done_;
        (void)a.s.close();
      }
    }
    std::erase_if(flight_, [](const attempt& a) { return !a.s.is_open(); });
    return {};
  }

  /// The results of the ports that were probed (all of them unless stopped early).
  std::vector<port_result> take() && {
    std::vector<port_result> out;
    for (std::size_t i = 0; i < next_; ++i) {
      const bool pending = std::any_of(flight_.begin(), flight_.end(),
                                       [&](const attempt& a) { return a.index == i; });
      if (!pending) out.push_back(std::move(results_[i]));
    }
    return out;
  }

 private:
  void complete(std::size_t index, std::int64_t start_ns, const result<void>& outcome) {
    finish(results_[index], start_ns, outcome);
    ++done_;
    open_ += results_[index].state == port_state::open;
  }

  const std::string& addr_;
  const std::vector<int>& ports_;
  scan_settings settings_;
  std::vector<port_result> results_;
  std::vector<attempt> flight_;
  std::vector<int> fds_;
  std::size_t next_ = 0;
  std::size_t done_ = 0;
  std::size_t open_ = 0;
};

}  // namespace

const char* state_name(port_state s) noexcept {
  switch (s) {
    case port_state::open:
      return "open";
    case port_state::closed:
      return "closed";
    case port_state::filtered:
      return "filtered";
    case port_state::error:
      return "error";
  }
  return "error";
}

std::vector<port_result> scan_ports(
    const std::string& addr, const std::vector<int>& ports, const scan_settings& settings,
    const std::function<void(std::size_t done, std::size_t open)>& progress) {
  scanner sc(addr, ports, settings);
  selector sel;
  std::int64_t last_report = 0;
  while (!sc.finished() && !stop_requested()) {
    sc.fill();
    if (auto ok = sc.step(sel); !ok) break;
    if (progress && now_ns() - last_report > 100'000'000) {
      last_report = now_ns();
      progress(sc.done(), sc.open());
    }
  }
  if (progress) progress(sc.done(), sc.open());
  return std::move(sc).take();
}

std::size_t fit_descriptor_limit(std::size_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return std::min<std::size_t>(wanted, 64);
  const rlim_t need = wanted + reserved_fds;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < need) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? need : std::min(lim.rlim_max, need);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= need) return wanted;
  return lim.rlim_cur > reserved_fds + 1 ? static_cast<std::size_t>(lim.rlim_cur - reserved_fds)
                                         : 1;
}

}  // namespace lsock::cli
