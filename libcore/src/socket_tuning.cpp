#include "lsock/socket_tuning.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

#include "detail/socket_buffers.hpp"
#include "detail/syscalls.hpp"

namespace lsock {
namespace {

result<void> set_int(socket& s, std::string_view op, int name, int value) {
  if (auto ok = s.check_open(op); !ok) return ok;
  if (detail::sys().setsockopt(s.fd(), SOL_SOCKET, name, &value, sizeof value) < 0) {
    return system_error(op, errno);
  }
  return {};
}

result<int> get_int(const socket& s, std::string_view op, int name) {
  if (auto ok = s.check_open(op); !ok) return ok.error();
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(s.fd(), SOL_SOCKET, name, &value, &len) < 0) return system_error(op, errno);
  return value;
}

}  // namespace

result<tcp_stats> tcp_statistics(const socket& s) {
  if (auto ok = s.check_open("getsockopt"); !ok) return ok.error();
  if (s.info().type != socket_type::tcp) {
    return library_error("getsockopt", ENOPROTOOPT, "TCP_INFO needs a tcp socket");
  }
  ::tcp_info ti{};
  socklen_t len = sizeof ti;
  if (::getsockopt(s.fd(), IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) {
    return system_error("getsockopt", errno);
  }
  tcp_stats st;
  st.retransmits = ti.tcpi_total_retrans;
  st.rtt_us = ti.tcpi_rtt;
  st.rttvar_us = ti.tcpi_rttvar;
  st.snd_cwnd = static_cast<std::uint64_t>(ti.tcpi_snd_cwnd) * ti.tcpi_snd_mss;
  return st;
}

result<void> set_send_buffer(socket& s, int bytes) {
  return set_int(s, "setsockopt", SO_SNDBUF, bytes);
}
result<void> set_receive_buffer(socket& s, int bytes) {
  return set_int(s, "setsockopt", SO_RCVBUF, bytes);
}
result<int> detail::send_buffer_size(const socket& s) {
  return get_int(s, "getsockopt", SO_SNDBUF);
}
result<int> detail::receive_buffer_size(const socket& s) {
  return get_int(s, "getsockopt", SO_RCVBUF);
}

}  // namespace lsock
