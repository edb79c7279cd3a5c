// lsock udp-listen [ADDR] PORT: print the datagrams that arrive; --echo answers them.

#include <lsock/socket.hpp>
#include <lsock/unix_path.hpp>

#include "address_checks.hpp"
#include "bound_socket.hpp"
#include "commands.hpp"
#include "datagrams.hpp"
#include "monotonic_time.hpp"
#include "shared_options.hpp"
#include "targets.hpp"

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
  check_family(where.address, so.prefer);
  auto s = bind_first_address(socket_type::udp, where, so, deadline_after(o.limits.timeout), out);
  if (!s) return 1;
  const unix_path_guard cleanup(*s);  // as socat: the path is free for the next run
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
      "ADDR defaults to 0.0.0.0 (:: with -6); a unix path or @name needs no PORT (a path is\n"
      "removed again on exit). PORT 0 picks a free port, reported in the 'listening' event.\n"
      "Runs until --count datagrams, --timeout or Ctrl-C; then prints a summary (exit 0; 1 when\n"
      "--timeout came before --count). JSON Lines events: listening, datagram, error, summary.\n"
      "Example: lsock udp-listen 127.0.0.1 9000 --echo --count 1");
  sub->add_option("[ADDR] PORT", opts->args, "Address (default any) and port")
      ->required()
      ->expected(1, 2)
      ->type_name("");
  sub->add_flag("--echo", opts->limits.echo, "Send each datagram back to its sender");
  add_count_option(*sub, opts->limits.count, "Stop after N datagrams");
  add_timeout_option(*sub, opts->limits.timeout, "Stop after S seconds (0: no limit)");
  add_family_flags(*sub, opts->v4, opts->v6);
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
