#pragma once
// Socket settings both perf ends apply to their data sockets.

#include <lsock/socket.hpp>

#include "perf_protocol.hpp"

namespace lsock::cli {

/// Larger socket buffers where they help (UDP: room for bursts at high bitrates); TCP keeps
/// the kernel's autotuning, which a fixed SO_SNDBUF/SO_RCVBUF would switch off.
void tune_data_socket(lsock::socket& s, const perf_params& p);

/// Default write size: TCP 128 KiB, UDP 1460 bytes (iperf3's).
[[nodiscard]] std::size_t default_length(bool udp);

}  // namespace lsock::cli
