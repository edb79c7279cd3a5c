// lsock tcp-ping HOST PORT: connect latency, the way ping measures echo. Each probe is a fresh
// non-blocking connect; the time runs from connect() to established. JSON Lines: one `probe`
// event per probe and a final `summary`.

#include <unistd.h>

#include <cmath>
#include <limits>
#include <lsock/address_kind.hpp>
#include <lsock/socket.hpp>
#include <optional>

#include "address_checks.hpp"
#include "commands.hpp"
#include "latency_stats.hpp"
#include "monotonic_time.hpp"
#include "name_lookup.hpp"
#include "option_checks.hpp"
#include "shared_options.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "text_format.hpp"
#include "usage_error.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

struct tcp_ping_options {
  std::vector<std::string> args;
  long long count = 0;  ///< 0: until Ctrl-C
  double interval = 1;
  double timeout = 2;
  std::string source;
  bool resolve_each = false;
  bool v4 = false;
  bool v6 = false;
};

/// One probe's outcome: connected after rtt_ms, or failed with `err`.
struct probe_result {
  std::optional<lsock::error> err;
  double rtt_ms = 0;
};

/// "refused", "timeout", or the error's symbolic name ("EHOSTUNREACH").
std::string failure_word(const lsock::error& e) {
  if (e.name == "ECONNREFUSED") return "refused";
  if (e.name == "ETIMEDOUT") return "timeout";
  return e.name;
}

probe_result probe_once(const std::string& addr, int port, const socket_options& so,
                        double timeout_s) {
  auto to = resolve_endpoints("connect", addr, port, socket_type::tcp);  // a literal: no lookup
  if (!to) return {to.error()};
  const auto start = now_ns();
  auto s = lsock::socket::connect_wait(
      socket_type::tcp, *to, so, connect_limits{deadline_after(timeout_s), timeout_s, stop_fds()});
  if (!s) return {s.error()};
  return {std::nullopt, elapsed_ms(start)};
}

struct ping_stats {
  long long sent = 0;
  long long ok = 0;
  std::vector<double> rtts;

  void report(const output& out, const std::string& addr, int port, const probe_result& r) {
    ++sent;
    json ev{{"event", "probe"}, {"seq", sent}, {"addr", addr}, {"port", port}};
    std::string line = address_port_text(addr, port) + " seq=" + std::to_string(sent) + " ";
    if (r.err) {
      ev["ok"] = false;
      ev["state"] = failure_word(*r.err);
      ev["error"] = error_json(*r.err);
      line += failure_word(*r.err) == r.err->name ? r.err->name + " (" + r.err->message + ")"
                                                  : failure_word(*r.err);
    } else {
      ++ok;
      rtts.push_back(r.rtt_ms);
      ev["ok"] = true;
      ev["rtt_ms"] = r.rtt_ms;
      line += "connected time=" + ms_text(r.rtt_ms);
    }
    out.event(ev, line);
  }

  [[nodiscard]] double loss_percent() const {
    return sent == 0
               ? 0.0
               : std::round(1000.0 * static_cast<double>(sent - ok) / static_cast<double>(sent)) /
                     10;
  }
};

json summary_json(const ping_stats& st, const std::string& host, const std::string& addr,
                  int port) {
  json rtt = nullptr;
  if (!st.rtts.empty()) {
    const latency_summary l = summarize(st.rtts);
    auto us = [](double ms) { return std::round(ms * 1000) / 1000; };
    rtt = json{{"min", us(l.min)}, {"avg", us(l.avg)}, {"max", us(l.max)}, {"mdev", us(l.mdev)},
               {"p50", us(l.p50)}, {"p90", us(l.p90)}, {"p99", us(l.p99)}};
  }
  return json{{"event", "summary"},
              {"host", host},
              {"addr", addr},
              {"port", port},
              {"sent", st.sent},
              {"ok", st.ok},
              {"failed", st.sent - st.ok},
              {"loss_percent", st.loss_percent()},
              {"rtt_ms", rtt}};
}

void print_summary(const output& out, const ping_stats& st, const std::string& host,
                   const std::string& addr, int port) {
  const json j = summary_json(st, host, addr, port);
  if (out.json_mode()) {
    out.event(j, "");
    return;
  }
  char buf[256];
  out.text("");
  out.text("--- " + address_port_text(host, port) + " tcp-ping statistics ---");
  (void)std::snprintf(buf, sizeof buf, "%lld probes sent, %lld ok, %lld failed, %.1f%% loss",
                      st.sent, st.ok, st.sent - st.ok, st.loss_percent());
  out.text(buf);
  if (st.rtts.empty()) return;
  const auto& r = j["rtt_ms"];
  (void)std::snprintf(buf, sizeof buf, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms",
                      r["min"].get<double>(), r["avg"].get<double>(), r["max"].get<double>(),
                      r["mdev"].get<double>());
  out.text(buf);
  (void)std::snprintf(buf, sizeof buf, "rtt p50/p90/p99 = %.3f/%.3f/%.3f ms",
                      r["p50"].get<double>(), r["p90"].get<double>(), r["p99"].get<double>());
  out.text(buf);
  if (::isatty(STDOUT_FILENO) == 1) {
    for (const std::string& line : histogram_lines(st.rtts)) out.text(line);
  }
}

socket_options probe_socket_options(const tcp_ping_options& o, const std::string& host) {
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(host, so.prefer);
  if (!o.source.empty()) {
    endpoint src;
    if (!parse_ip_literal(o.source, 0, src)) {
      throw usage_error("--source: expected an IP address, got '" + o.source + "'");
    }
    const auto src_pref =
        src.family() == family::inet ? family_preference::inet : family_preference::inet6;
    if (so.prefer != family_preference::any && so.prefer != src_pref) {
      throw usage_error("--source " + o.source + " contradicts " +
                        (o.v4 ? std::string("-4") : std::string("-6")));
    }
    if (endpoint dst; parse_ip_literal(host, 0, dst) && dst.family() != src.family()) {
      throw usage_error("--source " + o.source + " and " + host + " are of different families");
    }
    so.prefer = src_pref;
    so.source = o.source;
  }
  return so;
}

int run(const tcp_ping_options& o, const output& out) {
  if (is_unix_address(o.args.front())) {
    throw usage_error("tcp-ping needs HOST PORT, not a unix path");
  }
  const target to = connect_target(o.args);
  check_not_group(to.address, "tcp-ping");
  if (o.timeout <= 0) throw usage_error("--timeout: a probe needs more than 0 seconds");
  const socket_options so = probe_socket_options(o, to.address);
  install_stop_handlers();

  auto addr = first_address(to.address, so.prefer, deadline_after(o.timeout));
  if (!addr) {
    if (interrupted(addr.error())) end_by_signal();
    out.failure(addr.error());
    return 1;
  }
  out.text("TCP-PING " + to.address + " (" + *addr + ") port " + std::to_string(to.port));
  selector sel;
  ping_stats st;
  for (long long seq = 1; o.count == 0 || seq <= o.count; ++seq) {
    const auto next = now_ns() + static_cast<std::int64_t>(o.interval * 1e9);
    if (o.resolve_each && seq > 1) {
      if (auto again = first_address(to.address, so.prefer, deadline_after(o.timeout))) {
        *addr = *again;
      } else {
        out.failure(again.error());
      }
    }
    st.report(out, *addr, to.port, probe_once(*addr, to.port, so, o.timeout));
    if (stop_requested() || (o.count != 0 && seq == o.count)) break;
    // Probes start `interval` apart, as ping's do; a slow probe delays only the next one.
    if (o.interval > 0 && next > now_ns()) {
      if (auto w = wait_until(sel, {}, {}, next); !w || stop_requested()) break;
    }
  }
  print_summary(out, st, to.address, *addr, to.port);
  return st.ok > 0 ? 0 : 1;
}

}  // namespace

command register_tcp_ping(CLI::App& app) {
  auto opts = std::make_shared<tcp_ping_options>();
  CLI::App* sub = app.add_subcommand("tcp-ping", "Measure TCP connect latency, as ping does");
  sub->footer(
      "Each probe is a fresh connect, timed from connect() to established, then closed.\n"
      "A name is resolved once (its first address) unless --resolve-each.\n"
      "--json prints JSON Lines: {event: probe, seq, addr, port, ok, rtt_ms | state, error}\n"
      "and {event: summary, sent, ok, failed, loss_percent, rtt_ms {min, avg, max, mdev, p50,\n"
      "p90, p99}}. Exit 0 if any probe connected, 1 if none did.\n"
      "Example: lsock tcp-ping 127.0.0.1 22 -c 5 -i 0.2");
  sub->add_option("HOST PORT", opts->args, "Where to connect")
      ->required()
      ->expected(2, 2)
      ->type_name("");
  add_count_option(*sub, opts->count, "Number of probes (default: until Ctrl-C)", "-c,--count");
  add_interval_seconds_option(*sub, opts->interval, "Seconds between probes; 0 = back to back")
      ->capture_default_str();
  add_timeout_option(*sub, opts->timeout, "Seconds allowed per probe")->capture_default_str();
  sub->add_option("--source", opts->source, "Local IP address to connect from")->type_name("ADDR");
  sub->add_flag("--resolve-each", opts->resolve_each, "Resolve the name again before each probe");
  add_family_flags(*sub, opts->v4, opts->v6);
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
