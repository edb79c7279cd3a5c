#pragma once
/// Per-socket kernel knobs and counters a throughput test needs: buffer sizes and TCP_INFO.

#include <cstdint>

#include "lsock/result.hpp"
#include "lsock/socket.hpp"

namespace lsock {

/// What TCP_INFO tells about a connected TCP socket.
struct tcp_stats {
  std::uint32_t retransmits = 0;  ///< segments retransmitted over the connection's life
  std::uint32_t rtt_us = 0;       ///< smoothed round-trip time
  std::uint32_t rttvar_us = 0;    ///< its variation
  std::uint64_t snd_cwnd = 0;     ///< congestion window in bytes (segments × MSS), as iperf3
};

/// TCP_INFO of a tcp socket. Errors: EBADF on a closed socket, ENOPROTOOPT on a non-TCP one.
result<tcp_stats> tcp_statistics(const socket& s);

/// SO_SNDBUF / SO_RCVBUF. The kernel doubles the value and caps it at net.core.wmem_max /
/// rmem_max.
result<void> set_send_buffer(socket& s, int bytes);
result<void> set_receive_buffer(socket& s, int bytes);

}  // namespace lsock
