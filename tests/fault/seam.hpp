#pragma once
// Test support: programs libcore's syscall seam (detail::sys()) to fail, records what libcore
// did through it, and answers name lookups from a small table so no test or fuzzer ever asks
// a DNS server. Header-only; used by the fault tests and the fuzz targets.
//
//   seam::guard g;                                      // installs the recording table
//   seam::fail(seam::call::bind, EADDRINUSE);           // the next bind() fails
//   seam::fail(seam::call::recv, EINTR, 3);             // the next three recv() calls fail
//   seam::fake_dns("two.test", {"127.0.0.1", "::1"});   // getaddrinfo answers from a table
//   ... ~guard restores the real table.

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "detail/syscalls.hpp"

namespace lsock::seam {

/// The seam's entries that can be programmed to fail.
enum class call {
  socket,
  setsockopt,
  getsockopt,
  bind,
  listen,
  connect,
  accept,
  recv,
  recvfrom,
  send,
  sendto,
  getsockname,
  getpeername,
  close,
  poll,
  getaddrinfo,
  getifaddrs,
  shutdown,
  count_
};

/// "Fail `times` calls (-1: every call) with `errnum`, after letting `skip` calls through."
struct fault {
  int errnum = 0;
  int times = 0;
  int skip = 0;
  int level = -1;      ///< setsockopt only: fail only this level...
  int option = -1;     ///< ...and this option name (-1: any)
  int delay_ms = 0;    ///< sleep this long before failing (an interrupted wait)
  int eai_errno = 0;   ///< getaddrinfo only: errno left behind (EAI_SYSTEM)
  bool after = false;  ///< connect only: make the real call, then report the error (EINTR and
                       ///< EINPROGRESS mean "it goes on in the background")
};

/// A name the fake resolver knows: its addresses (numeric text, in order) or its failure.
struct dns_answer {
  std::vector<std::string> addrs;
  int eai = 0;             ///< non-zero: getaddrinfo returns this
  int eai_errno = 0;       ///< with EAI_SYSTEM: the errno left behind
  bool odd_first = false;  ///< put an AF_UNIX entry first (glibc never does; a resolver might)
  bool odd_only = false;   ///< answer only with an entry of an unexpected family
};

struct state {
  std::array<fault, static_cast<std::size_t>(call::count_)> faults{};
  std::array<int, static_cast<std::size_t>(call::count_)> calls{};
  std::size_t short_cap = 0;          ///< send/sendto move at most this many bytes...
  int short_times = 0;                ///< ...for this many calls (-1: every call)
  std::vector<int> opened;            ///< descriptors made by socket() and accept4()
  std::vector<int> closed;            ///< descriptors passed to close()
  std::vector<int> setsockopt_names;  ///< option names set, in order
  int gai_ok = 0;                     ///< getaddrinfo() calls that returned a list
  int gai_freed = 0;                  ///< freeaddrinfo() calls
  int ifa_ok = 0;
  int ifa_freed = 0;
  std::string last_node;  ///< what getaddrinfo was last asked
  addrinfo last_hints{};
  std::map<std::string, dns_answer> dns;
  std::set<addrinfo*> fake_lists;
  bool fake_interfaces = false;  ///< getifaddrs answers with a synthetic list
  std::set<ifaddrs*> fake_ifa_lists;
};

inline state& st() {
  static state s;
  return s;
}

inline fault& fault_for(call c) { return st().faults[static_cast<std::size_t>(c)]; }

/// Programs `c` to fail.
inline void fail(call c, int errnum, int times = 1, int skip = 0) {
  fault f;
  f.errnum = errnum;
  f.times = times;
  f.skip = skip;
  fault_for(c) = f;
}
/// setsockopt(level, option) fails (other options go through).
inline void fail_option(int level, int option, int errnum, int times = 1) {
  fail(call::setsockopt, errnum, times);
  fault_for(call::setsockopt).level = level;
  fault_for(call::setsockopt).option = option;
}
/// The next `times` send/sendto calls move at most `cap` bytes.
inline void short_writes(std::size_t cap, int times = 1) {
  st().short_cap = cap;
  st().short_times = times;
}
/// How often libcore made this call since the guard was installed.
inline int calls(call c) { return st().calls[static_cast<std::size_t>(c)]; }

/// getaddrinfo answers `name` with these addresses (only names in the table ever resolve;
/// anything else is tried as a numeric address and never reaches DNS).
inline void fake_dns(const std::string& name, std::vector<std::string> addrs) {
  st().dns[name] = dns_answer{std::move(addrs)};
}
inline void fake_dns(const std::string& name, dns_answer a) { st().dns[name] = std::move(a); }

namespace impl {

inline const detail::syscall_table& real() { return detail::real_syscalls(); }

inline bool inject(call c, int level = -1, int option = -1) {
  auto& s = st();
  ++s.calls[static_cast<std::size_t>(c)];
  fault& f = fault_for(c);
  if (f.times == 0) return false;
  if (c == call::setsockopt &&
      ((f.level != -1 && f.level != level) || (f.option != -1 && f.option != option))) {
    return false;
  }
  if (f.skip > 0) {
    --f.skip;
    return false;
  }
  if (f.times > 0) --f.times;
  if (f.delay_ms > 0) {
    timespec ts{f.delay_ms / 1000, static_cast<long>(f.delay_ms % 1000) * 1000000L};
    nanosleep(&ts, nullptr);
  }
  errno = f.errnum;
  return true;
}

inline std::size_t cap(std::size_t n) {
  auto& s = st();
  if (s.short_times == 0) return n;
  if (s.short_times > 0) --s.short_times;
  return std::min(n, s.short_cap);
}

/// One fake getaddrinfo entry with its own address storage.
struct fake_ai {
  addrinfo ai{};
  sockaddr_storage ss{};
};

inline fake_ai* make_entry(int af, const std::string& text, const addrinfo* hints) {
  auto* e = new fake_ai;
  e->ai.ai_family = af;
  e->ai.ai_socktype = hints ? hints->ai_socktype : 0;
  e->ai.ai_protocol = hints ? hints->ai_protocol : 0;
  e->ai.ai_addr = reinterpret_cast<sockaddr*>(&e->ss);
  if (af == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&e->ss);
    in->sin_family = AF_INET;
    inet_pton(AF_INET, text.c_str(), &in->sin_addr);
    e->ai.ai_addrlen = sizeof(sockaddr_in);
  } else if (af == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&e->ss);
    in6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr);
    e->ai.ai_addrlen = sizeof(sockaddr_in6);
  } else {
    auto* un = reinterpret_cast<sockaddr_un*>(&e->ss);
    un->sun_family = AF_UNIX;
    std::strcpy(un->sun_path, "/odd");
    e->ai.ai_addrlen = sizeof(sockaddr_un);
  }
  return e;
}

/// libcore's resolver threads call getaddrinfo side by side (resolve_request, the CLI's resolve
/// of several hosts): the fake resolver's bookkeeping is serialized.
inline std::mutex& dns_mutex() {
  static std::mutex m;
  return m;
}

inline int fake_getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                            addrinfo** res) {
  const std::lock_guard lock(dns_mutex());
  auto& s = st();
  s.last_node = node ? node : "";
  s.last_hints = hints ? *hints : addrinfo{};
  if (inject(call::getaddrinfo)) {
    errno = fault_for(call::getaddrinfo).eai_errno;
    return fault_for(call::getaddrinfo).errnum;
  }
  const auto it = node ? s.dns.find(node) : s.dns.end();
  if (it == s.dns.end()) {
    // Not in the table: numeric forms only ("fe80::1%lo" included). Never DNS.
    addrinfo h = hints ? *hints : addrinfo{};
    h.ai_flags |= AI_NUMERICHOST;
    const int rc = real().getaddrinfo(node, service, &h, res);
    if (rc == 0) ++s.gai_ok;
    return rc;
  }
  const dns_answer& a = it->second;
  if (a.eai != 0) {
    errno = a.eai_errno;
    return a.eai;
  }
  const int want = hints ? hints->ai_family : AF_UNSPEC;
  std::vector<fake_ai*> entries;
  if (a.odd_first || a.odd_only) entries.push_back(make_entry(AF_UNIX, "", hints));
  if (!a.odd_only) {
    for (const std::string& text : a.addrs) {
      const int af = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
      if (want != AF_UNSPEC && want != af) continue;
      entries.push_back(make_entry(af, text, hints));
    }
  }
  if (entries.empty()) return EAI_NONAME;
  for (std::size_t i = 0; i + 1 < entries.size(); ++i) entries[i]->ai.ai_next = &entries[i + 1]->ai;
  *res = &entries.front()->ai;
  s.fake_lists.insert(*res);
  ++s.gai_ok;
  return 0;
}

inline void fake_freeaddrinfo(addrinfo* list) {
  const std::lock_guard lock(dns_mutex());
  auto& s = st();
  ++s.gai_freed;
  if (s.fake_lists.erase(list) == 0) {
    real().freeaddrinfo(list);
    return;
  }
  // addrinfo is the first member of fake_ai.
  while (list != nullptr) {
    addrinfo* next = list->ai_next;
    delete reinterpret_cast<fake_ai*>(list);
    list = next;
  }
}

/// A synthetic interface list with the entries real systems have and lsocket crashed on:
/// no address at all, a link-layer address, an address without a netmask.
struct fake_ifa {
  ifaddrs ifa{};
  sockaddr_storage addr{}, mask{}, brd{};
  char name[IF_NAMESIZE] = {};
};

inline fake_ifa* make_ifa(const char* name, int af, const char* addr, const char* mask,
                          const char* brd, unsigned flags) {
  auto* e = new fake_ifa;
  std::strncpy(e->name, name, sizeof e->name - 1);
  e->ifa.ifa_name = e->name;
  e->ifa.ifa_flags = flags;
  auto fill = [af](sockaddr_storage& ss, const char* text) -> sockaddr* {
    if (text == nullptr) return nullptr;
    if (af == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&ss);
      in->sin_family = AF_INET;
      inet_pton(AF_INET, text, &in->sin_addr);
    } else if (af == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
      in6->sin6_family = AF_INET6;
      inet_pton(AF_INET6, text, &in6->sin6_addr);
    } else {
      ss.ss_family = static_cast<sa_family_t>(af);  // AF_PACKET: a link-layer address
    }
    return reinterpret_cast<sockaddr*>(&ss);
  };
  if (af != AF_UNSPEC) e->ifa.ifa_addr = fill(e->addr, addr);
  e->ifa.ifa_netmask = af == AF_INET || af == AF_INET6 ? fill(e->mask, mask) : nullptr;
  e->ifa.ifa_broadaddr = af == AF_INET ? fill(e->brd, brd) : nullptr;
  return e;
}

inline int fake_getifaddrs(ifaddrs** out) {
  auto& s = st();
  if (inject(call::getifaddrs)) return -1;
  if (!s.fake_interfaces) {
    const int rc = real().getifaddrs(out);
    if (rc == 0) ++s.ifa_ok;
    return rc;
  }
  const unsigned up = IFF_UP | IFF_RUNNING;
  std::vector<fake_ifa*> v{
      make_ifa("fake0", AF_UNSPEC, nullptr, nullptr, nullptr, up),  // no address at all
      make_ifa("fake0", AF_PACKET, "", nullptr, nullptr, up),
      make_ifa("lo", AF_INET, "127.0.0.1", "255.0.0.0", nullptr, up | IFF_LOOPBACK),
      make_ifa("fake0", AF_INET, "127.0.0.2", "255.255.255.0", "127.0.0.255",
               up | IFF_BROADCAST | IFF_MULTICAST),
      make_ifa("fake0", AF_INET6, "::1", nullptr, nullptr, up),  // no netmask
  };
  for (std::size_t i = 0; i + 1 < v.size(); ++i) v[i]->ifa.ifa_next = &v[i + 1]->ifa;
  *out = &v.front()->ifa;
  s.fake_ifa_lists.insert(*out);
  ++s.ifa_ok;
  return 0;
}

inline void fake_freeifaddrs(ifaddrs* list) {
  auto& s = st();
  ++s.ifa_freed;
  if (s.fake_ifa_lists.erase(list) == 0) {
    real().freeifaddrs(list);
    return;
  }
  while (list != nullptr) {
    ifaddrs* next = list->ifa_next;
    delete reinterpret_cast<fake_ifa*>(list);
    list = next;
  }
}

inline void install() {
  auto& t = detail::sys();
  t.socket = [](int d, int ty, int p) {
    if (inject(call::socket)) return -1;
    const int fd = real().socket(d, ty, p);
    if (fd >= 0) st().opened.push_back(fd);
    return fd;
  };
  t.setsockopt = [](int fd, int l, int n, const void* v, socklen_t len) {
    st().setsockopt_names.push_back(n);
    return inject(call::setsockopt, l, n) ? -1 : real().setsockopt(fd, l, n, v, len);
  };
  t.getsockopt = [](int fd, int l, int n, void* v, socklen_t* len) {
    return inject(call::getsockopt) ? -1 : real().getsockopt(fd, l, n, v, len);
  };
  t.bind = [](int fd, const sockaddr* a, socklen_t l) {
    return inject(call::bind) ? -1 : real().bind(fd, a, l);
  };
  t.listen = [](int fd, int b) { return inject(call::listen) ? -1 : real().listen(fd, b); };
  t.connect = [](int fd, const sockaddr* a, socklen_t l) {
    if (fault_for(call::connect).after && fault_for(call::connect).times != 0) {
      (void)real().connect(fd, a, l);
      return inject(call::connect) ? -1 : 0;
    }
    return inject(call::connect) ? -1 : real().connect(fd, a, l);
  };
  t.accept4 = [](int fd, sockaddr* a, socklen_t* l, int f) {
    if (inject(call::accept)) return -1;
    const int c = real().accept4(fd, a, l, f);
    if (c >= 0) st().opened.push_back(c);
    return c;
  };
  t.recv = [](int fd, void* b, size_t n, int f) -> ssize_t {
    return inject(call::recv) ? -1 : real().recv(fd, b, n, f);
  };
  t.recvfrom = [](int fd, void* b, size_t n, int f, sockaddr* a, socklen_t* l) -> ssize_t {
    return inject(call::recvfrom) ? -1 : real().recvfrom(fd, b, n, f, a, l);
  };
  t.send = [](int fd, const void* b, size_t n, int f) -> ssize_t {
    return inject(call::send) ? -1 : real().send(fd, b, cap(n), f);
  };
  t.sendto = [](int fd, const void* b, size_t n, int f, const sockaddr* a, socklen_t l) -> ssize_t {
    return inject(call::sendto) ? -1 : real().sendto(fd, b, cap(n), f, a, l);
  };
  t.getsockname = [](int fd, sockaddr* a, socklen_t* l) {
    return inject(call::getsockname) ? -1 : real().getsockname(fd, a, l);
  };
  t.getpeername = [](int fd, sockaddr* a, socklen_t* l) {
    return inject(call::getpeername) ? -1 : real().getpeername(fd, a, l);
  };
  t.close = [](int fd) {
    st().closed.push_back(fd);
    // Linux releases the descriptor even when close() reports an error: so do we.
    const int rc = real().close(fd);
    const int saved = errno;
    if (inject(call::close)) return -1;
    errno = saved;
    return rc;
  };
  t.poll = [](pollfd* fds, nfds_t n, int ms) {
    return inject(call::poll) ? -1 : real().poll(fds, n, ms);
  };
  t.getaddrinfo = fake_getaddrinfo;
  t.freeaddrinfo = fake_freeaddrinfo;
  t.getifaddrs = fake_getifaddrs;
  t.freeifaddrs = fake_freeifaddrs;
  t.shutdown = [](int fd, int how) {
    return inject(call::shutdown) ? -1 : real().shutdown(fd, how);
  };
}

}  // namespace impl

/// Installs the recording, programmable table for its lifetime; the real one comes back when
/// it ends, whatever happened in between.
class guard {
 public:
  guard() {
    st() = state{};
    impl::install();
  }
  ~guard() {
    detail::restore_syscalls();
    // Lists the code under test never freed stay allocated, and LeakSanitizer reports them.
    st().faults = {};
  }
  guard(const guard&) = delete;
  guard& operator=(const guard&) = delete;
};

/// True when `fd` was passed to close() through the seam.
inline bool was_closed(int fd) {
  const auto& c = st().closed;
  return std::find(c.begin(), c.end(), fd) != c.end();
}

/// Descriptors made through the seam (socket(), accept4()) and not yet closed through it.
/// Descriptor numbers are reused, so opens and closes are counted per number.
inline int still_open() {
  std::map<int, int> balance;
  for (int fd : st().opened) ++balance[fd];
  for (int fd : st().closed) --balance[fd];
  int n = 0;
  for (const auto& [fd, b] : balance) n += b > 0 ? b : 0;
  return n;
}

/// getaddrinfo fails with `eai` (and errno `err`, for EAI_SYSTEM) `times` times.
inline void fail_resolver(int eai, int err = 0, int times = 1) {
  fail(call::getaddrinfo, eai, times);
  fault_for(call::getaddrinfo).eai_errno = err;
}

}  // namespace lsock::seam
