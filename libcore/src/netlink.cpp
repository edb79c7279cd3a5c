#include "detail/netlink.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "detail/syscalls.hpp"
#include "detail/unique_fd.hpp"

namespace lsock::detail::netlink {
namespace {

// <net/if.h> stops at IFF_DYNAMIC; these come from <linux/if.h>, which clashes with it.
constexpr unsigned iff_lower_up = 1U << 16;
constexpr unsigned iff_dormant = 1U << 17;
constexpr unsigned iff_echo = 1U << 18;
constexpr unsigned oper_unknown = 0;  // IF_OPER_UNKNOWN
// Newer than <net/if_arp.h>; from <linux/if_arp.h>, which clashes with <net/if.h> too.
constexpr unsigned arphrd_ip6gre = 823;
constexpr unsigned arphrd_netlink = 824;
constexpr unsigned arphrd_6lowpan = 825;
constexpr std::uint32_t forever = 0xFFFFFFFFU;  // INFINITY_LIFE_TIME
constexpr std::size_t header_size = NLMSG_HDRLEN;

constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3U) & ~std::size_t{3}; }

template <class T>
bool read_struct(std::span<const std::byte> bytes, T& out) noexcept {
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

std::uint32_t read_u32(std::span<const std::byte> bytes) noexcept {
  std::uint32_t v = 0;
  return read_struct(bytes, v) ? v : 0;
}

std::string read_string(std::span<const std::byte> bytes) {
  std::string s(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (const auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

/// Calls on(type, data) for each attribute; a malformed attribute ends the walk, as in the
/// kernel's own nla_for_each_attr().
template <class F>
void for_each_attribute(std::span<const std::byte> attrs, F&& on) {
  while (attrs.size() >= sizeof(rtattr)) {
    rtattr a{};
    std::memcpy(&a, attrs.data(), sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > attrs.size()) return;
    on(static_cast<unsigned>(a.rta_type & NLA_TYPE_MASK),
       attrs.subspan(sizeof(rtattr), a.rta_len - sizeof(rtattr)));
    const std::size_t step = align4(a.rta_len);
    if (step >= attrs.size()) return;
    attrs = attrs.subspan(step);
  }
}

std::span<const std::byte> after(std::span<const std::byte> payload, std::size_t fixed) {
  const std::size_t skip = align4(fixed);
  return skip >= payload.size() ? std::span<const std::byte>{} : payload.subspan(skip);
}

std::string ip_text(int af, std::span<const std::byte> bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(af, bytes.data(), buf, sizeof buf) == nullptr) return "";
  return buf;
}

/// The mask of a prefix: "255.255.255.0" for inet /24.
std::string mask_text(int af, int prefixlen) {
  std::array<std::byte, 16> bytes{};
  const int total = af == AF_INET ? 32 : 128;
  for (int bit = 0; bit < prefixlen && bit < total; ++bit) {
    const auto i = static_cast<std::size_t>(bit / 8);
    bytes[i] |= std::byte{static_cast<unsigned char>(0x80U >> (bit % 8))};
  }
  return ip_text(af, bytes);
}

std::int64_t now_ms() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

/// Waits until the socket is readable or the deadline passes.
result<void> wait_readable(int fd, std::int64_t deadline_ms) {
  const std::int64_t left = deadline_ms - now_ms();
  pollfd p{fd, POLLIN, 0};
  const int rc =
      left <= 0 ? 0 : retry_eintr([&] { return sys().poll(&p, 1, static_cast<int>(left)); });
  if (rc < 0) return system_error("netlink", errno);
  if (rc == 0) return library_error("netlink", ETIMEDOUT, "the kernel did not finish the dump");
  return {};
}

result<void> send_request(int fd, std::uint16_t type, std::uint32_t seq) {
  // The request's body is an ifinfomsg or ifaddrmsg of family AF_UNSPEC: every interface,
  // every address family.
  std::array<std::byte, header_size + sizeof(ifinfomsg)> req{};
  nlmsghdr h{};
  const std::size_t body = type == RTM_GETLINK ? sizeof(ifinfomsg) : sizeof(ifaddrmsg);
  h.nlmsg_len = static_cast<std::uint32_t>(header_size + body);
  h.nlmsg_type = type;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h.nlmsg_seq = seq;
  std::memcpy(req.data(), &h, sizeof h);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const ssize_t n = retry_eintr([&] {
    return sys().sendto(fd, req.data(), h.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                        sizeof kernel);
  });
  if (n < 0) return system_error("netlink", errno);
  if (static_cast<std::size_t>(n) != h.nlmsg_len) {
    return library_error("netlink", EMSGSIZE, "the dump request was cut short");
  }
  return {};
}

}  // namespace

result<chunk> walk(std::span<const std::byte> datagram, std::uint32_t seq,
                   const std::function<void(const message&)>& on) {
  chunk c;
  while (datagram.size() >= header_size) {
    nlmsghdr h{};
    std::memcpy(&h, datagram.data(), sizeof h);
    if (h.nlmsg_len < header_size || h.nlmsg_len > datagram.size()) {
      return library_error("netlink", EPROTO, "malformed netlink reply");
    }
    const message m{h.nlmsg_type, h.nlmsg_flags, h.nlmsg_seq,
                    datagram.subspan(header_size, h.nlmsg_len - header_size)};
    datagram = datagram.subspan(std::min(align4(h.nlmsg_len), datagram.size()));
    if (m.seq != seq) continue;
    if ((m.flags & NLM_F_DUMP_INTR) != 0) c.interrupted = true;
    if (m.type == NLMSG_DONE || m.type == NLMSG_ERROR) {
      // Both carry an int: 0, or the negative errno that ended the dump.
      int code = 0;
      if (!read_struct(m.payload, code) && m.type == NLMSG_ERROR) {
        return library_error("netlink", EPROTO, "malformed netlink error");
      }
      if (code < 0) return system_error("netlink", -code);
      if (m.type == NLMSG_DONE) {
        c.done = true;
        return c;
      }
      continue;  // an acknowledgement
    }
    if (m.type == NLMSG_NOOP) continue;
    on(m);
  }
  return c;
}

bool parse_link(std::span<const std::byte> payload, link_message& out) {
  ifinfomsg ifi{};
  if (!read_struct(payload, ifi) || ifi.ifi_index <= 0) return false;
  out = link_message{};
  out.info.index = static_cast<unsigned>(ifi.ifi_index);
  out.flag_bits = ifi.ifi_flags;
  out.info.link_type = link_type_name(ifi.ifi_type);
  std::span<const std::byte> address, broadcast;
  for_each_attribute(after(payload, sizeof ifi), [&](unsigned type, std::span<const std::byte> d) {
    switch (type) {
      case IFLA_IFNAME:
        out.info.name = read_string(d);
        break;
      case IFLA_MTU:
        out.info.mtu = read_u32(d);
        break;
      case IFLA_OPERSTATE:
        if (!d.empty()) out.info.operstate = operstate_name(std::to_integer<unsigned>(d[0]));
        break;
      case IFLA_ADDRESS:
        address = d;
        break;
      case IFLA_BROADCAST:
        broadcast = d;
        break;
      case IFLA_QDISC:
        out.info.qdisc = read_string(d);
        break;
      case IFLA_TXQLEN:
        out.info.txqlen = read_u32(d);
        break;
      case IFLA_LINK:
        out.link_index = read_u32(d);
        break;
      case IFLA_MASTER:
        out.master_index = read_u32(d);
        break;
      case IFLA_LINK_NETNSID:
        out.link_elsewhere = true;
        break;
      default:
        break;
    }
  });
  if (out.info.operstate.empty()) out.info.operstate = operstate_name(oper_unknown);
  out.info.address = link_address_text(ifi.ifi_type, address);
  out.info.broadcast = link_address_text(ifi.ifi_type, broadcast);
  return !out.info.name.empty();
}

bool parse_address(std::span<const std::byte> payload, address_message& out) {
  ifaddrmsg ifa{};
  if (!read_struct(payload, ifa)) return false;
  if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6) return false;
  const int af = ifa.ifa_family;
  const std::size_t len = af == AF_INET ? 4 : 16;
  out = address_message{};
  out.index = ifa.ifa_index;
  address_info& a = out.info;
  a.family = af == AF_INET ? family::inet : family::inet6;
  a.prefixlen = std::min<int>(ifa.ifa_prefixlen, af == AF_INET ? 32 : 128);
  a.mask = mask_text(af, a.prefixlen);
  a.scope = scope_name(ifa.ifa_scope);
  std::uint32_t flags = ifa.ifa_flags;
  std::string address, local;
  for_each_attribute(after(payload, sizeof ifa), [&](unsigned type, std::span<const std::byte> d) {
    const bool ip = d.size() >= len;
    switch (type) {
      case IFA_ADDRESS:
        address = ip ? ip_text(af, d) : "";
        break;
      case IFA_LOCAL:
        local = ip ? ip_text(af, d) : "";
        break;
      case IFA_BROADCAST:
        a.broadcast = ip ? ip_text(af, d) : "";
        break;
      case IFA_LABEL:
        a.label = read_string(d);
        break;
      case IFA_FLAGS:
        flags = read_u32(d);
        break;  // the full set; ifa_flags holds 8 bits
      case IFA_CACHEINFO: {
        ifa_cacheinfo ci{};
        if (!read_struct(d, ci)) break;
        if (ci.ifa_valid != forever) a.valid_lft = ci.ifa_valid;
        if (ci.ifa_prefered != forever) a.preferred_lft = ci.ifa_prefered;
        break;
      }
      default:
        break;
    }
  });
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs from it only on a
  // point-to-point address, where it is the peer. IPv6 sends IFA_ADDRESS alone.
  a.addr = local.empty() ? address : local;
  if (!local.empty() && !address.empty() && local != address) a.peer = address;
  if (af == AF_INET6 && ifa.ifa_scope == RT_SCOPE_LINK) a.scope_id = ifa.ifa_index;
  a.flags = address_flag_names(a.family, flags);
  return !a.addr.empty() && out.index != 0;
}

std::vector<std::string> link_flag_names(unsigned flags, bool lower_link_down) {
  static constexpr std::pair<unsigned, const char*> names[] = {
      {IFF_LOOPBACK, "LOOPBACK"},
      {IFF_BROADCAST, "BROADCAST"},
      {IFF_POINTOPOINT, "POINTOPOINT"},
      {IFF_MULTICAST, "MULTICAST"},
      {IFF_NOARP, "NOARP"},
      {IFF_ALLMULTI, "ALLMULTI"},
      {IFF_PROMISC, "PROMISC"},
      {IFF_MASTER, "MASTER"},
      {IFF_SLAVE, "SLAVE"},
      {IFF_DEBUG, "DEBUG"},
      {IFF_DYNAMIC, "DYNAMIC"},
      {IFF_AUTOMEDIA, "AUTOMEDIA"},
      {IFF_PORTSEL, "PORTSEL"},
      {IFF_NOTRAILERS, "NOTRAILERS"},
      {IFF_UP, "UP"},
      {iff_lower_up, "LOWER_UP"},
      {iff_dormant, "DORMANT"},
      {iff_echo, "ECHO"},
  };
  std::vector<std::string> out;
  // Like ip: RUNNING is not shown; an interface that is up without it has no carrier.
  if ((flags & IFF_UP) != 0 && (flags & IFF_RUNNING) == 0) out.emplace_back("NO-CARRIER");
  flags &= ~static_cast<unsigned>(IFF_RUNNING);
  for (const auto& [bit, name] : names) {
    if ((flags & bit) == 0) continue;
    out.emplace_back(name);
    flags &= ~bit;
  }
  if (flags != 0) {
    char hex[16];
    (void)std::snprintf(hex, sizeof hex, "%x", flags);
    out.emplace_back(hex);
  }
  if (lower_link_down) out.emplace_back("M-DOWN");
  return out;
}

std::vector<std::string> address_flag_names(lsock::family f, std::uint32_t flags) {
  static constexpr std::pair<std::uint32_t, const char*> names[] = {
      {IFA_F_SECONDARY, "secondary"},       {IFA_F_NODAD, "nodad"},
      {IFA_F_OPTIMISTIC, "optimistic"},     {IFA_F_DADFAILED, "dadfailed"},
      {IFA_F_HOMEADDRESS, "home"},          {IFA_F_DEPRECATED, "deprecated"},
      {IFA_F_TENTATIVE, "tentative"},       {IFA_F_PERMANENT, "dynamic"},
      {IFA_F_MANAGETEMPADDR, "mngtmpaddr"}, {IFA_F_NOPREFIXROUTE, "noprefixroute"},
      {IFA_F_MCAUTOJOIN, "autojoin"},       {IFA_F_STABLE_PRIVACY, "stable-privacy"},
  };
  std::vector<std::string> out;
  for (const auto& [bit, name] : names) {
    const bool set = (flags & bit) != 0;
    flags &= ~bit;
    // ip shows the absence of "permanent" as "dynamic", and IPv6's secondary as "temporary".
    if (bit == IFA_F_PERMANENT) {
      if (!set) out.emplace_back(name);
    } else if (set) {
      out.emplace_back(bit == IFA_F_SECONDARY && f == family::inet6 ? "temporary" : name);
    }
  }
  if (flags != 0) {
    char hex[16];
    (void)std::snprintf(hex, sizeof hex, "%02x", flags);
    out.emplace_back(hex);
  }
  return out;
}

std::string scope_name(unsigned scope) {
  switch (scope) {
    case RT_SCOPE_UNIVERSE:
      return "global";
    case RT_SCOPE_SITE:
      return "site";
    case RT_SCOPE_LINK:
      return "link";
    case RT_SCOPE_HOST:
      return "host";
    case RT_SCOPE_NOWHERE:
      return "nowhere";
    default:
      return std::to_string(scope);
  }
}

std::string operstate_name(unsigned state) {
  static constexpr const char* names[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
                                          "TESTING", "DORMANT",    "UP"};
  if (state < std::size(names)) return names[state];
  return std::to_string(state);
}

std::string link_type_name(unsigned type) {
  static constexpr std::pair<unsigned, const char*> names[] = {
      {ARPHRD_ETHER, "ether"},
      {ARPHRD_LOOPBACK, "loopback"},
      {ARPHRD_NONE, "none"},
      {ARPHRD_VOID, "void"},
      {ARPHRD_PPP, "ppp"},
      {ARPHRD_TUNNEL, "ipip"},
      {ARPHRD_TUNNEL6, "tunnel6"},
      {ARPHRD_SIT, "sit"},
      {ARPHRD_IPGRE, "gre"},
      {arphrd_ip6gre, "gre6"},
      {ARPHRD_IEEE80211, "ieee802.11"},
      {ARPHRD_INFINIBAND, "infiniband"},
      {ARPHRD_CAN, "can"},
      {ARPHRD_SLIP, "slip"},
      {ARPHRD_CSLIP, "cslip"},
      {ARPHRD_IEEE1394, "ieee1394"},
      {ARPHRD_IEEE802154, "ieee802.15.4"},
      {ARPHRD_IEEE80211_RADIOTAP, "ieee802.11/radiotap"},
      {ARPHRD_FDDI, "fddi"},
      {ARPHRD_HDLC, "cisco"},
      {ARPHRD_RAWHDLC, "rawhdlc"},
      {ARPHRD_X25, "x25"},
      {ARPHRD_ATM, "atm"},
      {arphrd_netlink, "netlink"},
      {arphrd_6lowpan, "6lowpan"},
      {ARPHRD_PIMREG, "pimreg"},
  };
  for (const auto& [t, name] : names) {
    if (t == type) return name;
  }
  return "[" + std::to_string(type) + "]";
}

std::string link_address_text(unsigned type, std::span<const std::byte> bytes) {
  if (bytes.empty()) return "";
  const bool ip4_tunnel = type == ARPHRD_TUNNEL || type == ARPHRD_SIT || type == ARPHRD_IPGRE;
  if (bytes.size() == 4 && ip4_tunnel) return ip_text(AF_INET, bytes);
  if (bytes.size() == 16 && (type == ARPHRD_TUNNEL6 || type == arphrd_ip6gre)) {
    return ip_text(AF_INET6, bytes);
  }
  std::string out;
  for (const std::byte b : bytes) {
    char hex[4];
    (void)std::snprintf(hex, sizeof hex, out.empty() ? "%02x" : ":%02x",
                        std::to_integer<unsigned>(b));
    out += hex;
  }
  return out;
}

result<void> dump(std::uint16_t type, int timeout_ms,
                  const std::function<void(const message&)>& on) {
  static std::atomic<std::uint32_t> next_seq{1};
  const std::uint32_t seq = next_seq.fetch_add(1);
  unique_fd fd(sys().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  if (!fd.valid()) return system_error("netlink", errno);
  if (auto sent = send_request(fd.get(), type, seq); !sent) return sent;
  // Big enough for any dump datagram the kernel builds for a reader with this buffer; MSG_TRUNC
  // makes recvfrom() report a larger one rather than cut it silently.
  std::vector<std::byte> buf(std::size_t{64} * 1024);
  const std::int64_t deadline = now_ms() + timeout_ms;
  constexpr int max_datagrams = 1 << 16;
  for (int datagrams = 0; datagrams < max_datagrams;) {
    sockaddr_nl from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = retry_eintr([&] {
      return sys().recvfrom(fd.get(), buf.data(), buf.size(), MSG_TRUNC,
                            reinterpret_cast<sockaddr*>(&from), &from_len);
    });
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (auto ready = wait_readable(fd.get(), deadline); !ready) return ready;
      continue;
    }
    if (n < 0) return system_error("netlink", errno);
    ++datagrams;
    if (static_cast<std::size_t>(n) > buf.size()) {
      return library_error("netlink", EMSGSIZE, "netlink reply larger than the receive buffer");
    }
    if (from.nl_pid != 0) continue;  // only the kernel answers a dump
    auto c = walk(std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n)), seq, on);
    if (!c) return std::move(c).error();
    if (c->interrupted) {
      return library_error("netlink", EAGAIN, "the interfaces changed during the dump");
    }
    if (c->done) return {};
  }
  return library_error("netlink", EOVERFLOW, "the netlink dump did not end");
}

}  // namespace lsock::detail::netlink
