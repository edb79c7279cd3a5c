// lsock perf HOST PORT: a TCP or UDP throughput test against lsock perf-server, as iperf3 -c
// runs one. JSON Lines: start, interval (every --interval), end.

#include <cmath>
#include <lsock/socket.hpp>
#include <memory>

#include "address_checks.hpp"
#include "commands.hpp"
#include "monotonic_time.hpp"
#include "name_lookup.hpp"
#include "option_checks.hpp"
#include "perf_report.hpp"
#include "perf_tuning.hpp"
#include "shared_options.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

/// Connecting, the handshake and the final exchange each get this long.
constexpr double setup_s = 5;

struct perf_options {
  std::vector<std::string> args;
  double time = 10;
  int parallel = 1;
  bool reverse = false;
  std::string length;
  double interval = 1;
  bool v4 = false;
  bool v6 = false;
  bool udp = false;
  std::string bitrate;
};

/// "100M", "1G", "1.5g", "500k", "2000": bits per second (decimal prefixes, as iperf3).
double parse_rate(const std::string& text, const char* what, double unit_base) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  double mult = 1;
  if (used > 0 && used + 1 == text.size()) {
    switch (text.back()) {
      case 'k':
      case 'K':
        mult = unit_base;
        break;
      case 'm':
      case 'M':
        mult = unit_base * unit_base;
        break;
      case 'g':
      case 'G':
        mult = unit_base * unit_base * unit_base;
        break;
      case 't':
      case 'T':
        mult = unit_base * unit_base * unit_base * unit_base;
        break;
      default:
        used = 0;
    }
    if (used > 0) ++used;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v) || v < 0) {
    throw usage_error(std::string(what) +
                      ": expected a number with an optional K/M/G suffix, got '" + text + "'");
  }
  return v * mult;
}

perf_params params_of(const perf_options& o) {
  perf_params p;
  p.udp = o.udp;
  p.streams = o.parallel;
  p.reverse = o.reverse;
  p.time = o.time;
  p.length = default_length(o.udp);
  if (!o.length.empty()) {
    const double l = parse_rate(o.length, "--length", 1024);
    const double max = o.udp ? 65507 : 16 * 1024 * 1024;
    if (l < 16 || l > max || l != std::floor(l)) {
      throw usage_error("--length: expected 16 to " + std::to_string(static_cast<long>(max)) +
                        " bytes, got '" + o.length + "'");
    }
    p.length = static_cast<std::size_t>(l);
  }
  p.bitrate = o.udp ? 1e6 : 0;  // iperf3's defaults
  if (!o.bitrate.empty()) p.bitrate = parse_rate(o.bitrate, "--bitrate", 1000);
  return p;
}

result<lsock::socket> connect_tcp(const std::string& addr, int port, const socket_options& so) {
  auto s = lsock::socket::connect(socket_type::tcp, addr, port, so);
  if (!s) return s.error();
  selector sel;
  auto w = wait_fd(sel, s->fd(), true, deadline_after(setup_s));
  if (!w) return w.error();
  if (!*w) return system_error("connect", ETIMEDOUT);
  if (auto st = s->status(); !st) {
    auto e = st.error();
    e.op = "connect";
    return e;
  }
  return std::move(*s);
}

/// Marks an error as the server having gone away, so the message says what happened.
lsock::error vanished(const lsock::error& e) {
  lsock::error v = e;
  v.message = "the server vanished mid-test (" + e.message + ")";
  return v;
}

class perf_client {
 public:
  perf_client(const perf_params& p, double interval, const output& out)
      : p_(p), interval_(interval), out_(out), meter_(p, !p.reverse, interval) {}
  int run(const std::string& addr, int port, const socket_options& so);

 private:
  result<json> handshake();
  result<void> attach_tcp(const std::string& addr, int port, const socket_options& so);
  result<void> attach_udp(const std::string& addr, const json& ports, const socket_options& so);
  result<void> await_start();
  result<bool> run_test();
  result<json> finish();
  [[nodiscard]] result<void> check_control();
  result<void> wait_streams_done();

  perf_params p_;
  double interval_;
  const output& out_;
  message_channel ctl_;
  std::string cookie_ = new_cookie();
  perf_meter meter_;
  selector sel_;
};

result<json> perf_client::handshake() {
  if (auto sent = ctl_.send(hello_json(p_, cookie_), deadline_after(setup_s)); !sent) {
    return sent.error();
  }
  auto reply = ctl_.receive(sel_, deadline_after(setup_s));
  if (!reply) return reply.error();
  if (text_field(*reply, "type") == "error") return peer_error(*reply);
  if (text_field(*reply, "type") != "accept" ||
      int_field(*reply, "version", 0) != perf_protocol_version) {
    return protocol_error("the server did not accept the test (is it lsock perf-server " +
                          std::to_string(perf_protocol_version) + "?)");
  }
  return std::move(*reply);
}

result<void> perf_client::attach_tcp(const std::string& addr, int port, const socket_options& so) {
  for (int i = 0; i < p_.streams; ++i) {
    auto s = connect_tcp(addr, port, so);
    if (!s) return s.error();
    tune_data_socket(*s, p_);
    const json greeting{{"type", "stream"}, {"cookie", cookie_}, {"index", i}};
    if (auto sent = send_all(*s, greeting.dump() + "\n", deadline_after(setup_s)); !sent) {
      return sent.error();
    }
    const stream_setup su{false, !p_.reverse, p_.length, p_.bitrate / p_.streams, std::nullopt};
    meter_.add(std::make_unique<perf_stream>(std::move(*s), su));
  }
  return await_start();
}

result<void> perf_client::attach_udp(const std::string& addr, const json& ports,
                                     const socket_options& so) {
  if (!ports.is_array() || ports.size() != static_cast<std::size_t>(p_.streams)) {
    return protocol_error("the server's accept lists no UDP port per stream");
  }
  for (const json& port : ports) {
    auto s = lsock::socket::connect(socket_type::udp, addr, port.get<int>(), so);
    if (!s) return s.error();
    tune_data_socket(*s, p_);
    const stream_setup su{true, !p_.reverse, p_.length, p_.bitrate / p_.streams, std::nullopt};
    meter_.add(std::make_unique<perf_stream>(std::move(*s), su));
  }
  // Datagrams can be lost: say hello every 100 ms until the server has heard every stream.
  const std::string hello = std::string(perf_udp_hello) + cookie_;
  const auto until = deadline_after(setup_s);
  while (!passed(until)) {
    for (auto& st : meter_.streams()) (void)st->sock().send(hello);
    auto w = wait_fd(sel_, ctl_.fd(), false, std::min(until, deadline_after(0.1)));
    if (!w) return w.error();
    if (*w) return await_start();
  }
  return library_error("stream", ETIMEDOUT, "the server never heard the UDP streams");
}

result<void> perf_client::await_start() {
  auto m = ctl_.receive(sel_, deadline_after(setup_s));
  if (!m) return m.error();
  if (text_field(*m, "type") == "error") return peer_error(*m);
  if (text_field(*m, "type") != "start") return protocol_error("expected the start message");
  return {};
}

result<void> perf_client::check_control() {
  auto m = ctl_.poll();
  if (!m) return vanished(m.error());
  if (!*m) return {};
  if (text_field(**m, "type") == "error") return peer_error(**m);
  return protocol_error("unexpected message from the server during the test");
}

result<bool> perf_client::run_test() {
  meter_.start();
  const auto end = deadline_after(p_.time);
  for (;;) {
    if (stop_requested()) return true;
    if (passed(end)) return false;
    if (auto e = meter_.failure()) return vanished(*e);
    std::int64_t wake = std::min(end, now_ns() + 100'000'000);
    if (meter_.next_report_ns() != 0) wake = std::min(wake, meter_.next_report_ns());
    if (auto w = wait_fd(sel_, ctl_.fd(), false, wake); !w) return w.error();
    if (auto c = check_control(); !c) return c.error();
    if (meter_.next_report_ns() != 0 && now_ns() >= meter_.next_report_ns()) {
      meter_.report(out_, false);
    }
  }
}

result<void> perf_client::wait_streams_done() {
  const auto until = deadline_after(setup_s);
  while (!meter_.all_done()) {
    if (passed(until)) return library_error("stream", ETIMEDOUT, "the streams did not drain");
    sleep_ms(1);
  }
  for (auto& s : meter_.streams()) s->join();
  if (auto e = meter_.failure()) return vanished(*e);
  return {};
}

/// The end of a test: the sender stops first, then each side reports its totals.
result<json> perf_client::finish() {
  if (meter_.sends()) {
    meter_.stop_all();
    if (auto d = wait_streams_done(); !d) return d.error();
  }
  if (auto sent = ctl_.send(json{{"type", "stop"}}, deadline_after(setup_s)); !sent) {
    return vanished(sent.error());
  }
  auto theirs = ctl_.receive(sel_, deadline_after(setup_s));
  if (!theirs) return vanished(theirs.error());
  if (text_field(*theirs, "type") == "error") return peer_error(*theirs);
  if (!valid_results(*theirs)) return protocol_error("expected the server's results");
  if (!meter_.sends()) {
    // The server sent its last byte before its results, so a receiver can stop now.
    meter_.stop_all();
    if (auto d = wait_streams_done(); !d) return d.error();
  }
  meter_.report(out_, true);
  json mine = meter_.totals();
  const json local = mine;
  mine["type"] = "results";
  (void)ctl_.send(mine, deadline_after(1));
  return end_event(p_, meter_.sends(), local, *theirs, false);
}

int perf_client::run(const std::string& addr, int port, const socket_options& so) {
  auto fail = [&](const lsock::error& e) {
    meter_.abort_all();
    out_.failure(e);
    return 1;
  };
  auto ctl = connect_tcp(addr, port, so);
  if (!ctl) return fail(ctl.error());
  out_.text("Connecting to host " + addr + ", port " + std::to_string(port));
  ctl_ = message_channel(std::move(*ctl));
  auto accept = handshake();
  if (!accept) return fail(accept.error());
  auto attached =
      p_.udp ? attach_udp(addr, (*accept)["udp_ports"], so) : attach_tcp(addr, port, so);
  if (!attached) return fail(attached.error());
  if (out_.json_mode()) out_.event(meter_.start_event(interval_), "");
  for (auto& st : meter_.streams()) {
    auto l = st->sock().local_endpoint();
    auto r = st->sock().peer_endpoint();
    if (l && r)
      out_.text("[  " + std::to_string(&st - meter_.streams().data() + 1) + "] local " +
                l->to_string() + " connected to " + r->to_string());
  }
  meter_.print_header(out_);
  auto interrupted = run_test();
  if (!interrupted) return fail(interrupted.error());
  auto end = finish();
  if (!end) return fail(end.error());
  (*end)["interrupted"] = *interrupted;
  if (out_.json_mode()) {
    out_.event(std::move(*end), "");
  } else {
    print_summary(out_, *end);
  }
  return 0;
}

int run(const perf_options& o, const output& out) {
  // Before connect_target, whose "takes no PORT" would point at a form perf does not take.
  if (is_unix_address(o.args.front())) throw usage_error("perf needs HOST PORT, not a unix path");
  const target to = connect_target(o.args);
  if (o.time <= 0) throw usage_error("--time: a test needs more than 0 seconds");
  const perf_params p = params_of(o);
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(to.address, so.prefer);
  install_stop_handlers();
  auto addr = first_address(to.address, so.prefer, deadline_after(10));
  if (!addr) {
    if (interrupted(addr.error())) end_by_signal();
    out.failure(addr.error());
    return 1;
  }
  perf_client client(p, o.interval, out);
  return client.run(*addr, to.port, so);
}

}  // namespace

command register_perf(CLI::App& app) {
  auto opts = std::make_shared<perf_options>();
  CLI::App* sub = app.add_subcommand("perf", "Measure TCP or UDP throughput against perf-server");
  sub->footer(
      "Runs one test against 'lsock perf-server', as iperf3 -c does against iperf3 -s.\n"
      "--json prints JSON Lines: start {protocol, parallel, reverse, time, length, bitrate,\n"
      "streams [{id, local, remote}]}, interval {start_s, end_s, bytes, bits_per_second,\n"
      "streams [{id, bytes, bits_per_second, retransmits, rtt_us, snd_cwnd | packets, lost,\n"
      "jitter_ms}]} and end {sent, received {bytes, seconds, bits_per_second}, retransmits,\n"
      "cpu_percent {local, remote}}. Exit 0 (also after Ctrl-C, which still prints end),\n"
      "1 when the test failed (refused, busy, the server vanished).\n"
      "Example: lsock perf 127.0.0.1 5201 -t 5 -P 4");
  sub->add_option("HOST PORT", opts->args, "The perf-server")
      ->required()
      ->expected(2, 2)
      ->type_name("");
  sub->add_option("-t,--time", opts->time, "Test duration in seconds (at most a day)")
      ->check(seconds(86400))
      ->type_name("S")
      ->capture_default_str();
  sub->add_option("-P,--parallel", opts->parallel, "Parallel streams")
      ->check(whole_number(1, 128))
      ->type_name("N")
      ->capture_default_str();
  sub->add_flag("-R,--reverse", opts->reverse, "The server sends, the client receives");
  sub->add_option("-l,--length", opts->length, "Bytes per write (K/M suffix: KiB/MiB)")
      ->type_name("BYTES");
  add_interval_seconds_option(*sub, opts->interval, "Seconds between interval reports; 0 = none")
      ->capture_default_str();
  sub->add_flag("-u,--udp", opts->udp, "UDP instead of TCP");
  sub->add_option("-b,--bitrate", opts->bitrate,
                  "Target bits/s over all streams, K/M/G suffix (UDP default 1M; 0 = unlimited)")
      ->type_name("RATE");
  add_family_flags(*sub, opts->v4, opts->v6);
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
