// lsock mcast-send GROUP PORT [DATA]: send to a multicast group or the IPv4 broadcast address.

#include <lsock/multicast.hpp>
#include <lsock/socket.hpp>

#include "address_checks.hpp"
#include "commands.hpp"
#include "datagrams.hpp"
#include "option_checks.hpp"
#include "shared_options.hpp"
#include "targets.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

struct mcast_send_options {
  std::string group;
  std::string port;
  std::string data = "lsock";
  int ttl = 1;
  std::string iface;
  long long count = 1;
  long long interval_ms = 0;
};

int run(const mcast_send_options& o, const output& out) {
  check_group(o.group);
  socket_options so;
  so.ttl = o.ttl;
  so.iface = o.iface;
  auto s = lsock::socket::connect(socket_type::mcast, o.group, parse_destination_port(o.port), so);
  if (!s) {
    // The kernel cannot choose an interface for this group: the user must (exit 2).
    if (interface_needed(s.error())) throw usage_error(s.error().message + " (give --iface NAME)");
    out.failure(s.error());
    return 1;
  }
  return send_datagrams(*s, send_plan{o.data, o.count, o.interval_ms}, out);
}

}  // namespace

command register_mcast_send(CLI::App& app) {
  auto opts = std::make_shared<mcast_send_options>();
  CLI::App* sub =
      app.add_subcommand("mcast-send", "Send datagrams to a multicast group or broadcast");
  sub->footer(
      "GROUP: IPv4 224.0.0.0/4, IPv6 ff00::/8, or 255.255.255.255 for IPv4 broadcast.\n"
      "Without --iface the routing table picks the interface; ff01:: groups use the loopback,\n"
      "ff02:: groups the one interface their routes lead to (several: exit 2, give --iface).\n"
      "--json prints one document: to, sent [{seq, bytes, elapsed_ms}], datagrams, bytes,\n"
      "elapsed_ms.\n"
      "Example: lsock mcast-send 239.1.2.3 5000 'hello' --ttl 2 --count 3 --interval 500");
  sub->add_option("GROUP", opts->group, "Group (or broadcast) address")->required()->type_name("");
  sub->add_option("PORT", opts->port, "UDP port")->required()->type_name("");
  sub->add_option("DATA", opts->data, "What to send")->type_name("")->capture_default_str();
  sub->add_option("--ttl", opts->ttl, "Multicast TTL / hop limit")
      ->check(whole_number(0, max_ttl))
      ->type_name("N")
      ->capture_default_str();
  sub->add_option("--iface", opts->iface, "Interface name or address to send from")
      ->type_name("NAME|ADDR");
  add_count_option(*sub, opts->count, "Send N datagrams")->capture_default_str();
  add_interval_ms_option(*sub, opts->interval_ms, "Milliseconds between datagrams");
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
