#include "detail/route.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>

#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"
#include "detail/unique_fd.hpp"

namespace lsock::detail {
namespace {

/// A route as far as interface choice cares.
struct route {
  unsigned char type = RTN_UNSPEC;
  unsigned table = 0;
  unsigned dst_len = 0;
  std::span<const unsigned char> dst;  ///< empty for a default route
  std::vector<unsigned> oifs;          ///< RTA_OIF, or every hop of RTA_MULTIPATH
};

/// RTM_GETROUTE with room for one RTA_DST.
struct route_request {
  nlmsghdr hdr;
  rtmsg msg;
  rtattr dst_attr;
  unsigned char dst[16];
};

std::span<const unsigned char> address_bytes(const endpoint& ep) noexcept {
  if (ep.family() == family::inet) {
    const auto* in = static_cast<const sockaddr_in*>(storage(ep));
    return {reinterpret_cast<const unsigned char*>(&in->sin_addr), 4};
  }
  const auto* in6 = static_cast<const sockaddr_in6*>(storage(ep));
  return {in6->sin6_addr.s6_addr, 16};
}

route_request make_request(const endpoint& dst, bool dump) noexcept {
  const auto bytes = address_bytes(dst);
  route_request req{};
  req.msg.rtm_family =
      static_cast<unsigned char>(dst.family() == family::inet ? AF_INET : AF_INET6);
  req.hdr.nlmsg_type = RTM_GETROUTE;
  req.hdr.nlmsg_seq = 1;
  if (dump) {
    req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    return req;
  }
  req.hdr.nlmsg_flags = NLM_F_REQUEST;
  req.msg.rtm_dst_len = static_cast<unsigned char>(bytes.size() * 8);
  req.dst_attr.rta_type = RTA_DST;
  req.dst_attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(bytes.size()));
  std::memcpy(req.dst, bytes.data(), bytes.size());
  req.hdr.nlmsg_len = static_cast<unsigned>(NLMSG_LENGTH(sizeof(rtmsg)) + RTA_LENGTH(bytes.size()));
  return req;
}

/// The hops of an RTA_MULTIPATH attribute (a list of rtnexthop).
void add_hops(std::span<const unsigned char> payload, std::vector<unsigned>& oifs) {
  while (payload.size() >= sizeof(rtnexthop)) {
    rtnexthop hop;
    std::memcpy(&hop, payload.data(), sizeof hop);
    if (hop.rtnh_len < sizeof hop || hop.rtnh_len > payload.size()) return;
    if (hop.rtnh_ifindex > 0) oifs.push_back(static_cast<unsigned>(hop.rtnh_ifindex));
    payload = payload.subspan(std::min<std::size_t>(RTNH_ALIGN(hop.rtnh_len), payload.size()));
  }
}

/// Decodes one RTM_NEWROUTE message body (after the nlmsghdr).
route parse_route(std::span<const unsigned char> body) {
  route r;
  if (body.size() < sizeof(rtmsg)) return r;
  rtmsg msg;
  std::memcpy(&msg, body.data(), sizeof msg);
  r.type = msg.rtm_type;
  r.table = msg.rtm_table;
  r.dst_len = msg.rtm_dst_len;
  auto attrs = body.subspan(NLMSG_ALIGN(sizeof(rtmsg)) <= body.size() ? NLMSG_ALIGN(sizeof(rtmsg))
                                                                      : body.size());
  while (attrs.size() >= sizeof(rtattr)) {
    rtattr a;
    std::memcpy(&a, attrs.data(), sizeof a);
    if (a.rta_len < sizeof a || a.rta_len > attrs.size()) break;
    const auto payload = attrs.subspan(RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0));
    if (a.rta_type == RTA_DST) r.dst = payload;
    if (a.rta_type == RTA_TABLE && payload.size() >= 4) std::memcpy(&r.table, payload.data(), 4);
    if (a.rta_type == RTA_OIF && payload.size() >= 4) {
      int oif = 0;
      std::memcpy(&oif, payload.data(), 4);
      if (oif > 0) r.oifs.push_back(static_cast<unsigned>(oif));
    }
    if (a.rta_type == RTA_MULTIPATH) add_hops(payload, r.oifs);
    attrs = attrs.subspan(std::min<std::size_t>(RTA_ALIGN(a.rta_len), attrs.size()));
  }
  return r;
}

/// Room for one datagram of an answer: the kernel caps a dump datagram at 32 KiB; a larger one
/// would be reported (MSG_TRUNC), not misread.
constexpr std::size_t answer_buffer_bytes = std::size_t{64} * 1024;

/// Sends `req` to the kernel and hands every route of the answer to `on_route`: one message
/// for a lookup, messages up to NLMSG_DONE for a dump (the kernel always ends a dump).
template <class OnRoute>
result<void> ask_kernel(const route_request& req, OnRoute&& on_route) {
  // Blocking on purpose: the kernel answers at once, from its own tables.
  unique_fd fd(sys().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return system_error("route", errno);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (retry_eintr([&] {
        return sys().sendto(fd.get(), &req, req.hdr.nlmsg_len, 0,
                            reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
      }) < 0) {
    return system_error("route", errno);
  }
  const bool dump = (req.hdr.nlmsg_flags & NLM_F_DUMP) != 0;
  std::vector<unsigned char> buf(answer_buffer_bytes);
  for (;;) {
    const ssize_t n =
        retry_eintr([&] { return sys().recv(fd.get(), buf.data(), buf.size(), MSG_TRUNC); });
    if (n < 0) return system_error("route", errno);
    if (n == 0) return library_error("route", EPROTO, "the routing socket closed mid-answer");
    if (static_cast<std::size_t>(n) > buf.size()) {
      return library_error("route", EMSGSIZE, "routing answer larger than its buffer");
    }
    std::span<const unsigned char> rest(buf.data(), static_cast<std::size_t>(n));
    while (rest.size() >= sizeof(nlmsghdr)) {
      nlmsghdr h;
      std::memcpy(&h, rest.data(), sizeof h);
      if (h.nlmsg_len < sizeof h || h.nlmsg_len > rest.size()) break;
      const auto body = rest.subspan(NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
      rest = rest.subspan(std::min<std::size_t>(NLMSG_ALIGN(h.nlmsg_len), rest.size()));
      if (h.nlmsg_seq != req.hdr.nlmsg_seq) continue;
      if (h.nlmsg_type == NLMSG_DONE) return {};
      if (h.nlmsg_type == NLMSG_ERROR) {
        int err = 0;
        if (body.size() >= sizeof err) std::memcpy(&err, body.data(), sizeof err);
        if (err == 0) return {};
        return system_error("route", -err);
      }
      if (h.nlmsg_type == RTM_NEWROUTE) on_route(parse_route(body));
      if (!dump) return {};
    }
  }
}

/// True if the first `bits` bits of `prefix` and `addr` agree.
bool covers(std::span<const unsigned char> prefix, unsigned bits,
            std::span<const unsigned char> addr) noexcept {
  if (bits > addr.size() * 8 || prefix.size() * 8 < bits) return bits == 0;
  const unsigned whole = bits / 8;
  if (!std::equal(prefix.begin(), prefix.begin() + whole, addr.begin())) return false;
  const unsigned left = bits % 8;
  if (left == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - left));
  return (prefix[whole] & mask) == (addr[whole] & mask);
}

/// Position of a table in the default policy rules' order; -1 for tables they never consult.
int table_rank(unsigned table) noexcept {
  switch (table) {
    case RT_TABLE_LOCAL:
      return 0;
    case RT_TABLE_MAIN:
      return 1;
    case RT_TABLE_DEFAULT:
      return 2;
    default:
      return -1;
  }
}

bool leads_somewhere(unsigned char type) noexcept {
  return type != RTN_UNREACHABLE && type != RTN_BLACKHOLE && type != RTN_PROHIBIT &&
         type != RTN_THROW;
}

}  // namespace

result<unsigned> route_output_interface(const endpoint& dst) {
  unsigned oif = 0;
  auto ok = ask_kernel(make_request(dst, false), [&](const route& r) {
    if (!r.oifs.empty()) oif = r.oifs.front();
  });
  if (!ok) {
    const int code = ok.error().code;
    if (code == ENETUNREACH || code == EHOSTUNREACH || code == EACCES) return 0U;
    return std::move(ok).error();
  }
  return oif;
}

result<std::vector<unsigned>> route_interfaces(const endpoint& dst) {
  const auto addr = address_bytes(dst);
  int best_rank = 3;
  unsigned best_len = 0;
  std::vector<unsigned> out;
  // Each route's bytes live in the answer's buffer only while on_route runs: copy what counts.
  auto ok = ask_kernel(make_request(dst, true), [&](const route& r) {
    const int rank = table_rank(r.table);
    if (rank < 0 || rank > best_rank || !leads_somewhere(r.type) || r.oifs.empty()) return;
    if (!covers(r.dst, r.dst_len, addr)) return;
    if (rank < best_rank || r.dst_len > best_len) {
      best_rank = rank;
      best_len = r.dst_len;
      out.clear();
    } else if (r.dst_len < best_len) {
      return;
    }
    for (const unsigned oif : r.oifs) {
      if (std::find(out.begin(), out.end(), oif) == out.end()) out.push_back(oif);
    }
  });
  if (!ok) return std::move(ok).error();
  return out;
}

}  // namespace lsock::detail
