#pragma once
// UDP request/response for `udp-send --reply`: send, wait for the peer's answer, resend after
// each timeout without one. ncat exits at end of input and misses the answer; this waits.

#include <lsock/socket.hpp>
#include <string>

#include "output.hpp"

namespace lsock::cli {

struct exchange_plan {
  std::string data;
  long long replies = 1;  ///< stop after this many replies
  long long retries = 0;  ///< resends after a timeout with no reply
  double timeout_s = 1;   ///< per attempt
};

/// Sends `plan.data` on the connected socket and reports each reply (`from`, payload, `rtt_ms`
/// from the latest send). One JSON document {to, attempts, sent, replies [...], state}. An ICMP
/// port unreachable (ECONNREFUSED) ends it at once as `refused`. Exit 0 when a reply came,
/// else 1.
int exchange_datagrams(lsock::socket& sock, const exchange_plan& plan, const output& out);

}  // namespace lsock::cli
