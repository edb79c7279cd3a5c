// lsock udp-listen [ADDR] PORT: print the datagrams that arrive; --echo answers them.

#include <lsock/socket.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "datagrams.hpp"

namespace lsock::cli {
namespace {

struct udp_listen_options {
  std::vector<std::string> args;
  receive_limits limits;
  bool v4 = false;
  bool v6 = false;
};

int run(const udp_listen_options& o, const output& out) {
  const target where = listen_target(o.args, o.v6 ? "::" : "0.0.0.0");
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  auto s = lsock::socket::bind(socket_type::udp, where.address, where.port, so);
  if (!s) {
    out.failure(s.error(), true);
    return 1;
  }
  if (auto local = s->local_endpoint()) {
    json ev{{"event", "listening"}};
    ev.update(endpoint_json(*local));
    out.event(ev, "listening on " + local->to_string() + " (udp)");
  }
  return receive_datagrams(*s, o.limits, out);
}

}  // namespace

command register_udp_listen(CLI::App& app) {
  auto opts = std::make_shared<udp_listen_options>();
  CLI::App* sub = app.add_subcommand("udp-listen", "Receive UDP datagrams");
  sub->footer(
      "PORT 0 picks a free port.\nExample: lsock udp-listen 127.0.0.1 9000 --echo --count 1");
  sub->add_option("ADDR PORT", opts->args, "[ADDR] PORT")->required()->expected(1, 2);
  sub->add_flag("--echo", opts->limits.echo, "Send each datagram back to its sender");
  sub->add_option("--count", opts->limits.count, "Stop after N datagrams")
      ->check(CLI::PositiveNumber);
  sub->add_option("--timeout", opts->limits.timeout, "Stop after SECONDS")
      ->check(CLI::NonNegativeNumber);
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 only");
  sub->add_flag("-6", opts->v6, "IPv6 only")->excludes(v4);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
