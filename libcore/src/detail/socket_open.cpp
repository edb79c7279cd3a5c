#include "detail/socket_open.hpp"

#include <cerrno>

#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"

namespace lsock::detail {

result<unique_fd> open_socket(const endpoint& ep, socket_type type) {
  const int kind = type == socket_type::tcp ? SOCK_STREAM : SOCK_DGRAM;
  unique_fd fd(sys().socket(as_sockaddr(ep)->sa_family, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return system_error("socket", errno);
  return fd;
}

result<void> bind_source(const unique_fd& fd, const endpoint& to, std::string_view source) {
  endpoint local;
  if (!parse_ip_literal(source, 0, local)) {
    return library_error("bind", EINVAL, "source must be an IP address");
  }
  if (local.family() != to.family()) {
    return library_error("bind", EAFNOSUPPORT,
                         "source address family differs from the destination's");
  }
  if (sys().bind(fd.get(), as_sockaddr(local), local.size()) < 0) {
    return system_error("bind", errno);
  }
  return {};
}

}  // namespace lsock::detail
