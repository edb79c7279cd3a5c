#include "perf_tuning.hpp"

#include <lsock/socket_tuning.hpp>

namespace lsock::cli {

void tune_data_socket(lsock::socket& s, const perf_params& p) {
  if (!p.udp) return;
  // Best effort: the kernel caps the size at net.core.{w,r}mem_max; a refusal changes nothing.
  (void)set_send_buffer(s, 4 * 1024 * 1024);
  (void)set_receive_buffer(s, 4 * 1024 * 1024);
}

std::size_t default_length(bool udp) { return udp ? 1460 : 128 * 1024; }

}  // namespace lsock::cli
