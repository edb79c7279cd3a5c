#pragma once
// The fuzz targets' sandbox, installed in libcore's syscall seam: whatever bytes a fuzzer
// invents, nothing leaves the machine and nothing reaches anyone else's socket.
//
// - Names resolve only from a small table (localhost, two.test...) or as numeric literals:
//   no DNS query is ever sent.
// - bind: only 127.0.0.0/8, ::1 and port 0; unix paths only inside the sandbox directory
//   (the working directory while fuzzing), abstract names only "@lsock-fuzz...".
// - connect / sendto: only to loopback ports bound by this process and still open, and to
//   unix addresses as above, and to the kernel's routing socket (the read-only interface
//   dump of `ifaces`). Everything else fails as the kernel would (ENETUNREACH, ECONNREFUSED,
//   EACCES).
// - Multicast group joins are refused (ENODEV): a join would send IGMP/MLD reports.

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "../fault/seam.hpp"
#include "detail/syscalls.hpp"

namespace lsock::fuzz {

struct sandbox_state {
  std::string dir;                        ///< absolute path of the sandbox directory
  std::map<int, int> port_of_fd;          ///< loopback sockets bound here: fd → port
  std::multiset<int> owned_ports;         ///< ports of those sockets
  std::map<int, std::string> path_of_fd;  ///< unix paths bound here (unlinked on close)
};

inline sandbox_state& sb() {
  static sandbox_state s;
  return s;
}

inline bool is_loopback(const sockaddr* sa, socklen_t len) {
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto a = ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr);
    return (a >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return false;
}

inline int port_of(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
}

/// A unix address the sandbox allows: "@lsock-fuzz...", a relative path without "..", or a
/// path inside the sandbox directory without "..". `path` receives a filesystem path.
inline bool unix_allowed(const sockaddr* sa, socklen_t len, std::string* path = nullptr) {
  constexpr socklen_t off = offsetof(sockaddr_un, sun_path);
  if (len <= off) return false;  // unnamed: autobind, harmless, but nothing to talk to
  const auto* un = reinterpret_cast<const sockaddr_un*>(sa);
  const std::size_t n = len - off;
  if (un->sun_path[0] == '\0') {
    return std::string_view(un->sun_path + 1, n - 1).starts_with("lsock-fuzz");
  }
  const std::string p(un->sun_path, strnlen(un->sun_path, n));
  if (p.find("..") != std::string::npos) return false;
  const bool inside = p[0] != '/' || (p.starts_with(sb().dir + "/"));
  if (inside && path != nullptr) *path = p;
  return inside;
}

/// Decides whether a destination may be used; errno-style refusal or 0.
inline int refuse_destination(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return 0;  // a connected socket's own peer
  if (sa->sa_family == AF_UNIX) return unix_allowed(sa, len) ? 0 : EACCES;
  // `ifaces` asks the kernel (netlink port 0) for a read-only dump of the interfaces.
  if (sa->sa_family == AF_NETLINK) {
    return reinterpret_cast<const sockaddr_nl*>(sa)->nl_pid == 0 ? 0 : EACCES;
  }
  if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) return EAFNOSUPPORT;
  if (!is_loopback(sa, len)) return ENETUNREACH;
  return sb().owned_ports.count(port_of(sa)) != 0 ? 0 : ECONNREFUSED;
}

inline void forget(int fd) {
  auto& s = sb();
  if (auto it = s.port_of_fd.find(fd); it != s.port_of_fd.end()) {
    s.owned_ports.erase(s.owned_ports.find(it->second));
    s.port_of_fd.erase(it);
  }
  if (auto it = s.path_of_fd.find(fd); it != s.path_of_fd.end()) {
    ::unlink(it->second.c_str());  // keeps the sandbox directory from filling up
    s.path_of_fd.erase(it);
  }
}

/// Creates the sandbox directory, makes it the working directory, and installs the table.
/// Call once (from LLVMFuzzerInitialize or the first input).
inline void install_sandbox() {
  char tmpl[] = "/tmp/lsock-fuzz-XXXXXX";
  if (mkdtemp(tmpl) == nullptr || chdir(tmpl) != 0) std::abort();
  sb().dir = tmpl;
  (void)std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(sb().dir, ec);
  });
  auto& t = detail::sys();
  t = detail::real_syscalls();
  t.getaddrinfo = seam::impl::fake_getaddrinfo;
  t.freeaddrinfo = seam::impl::fake_freeaddrinfo;
  t.bind = [](int fd, const sockaddr* sa, socklen_t len) {
    std::string path;
    if (sa->sa_family == AF_UNIX) {
      if (!unix_allowed(sa, len, &path)) {
        errno = EACCES;
        return -1;
      }
    } else if (!is_loopback(sa, len)) {
      errno = EADDRNOTAVAIL;
      return -1;
    } else if (port_of(sa) != 0) {
      errno = EADDRINUSE;  // fixed ports belong to someone else
      return -1;
    }
    const int rc = detail::real_syscalls().bind(fd, sa, len);
    if (rc != 0) return rc;
    if (sa->sa_family == AF_UNIX) {
      if (!path.empty()) sb().path_of_fd[fd] = path;
      return rc;
    }
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl) == 0) {
      const int port = port_of(reinterpret_cast<sockaddr*>(&ss));
      forget(fd);
      sb().port_of_fd[fd] = port;
      sb().owned_ports.insert(port);
    }
    return rc;
  };
  t.connect = [](int fd, const sockaddr* sa, socklen_t len) {
    if (const int e = refuse_destination(sa, len); e != 0) {
      errno = e;
      return -1;
    }
    return detail::real_syscalls().connect(fd, sa, len);
  };
  t.sendto = [](int fd, const void* b, size_t n, int f, const sockaddr* sa,
                socklen_t len) -> ssize_t {
    if (const int e = refuse_destination(sa, len); e != 0) {
      errno = e;
      return -1;
    }
    return detail::real_syscalls().sendto(fd, b, n, f, sa, len);
  };
  t.setsockopt = [](int fd, int level, int name, const void* v, socklen_t len) {
    if ((level == IPPROTO_IP && (name == IP_ADD_MEMBERSHIP || name == IP_ADD_SOURCE_MEMBERSHIP)) ||
        (level == IPPROTO_IPV6 && name == IPV6_JOIN_GROUP) ||
        ((level == IPPROTO_IP || level == IPPROTO_IPV6) &&
         (name == MCAST_JOIN_GROUP || name == MCAST_JOIN_SOURCE_GROUP))) {
      errno = ENODEV;
      return -1;
    }
    return detail::real_syscalls().setsockopt(fd, level, name, v, len);
  };
  t.close = [](int fd) {
    forget(fd);
    return detail::real_syscalls().close(fd);
  };
  // The names a fuzzer may use, answered without DNS: loopback addresses only.
  seam::fake_dns("localhost", {"127.0.0.1", "::1"});
  seam::fake_dns("ip6-localhost", {"::1"});
  seam::fake_dns("two.test", {"::1", "127.0.0.1", "::1"});
  seam::fake_dns("odd.test", seam::dns_answer{{"127.0.0.2"}, 0, 0, true, false});
  seam::fake_dns("oddonly.test", seam::dns_answer{{}, 0, 0, false, true});
  seam::fake_dns("again.test", seam::dns_answer{{}, EAI_AGAIN, 0, false, false});
  seam::fake_dns("system.test", seam::dns_answer{{}, EAI_SYSTEM, EMFILE, false, false});
  seam::fake_dns("cafe", {"127.0.0.3"});  // all hex digits: a name, not a number
}

}  // namespace lsock::fuzz
