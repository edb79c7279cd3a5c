// lsock udp-send HOST PORT [DATA | --stdin]: send datagrams.

#include <lsock/socket.hpp>

#include "address_checks.hpp"
#include "commands.hpp"
#include "datagrams.hpp"
#include "name_lookup.hpp"
#include "option_checks.hpp"
#include "shared_options.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "udp_exchange.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

struct udp_send_options {
  std::vector<std::string> args;  ///< HOST PORT [DATA]
  bool stdin_mode = false;
  long long count = 1;
  long long interval_ms = 0;
  bool reply = false;
  long long retries = 0;
  double timeout = 1;
  bool v4 = false;
  bool v6 = false;
};

int run(const udp_send_options& o, const output& out) {
  std::vector<std::string> where = o.args;
  send_plan plan{"", o.count, o.interval_ms};
  // The last positional is DATA when there are more than the address needs.
  const std::size_t needed = !where.empty() && is_unix_address(where[0]) ? 1 : 2;
  if (where.size() > needed) {
    plan.data = where.back();
    where.pop_back();
  }
  if (where.size() > needed) throw usage_error("too many arguments");
  if (o.stdin_mode && !plan.data.empty()) throw usage_error("DATA and --stdin exclude each other");
  if (o.stdin_mode) plan.data = read_stdin();
  const target to = connect_target(where);
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(to.address, so.prefer);
  if (o.reply && is_unix_address(to.address)) {
    throw usage_error("--reply needs HOST PORT: an unnamed unix socket cannot be answered");
  }
  if (o.reply && !(o.timeout > 0))
    throw usage_error("--timeout: a reply needs more than 0 seconds");
  auto addrs = endpoints_for(to, so.prefer, 0);
  if (!addrs) {
    if (interrupted(addrs.error())) end_by_signal();
    out.failure(addrs.error());
    return 1;
  }
  auto s = lsock::socket::connect(socket_type::udp, *addrs, so);
  if (!s) {
    out.failure(s.error());
    return 1;
  }
  if (o.reply) return exchange_datagrams(*s, {plan.data, o.count, o.retries, o.timeout}, out);
  return send_datagrams(*s, plan, out);
}

}  // namespace

command register_udp_send(CLI::App& app) {
  auto opts = std::make_shared<udp_send_options>();
  CLI::App* sub = app.add_subcommand("udp-send", "Send UDP datagrams");
  sub->footer(
      "HOST may be a unix path or @name (then no PORT). DATA defaults to an empty datagram.\n"
      "--json prints one document: to, sent [{seq, bytes, elapsed_ms}], datagrams, bytes,\n"
      "elapsed_ms; with --reply: to, attempts, replies [{from, bytes, payload, encoding,\n"
      "rtt_ms}], state (replied, partial, timeout, refused, error, interrupted)[, error].\n"
      "--reply exits 0 when a reply came (fewer than --count: 'partial'), 1 when none did.\n"
      "Example: lsock udp-send 127.0.0.1 9000 'hello' --count 3 --interval 100");
  sub->add_option("HOST PORT [DATA]", opts->args, "Destination, port and the datagram's content")
      ->required()
      ->expected(1, 3)
      ->type_name("");
  sub->add_flag("--stdin", opts->stdin_mode, "Send standard input as the datagram");
  add_count_option(*sub, opts->count, "Send N datagrams (with --reply: stop after N replies)")
      ->capture_default_str();
  auto* interval =
      add_interval_ms_option(*sub, opts->interval_ms, "Milliseconds between datagrams");
  auto* reply = sub->add_flag("--reply", opts->reply, "Wait for the peer's answer and report it");
  sub->add_option("--retries", opts->retries, "With --reply: resends after a timeout with no reply")
      ->check(whole_number(0, 1000))
      ->type_name("N")
      ->needs(reply);
  add_timeout_option(*sub, opts->timeout, "With --reply: seconds to wait for a reply")
      ->needs(reply)
      ->capture_default_str();
  interval->excludes(reply);
  add_family_flags(*sub, opts->v4, opts->v6);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
