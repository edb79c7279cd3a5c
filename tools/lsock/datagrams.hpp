#pragma once
// The receive and send loops udp-listen / mcast-join and udp-send / mcast-send share.

#include <lsock/socket.hpp>
#include <string>

#include "output.hpp"

namespace lsock::cli {

struct receive_limits {
  long long count = 0;  ///< stop after this many datagrams (0: no limit)
  double timeout = 0;   ///< stop after this many seconds (0: none)
  bool echo = false;    ///< send each datagram back to its sender
};

/// Prints a `datagram` event per datagram until the count, the timeout or Ctrl-C, then a
/// `summary`. Exit code: 1 when a --count was not reached before the timeout, else 0.
int receive_datagrams(lsock::socket& sock, const receive_limits& limits, const output& out);

struct send_plan {
  std::string data;
  long long count = 1;
  long long interval_ms = 0;
};

/// Sends `plan.count` datagrams `plan.interval_ms` apart on a connected socket; prints one JSON
/// document {to, sent: [...], datagrams, bytes, elapsed_ms}. Exit code 0 or 1.
int send_datagrams(lsock::socket& sock, const send_plan& plan, const output& out);

/// Standard input, whole (for --stdin).
std::string read_stdin();

}  // namespace lsock::cli
