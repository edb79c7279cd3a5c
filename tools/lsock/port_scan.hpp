#pragma once
// Connects to many ports of one address at once, a bounded number in flight, and sorts each
// into open / closed / filtered / error — the engine behind `lsock probe`.

#include <cstdint>
#include <functional>
#include <lsock/error.hpp>
#include <lsock/socket.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lsock::cli {

enum class port_state { open, closed, filtered, error };
[[nodiscard]] const char* state_name(port_state s) noexcept;

struct port_result {
  int port = 0;
  port_state state = port_state::filtered;
  double rtt_ms = 0;                  ///< time to the answer (open / closed / error)
  std::optional<lsock::error> error;  ///< for `error` (EHOSTUNREACH...)
};

struct scan_settings {
  std::size_t concurrency = 256;  ///< attempts in flight at most
  double timeout_s = 1;           ///< per port: no answer within it is `filtered`
};

/// Probes every port of `ports` on `addr` (an IP literal); results in ascending port order.
/// `progress(done)` is called now and then as ports finish. Stops early on Ctrl-C (the ports
/// not yet probed are missing from the result).
[[nodiscard]] std::vector<port_result> scan_ports(
    const std::string& addr, const std::vector<int>& ports, const scan_settings& settings,
    const std::function<void(std::size_t done, std::size_t open)>& progress);

/// How many attempts may be in flight under RLIMIT_NOFILE: the soft limit is first raised
/// towards the hard one; `wanted` is lowered to what fits, keeping room for stdio and the
/// like.
[[nodiscard]] std::size_t fit_descriptor_limit(std::size_t wanted);

}  // namespace lsock::cli
