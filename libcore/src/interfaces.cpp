#include "lsock/interfaces.hpp"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "detail/interface_lookup.hpp"
#include "detail/netlink.hpp"
#include "detail/sockaddr.hpp"
#include "detail/syscalls.hpp"
#include "lsock/address_kind.hpp"

namespace lsock {
namespace {

using ifaddrs_list = std::unique_ptr<ifaddrs, void (*)(ifaddrs*)>;

/// getifaddrs() through the seam; the list itself is freed, not the cursor.
result<ifaddrs_list> read_ifaddrs() {
  ifaddrs* list = nullptr;
  if (detail::sys().getifaddrs(&list) < 0) return system_error("getifaddrs", errno);
  return ifaddrs_list(list, detail::sys().freeifaddrs);
}

interface_flags flags_of(unsigned f) noexcept {
  return interface_flags{(f & IFF_UP) != 0, (f & IFF_RUNNING) != 0, (f & IFF_LOOPBACK) != 0,
                         (f & IFF_BROADCAST) != 0, (f & IFF_MULTICAST) != 0};
}

// A dump normally takes well under a millisecond; this bounds a kernel that does not answer.
constexpr int dump_timeout_ms = 5000;
constexpr int dump_attempts = 5;

/// One consistent pass: the links, then the addresses, joined by interface index.
result<std::vector<interface_info>> read_table() {
  std::vector<detail::netlink::link_message> links;
  auto got_links = detail::netlink::dump(RTM_GETLINK, dump_timeout_ms, [&](const auto& m) {
    detail::netlink::link_message l;
    if (m.type == RTM_NEWLINK && detail::netlink::parse_link(m.payload, l)) {
      links.push_back(std::move(l));
    }
  });
  if (!got_links) return std::move(got_links).error();
  std::vector<interface_info> out;
  std::unordered_map<unsigned, std::size_t> position;  // index -> place in out
  for (auto& l : links) {
    position.emplace(l.info.index, out.size());
    out.push_back(std::move(l.info));
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    // As ip: a link that sits on another one here (a veth's peer) is "M-DOWN" while that one is
    // not up (or is not listed).
    bool lower_down = false;
    if (links[i].link_index != 0 && !links[i].link_elsewhere) {
      const auto it = position.find(links[i].link_index);
      lower_down = it == position.end() || (links[it->second].flag_bits & IFF_UP) == 0;
      if (it != position.end()) out[i].link = out[it->second].name;
    }
    if (const auto m = position.find(links[i].master_index); m != position.end()) {
      out[i].master = out[m->second].name;
    }
    out[i].flags = detail::netlink::link_flag_names(links[i].flag_bits, lower_down);
  }
  auto got_addrs = detail::netlink::dump(RTM_GETADDR, dump_timeout_ms, [&](const auto& m) {
    detail::netlink::address_message a;
    if (m.type != RTM_NEWADDR || !detail::netlink::parse_address(m.payload, a)) return;
    // An address of an interface created after the link dump waits for the next listing.
    if (const auto it = position.find(a.index); it != position.end()) {
      out[it->second].addresses.push_back(std::move(a.info));
    }
  });
  if (!got_addrs) return std::move(got_addrs).error();
  return out;
}

}  // namespace

result<std::vector<interface_info>> interface_table() {
  for (int attempt = 1;; ++attempt) {
    auto table = read_table();
    const bool changed =
        !table && table.error().domain == error_domain::library && table.error().code == EAGAIN;
    if (!changed) return table;
    if (attempt == dump_attempts) {
      return library_error("netlink", EAGAIN,
                           "the interfaces kept changing during " + std::to_string(dump_attempts) +
                               " dumps; try again");
    }
  }
}

result<std::vector<detail::interface_link>> detail::links() {
  auto list = read_ifaddrs();
  if (!list) return std::move(list).error();
  std::vector<interface_link> out;
  // Every interface appears at least once (its link-layer entry, or an entry with no address).
  for (const ifaddrs* ifa = list->get(); ifa != nullptr; ifa = ifa->ifa_next) {
    const std::string name = ifa->ifa_name ? ifa->ifa_name : "";
    if (name.empty()) continue;
    bool seen = false;
    for (const auto& l : out) seen = seen || l.name == name;
    if (seen) continue;
    out.push_back(interface_link{name, if_nametoindex(name.c_str()), flags_of(ifa->ifa_flags)});
  }
  return out;
}

result<std::vector<interface_address>> interfaces() {
  auto list = read_ifaddrs();
  if (!list) return std::move(list).error();

  std::vector<interface_address> out;
  for (const ifaddrs* ifa = list->get(); ifa != nullptr; ifa = ifa->ifa_next) {
    // Interfaces without an address (or with a link-layer one) have nothing to report.
    if (ifa->ifa_addr == nullptr) continue;
    const int af = ifa->ifa_addr->sa_family;
    if (af != AF_INET && af != AF_INET6) continue;
    interface_address rec;
    rec.name = ifa->ifa_name ? ifa->ifa_name : "";
    rec.index = if_nametoindex(rec.name.c_str());
    const unsigned f = ifa->ifa_flags;
    rec.flags = flags_of(f);
    rec.family = detail::family_from_af(af);
    rec.addr = detail::ip_to_string(ifa->ifa_addr, false);
    if (ifa->ifa_netmask != nullptr) {
      // Some kernels leave the netmask's family unset: it is always the address's family.
      sockaddr_storage mask{};
      std::memcpy(&mask, ifa->ifa_netmask,
                  af == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
      mask.ss_family = static_cast<sa_family_t>(af);
      rec.mask = detail::ip_to_string(reinterpret_cast<sockaddr*>(&mask), false);
      rec.prefixlen = detail::prefix_length(reinterpret_cast<sockaddr*>(&mask));
    }
    if (af == AF_INET && (f & IFF_BROADCAST) && ifa->ifa_broadaddr != nullptr) {
      rec.broadcast = detail::ip_to_string(ifa->ifa_broadaddr, false);
      // Without a broadcast attribute glibc repeats the address itself: that is none.
      if (rec.broadcast == rec.addr) rec.broadcast.clear();
    }
    out.push_back(std::move(rec));
  }
  return out;
}

bool is_broadcast_address(std::string_view address) {
  endpoint ep;
  if (!parse_ip_literal(address, 0, ep) || ep.family() != family::inet) return false;
  if (is_limited_broadcast(ep)) return true;
  auto all = interfaces();
  if (!all) return false;
  // Both sides are canonical dotted quads (parse_ip_literal takes no other IPv4 form).
  return std::any_of(all->begin(), all->end(),
                     [&](const interface_address& a) { return a.broadcast == address; });
}

result<unsigned> detail::interface_index(std::string_view name_or_addr) {
  if (name_or_addr.find('\0') != std::string_view::npos) {
    // No name has a NUL in it; the C calls below would stop at it and match a prefix.
    return library_error("interface", ENODEV, "no such interface");
  }
  const std::string key(name_or_addr);
  if (!key.empty() && key.size() < IF_NAMESIZE) {
    if (const unsigned idx = if_nametoindex(key.c_str()); idx != 0) return idx;
  }
  in6_addr probe{};
  const bool is_ip =
      inet_pton(AF_INET, key.c_str(), &probe) == 1 || inet_pton(AF_INET6, key.c_str(), &probe) == 1;
  if (is_ip) {
    auto all = interfaces();
    if (!all) return std::move(all).error();
    for (const auto& rec : *all) {
      if (rec.addr == key) return rec.index;
    }
  }
  return library_error("interface", ENODEV, "no such interface: " + key);
}

}  // namespace lsock
