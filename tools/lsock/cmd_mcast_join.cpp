// lsock mcast-join GROUP PORT: join an IPv4/IPv6 group (or take IPv4 broadcasts) and print
// what arrives.

#include <limits>
#include <lsock/address_kind.hpp>
#include <lsock/multicast.hpp>
#include <lsock/socket.hpp>

#include "address_checks.hpp"
#include "commands.hpp"
#include "datagrams.hpp"
#include "shared_options.hpp"
#include "targets.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

struct mcast_join_options {
  std::string group;
  std::string port;
  std::string iface;
  receive_limits limits;
};

/// The group as joined: --iface wins over a zone (ff02::1%v0 --iface v1 joins on v1), so a zone
/// it overrode is not shown; " on IFACE" says where.
std::string shown_group(const mcast_join_options& o) {
  if (o.iface.empty()) return o.group;
  return o.group.substr(0, o.group.find('%'));
}

int run(const mcast_join_options& o, const output& out) {
  check_group(o.group);
  const int port = parse_port(o.port);
  // The limited broadcast address is received on a socket bound to the wildcard.
  const std::string bind_to = is_limited_broadcast_literal(o.group) ? "0.0.0.0" : o.group;
  socket_options so;
  so.iface = o.iface;
  auto s = lsock::socket::bind(socket_type::mcast, bind_to, port, so);
  if (!s) {
    // The kernel cannot choose an interface for this group: the user must (exit 2).
    if (interface_needed(s.error())) throw usage_error(s.error().message + " (give --iface NAME)");
    out.failure(s.error());
    return 1;
  }
  json ev{{"event", "joined"}, {"group", shown_group(o)}};
  if (auto local = s->local_endpoint()) {
    ev["port"] = local->port();
    ev["family"] = std::string(family_name(local->family()));
  }
  if (!o.iface.empty()) ev["iface"] = o.iface;
  out.event(ev, "joined " + ev["group"].get<std::string>() + " port " + ev["port"].dump() +
                    (o.iface.empty() ? "" : " on " + o.iface));
  return receive_datagrams(*s, o.limits, out);
}

}  // namespace

command register_mcast_join(CLI::App& app) {
  auto opts = std::make_shared<mcast_join_options>();
  CLI::App* sub =
      app.add_subcommand("mcast-join", "Join a multicast group (or IPv4 broadcast) and receive");
  sub->footer(
      "GROUP: IPv4 224.0.0.0/4, IPv6 ff00::/8, or 255.255.255.255 for IPv4 broadcast.\n"
      "Without --iface the routing table picks the interface; ff01:: groups use the loopback,\n"
      "ff02:: groups the one interface their routes lead to (several: exit 2, give --iface).\n"
      "PORT 0 picks a free port, reported in the 'joined' event.\n"
      "Runs until --count datagrams, --timeout or Ctrl-C; then prints a summary (exit 0; 1 when\n"
      "--timeout came before --count). JSON Lines events: joined, datagram, error, summary.\n"
      "Example: lsock mcast-join 239.1.2.3 5000 --iface eth0 --count 1");
  sub->add_option("GROUP", opts->group, "Group address")->required()->type_name("");
  sub->add_option("PORT", opts->port, "UDP port")->required()->type_name("");
  sub->add_option("--iface", opts->iface, "Interface name or address to join on")
      ->type_name("NAME|ADDR");
  add_count_option(*sub, opts->limits.count, "Stop after N datagrams");
  add_timeout_option(*sub, opts->limits.timeout, "Stop after S seconds (0: no limit)");
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
