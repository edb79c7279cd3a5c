// lsock perf-server [ADDR] PORT: serves perf tests, one at a time, over the perf control
// protocol (perf_protocol.hpp). JSON Lines: listening, start, interval, end, rejected, error.

#include <list>
#include <lsock/socket.hpp>
#include <memory>

#include "address_checks.hpp"
#include "bound_socket.hpp"
#include "commands.hpp"
#include "monotonic_time.hpp"
#include "perf_report.hpp"
#include "perf_tuning.hpp"
#include "shared_options.hpp"
#include "standard_streams.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

/// How long a new connection may take to say who it is, and a test to attach its streams.
constexpr double setup_s = 5;
/// A running test ends this long after its planned time if the client never says stop.
constexpr double overrun_s = 10;

struct perf_server_options {
  std::vector<std::string> args;
  long long count = 0;  ///< 0: until Ctrl-C
  double timeout = 0;
  double interval = 1;
  bool v4 = false;
  bool v6 = false;
};

/// A connection that has not yet said whether it is a control or a data connection.
struct pending_conn {
  lsock::socket s;
  endpoint peer;
  std::string line;
  std::int64_t deadline = 0;
};

struct test_state {
  enum class phase { attaching, running, draining };
  message_channel ctl;
  endpoint peer;
  perf_params p;
  std::string cookie;
  phase ph = phase::attaching;
  std::vector<lsock::socket> tcp;  ///< attached data connections, by stream index
  std::vector<lsock::socket> udp;  ///< one bound socket per stream
  std::vector<std::optional<endpoint>> udp_peer;
  std::unique_ptr<perf_meter> meter;
  std::int64_t deadline = 0;  ///< of the current phase
};

class perf_server {
 public:
  perf_server(const perf_server_options& o, const output& out, lsock::socket listener)
      : o_(o), out_(out), listener_(std::move(listener)) {}
  int run();

 private:
  void collect_fds();
  void accept_all();
  bool serve_pending(pending_conn& c);
  void on_hello(pending_conn& c, const json& msg);
  void on_stream(pending_conn& c, const json& msg);
  void on_udp_hello(std::size_t i);
  void maybe_start();
  void on_control();
  void check_progress();
  void finish_test();
  void abandon(const lsock::error& e);
  void report_error(const lsock::error& e, const endpoint& peer) const;
  /// Turns a connection away: the error message to the peer and one `rejected` event (no
  /// `error` event: a bad or unlucky client is no failure of the server).
  void reject(pending_conn& c, std::string_view name, std::string_view message);
  [[nodiscard]] std::int64_t wake_at() const;

  const perf_server_options& o_;
  const output& out_;
  lsock::socket listener_;
  std::list<pending_conn> pending_;
  std::unique_ptr<test_state> test_;
  long long tests_ = 0;
  selector sel_;
  std::vector<int> read_fds_;
};

void perf_server::report_error(const lsock::error& e, const endpoint& peer) const {
  out_.error_line(e.describe() + " (client " + peer.to_string() + ")");
  if (!out_.json_mode()) return;
  json ev{{"event", "error"}};
  ev.update(error_json(e));
  ev["client"] = endpoint_json(peer);
  out_.event(std::move(ev), "");
}

void perf_server::reject(pending_conn& c, std::string_view name, std::string_view message) {
  (void)send_all(c.s, error_message(name, message).dump() + "\n", deadline_after(1));
  json ev{{"event", "rejected"}, {"reason", name}, {"message", message}};
  ev["client"] = endpoint_json(c.peer);
  out_.event(std::move(ev), "rejected " + c.peer.to_string() + ": " + std::string(message));
}

/// What the wait watches: the listener, pending connections, the test's descriptors, then
/// the stop wake pipe (Ctrl-C ends the wait at once) and, last, stdout's watch (a reader of
/// stdout going away ends the server, as it ends the other listeners).
void perf_server::collect_fds() {
  read_fds_.clear();
  read_fds_.push_back(listener_.fd());
  for (const auto& c : pending_) read_fds_.push_back(c.s.fd());
  if (test_) {
    read_fds_.push_back(test_->ctl.fd());
    if (test_->ph == test_state::phase::attaching) {
      for (const auto& u : test_->udp) read_fds_.push_back(u.fd());
    }
  }
  read_fds_.push_back(stop_wake_fd());
  read_fds_.push_back(stdout_watch_fd());
}

std::int64_t perf_server::wake_at() const {
  std::int64_t at = now_ns() + 100'000'000;
  if (test_ && test_->meter && test_->ph == test_state::phase::running &&
      test_->meter->next_report_ns() != 0) {
    at = std::min(at, test_->meter->next_report_ns());
  }
  // Draining ends when the stream threads do, which no descriptor announces: look often.
  if (test_ && test_->ph == test_state::phase::draining) at = now_ns() + 2'000'000;
  return at;
}

void perf_server::accept_all() {
  for (int n = 0; n < 64; ++n) {
    accepted a;
    auto r = listener_.accept(a);
    if (!r) {
      out_.error_line(r.error().describe());
      return;
    }
    if (*r != io_status::ready) return;
    pending_.push_back({std::move(a.socket), a.peer, {}, deadline_after(setup_s)});
  }
}

/// Reads the connection's first line; true when it is finished with (handed over or dropped).
bool perf_server::serve_pending(pending_conn& c) {
  auto r = read_greeting(c.s, c.line);
  if (!r) {
    report_error(r.error(), c.peer);
    return true;
  }
  if (!*r) return false;
  const json msg = json::parse(c.line, nullptr, false);
  if (msg.is_discarded() || !msg.is_object()) {
    reject(c, "EPROTO", "garbage on the control port (not a JSON message)");
    return true;
  }
  const std::string type = text_field(msg, "type");
  if (type == "hello") {
    on_hello(c, msg);
  } else if (type == "stream") {
    on_stream(c, msg);
  } else {
    reject(c, "EPROTO", "unknown message type '" + escaped_text(type) + "'");
  }
  return true;
}

void perf_server::on_hello(pending_conn& c, const json& msg) {
  if (test_) {
    reject(c, "busy", "the server is busy running a test for " + test_->peer.to_string());
    return;
  }
  std::string cookie;
  auto p = parse_hello(msg, cookie);
  if (!p) {
    reject(c, "EPROTO", p.error().message);
    return;
  }
  auto t = std::make_unique<test_state>();
  t->p = *p;
  t->cookie = cookie;
  t->peer = c.peer;
  t->tcp.resize(static_cast<std::size_t>(p->streams));
  t->udp_peer.resize(static_cast<std::size_t>(p->streams));
  json ports = json::array();
  if (p->udp) {
    const std::string local = listener_.local_endpoint().value().addr();
    for (int i = 0; i < p->streams; ++i) {
      auto u = lsock::socket::bind(socket_type::udp, local, 0);
      if (!u) {
        report_error(u.error(), c.peer);
        reject(c, u.error().name, u.error().describe());
        return;
      }
      tune_data_socket(*u, *p);
      ports.push_back(u->local_endpoint().value().port());
      t->udp.push_back(std::move(*u));
    }
  }
  t->ctl = message_channel(std::move(c.s));
  const json accept{{"type", "accept"}, {"version", perf_protocol_version}, {"udp_ports", ports}};
  if (auto sent = t->ctl.send(accept, deadline_after(1)); !sent) {
    report_error(sent.error(), c.peer);
    return;
  }
  t->deadline = deadline_after(setup_s);
  test_ = std::move(t);
}

void perf_server::on_stream(pending_conn& c, const json& msg) {
  const bool mine = test_ && test_->ph == test_state::phase::attaching && !test_->p.udp &&
                    text_field(msg, "cookie") == test_->cookie;
  const auto index = int_field(msg, "index", -1);
  if (!mine || index < 0 || index >= test_->p.streams ||
      test_->tcp[static_cast<std::size_t>(index)].is_open()) {
    reject(c, "EPROTO", "a data connection for no test in progress");
    return;
  }
  tune_data_socket(c.s, test_->p);
  test_->tcp[static_cast<std::size_t>(index)] = std::move(c.s);
  maybe_start();
}

void perf_server::on_udp_hello(std::size_t i) {
  char buf[256];
  endpoint from;
  for (;;) {
    auto r = test_->udp[i].recvfrom(buf, from);
    if (!r || r->status != io_status::ready) return;
    const std::string_view d(buf, r->bytes);
    if (d.starts_with(perf_udp_hello) && d.substr(perf_udp_hello.size()) == test_->cookie) {
      test_->udp_peer[i] = from;
    }
  }
}

void perf_server::maybe_start() {
  test_state& t = *test_;
  for (int i = 0; i < t.p.streams; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (t.p.udp ? !t.udp_peer[k].has_value() : !t.tcp[k].is_open()) return;
  }
  t.meter = std::make_unique<perf_meter>(t.p, t.p.reverse, o_.interval);
  for (int i = 0; i < t.p.streams; ++i) {
    const auto k = static_cast<std::size_t>(i);
    stream_setup su{t.p.udp, t.p.reverse, t.p.length, t.p.bitrate / t.p.streams, std::nullopt};
    if (t.p.udp) su.to = t.udp_peer[k];
    t.meter->add(std::make_unique<perf_stream>(std::move(t.p.udp ? t.udp[k] : t.tcp[k]), su));
  }
  if (auto sent = t.ctl.send(json{{"type", "start"}}, deadline_after(1)); !sent) {
    abandon(sent.error());
    return;
  }
  json ev = t.meter->start_event(o_.interval);
  ev["client"] = endpoint_json(t.peer);
  out_.event(std::move(ev), "Accepted test from " + t.peer.to_string() + ": " +
                                (t.p.udp ? "udp" : "tcp") + ", " + std::to_string(t.p.streams) +
                                " stream(s)" + (t.p.reverse ? ", reverse" : ""));
  t.meter->print_header(out_);
  t.meter->start();
  t.ph = test_state::phase::running;
  t.deadline = deadline_after(t.p.time + overrun_s);
}

void perf_server::on_control() {
  for (;;) {
    auto m = test_->ctl.poll();
    if (!m) {
      abandon(library_error("protocol", m.error().code,
                            "the client vanished mid-test (" + m.error().message + ")"));
      return;
    }
    if (!*m) return;
    const std::string type = text_field(**m, "type");
    if (type == "stop" && test_->ph == test_state::phase::running) {
      test_->meter->stop_all();
      test_->ph = test_state::phase::draining;
      test_->deadline = deadline_after(setup_s);
    } else if (type == "error") {
      abandon(peer_error(**m));
      return;
    } else {
      abandon(protocol_error("unexpected '" + type + "' message from the client"));
      return;
    }
  }
}

void perf_server::check_progress() {
  test_state& t = *test_;
  if (t.ph == test_state::phase::attaching) {
    if (passed(t.deadline)) abandon(protocol_error("the client's streams did not arrive in time"));
    return;
  }
  if (auto e = t.meter->failure()) {
    abandon(*e);
    return;
  }
  if (t.ph == test_state::phase::running && now_ns() >= t.meter->next_report_ns() &&
      t.meter->next_report_ns() != 0) {
    t.meter->report(out_, false);
  }
  if (t.ph == test_state::phase::draining && t.meter->all_done()) {
    finish_test();
  } else if (passed(t.deadline)) {
    abandon(protocol_error(t.ph == test_state::phase::running ? "the client never ended the test"
                                                              : "the streams did not drain"));
  }
}

void perf_server::finish_test() {
  test_state& t = *test_;
  for (auto& s : t.meter->streams()) s->join();
  t.meter->report(out_, true);
  json local = t.meter->totals();
  json mine = local;
  mine["type"] = "results";
  selector sel;
  if (auto sent = t.ctl.send(mine, deadline_after(1)); !sent) {
    abandon(sent.error());
    return;
  }
  auto theirs = t.ctl.receive(sel, deadline_after(setup_s));
  if (!theirs || !valid_results(*theirs)) {
    abandon(theirs ? protocol_error("expected the client's results") : theirs.error());
    return;
  }
  const json end = end_event(t.p, t.p.reverse, local, *theirs, false);
  if (out_.json_mode()) {
    json ev = end;
    ev["client"] = endpoint_json(t.peer);
    out_.event(std::move(ev), "");
  } else {
    print_summary(out_, end);
  }
  test_.reset();
  ++tests_;
}

void perf_server::abandon(const lsock::error& e) {
  report_error(e, test_->peer);
  if (test_->meter) test_->meter->abort_all();
  test_.reset();  // the streams' destructors join their threads and close the sockets
  ++tests_;
}

int perf_server::run() {
  const auto until = deadline_after(o_.timeout);
  while (!stop_requested() && !passed(until) && (o_.count == 0 || tests_ < o_.count || test_)) {
    collect_fds();
    const auto left_ms = std::max<std::int64_t>(0, (wake_at() - now_ns()) / 1'000'000);
    if (auto w = sel_.wait(read_fds_, {}, left_ms); !w) {
      out_.failure(w.error());
      return 1;
    }
    const auto ready = sel_.ready_read();
    if (!ready.empty() && ready.back() == read_fds_.size() - 1) stdout_reader_gone();
    accept_all();
    for (auto it = pending_.begin(); it != pending_.end();) {
      const bool drop = serve_pending(*it);
      if (!drop && passed(it->deadline)) {
        reject(*it, "EPROTO", "a connection sent no complete message in time");
      }
      it = drop || passed(it->deadline) ? pending_.erase(it) : std::next(it);
    }
    if (test_) on_control();
    if (test_ && test_->ph == test_state::phase::attaching) {
      for (std::size_t i = 0; i < test_->udp.size(); ++i) on_udp_hello(i);
      maybe_start();
    }
    if (test_) check_progress();
  }
  if (test_) abandon(library_error("test", EINTR, "the server is stopping"));
  return 0;
}

int run(const perf_server_options& o, const output& out) {
  // Before listen_target, whose "takes no PORT" would point at a form perf-server does not take.
  if (!o.args.empty() && is_unix_address(o.args.front())) {
    throw usage_error("perf-server needs [ADDR] PORT, not a unix path");
  }
  const target where = listen_target(o.args, o.v6 ? "::" : "0.0.0.0");
  socket_options so;
  so.backlog = 128;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(where.address, so.prefer);
  auto listener = bind_first_address(socket_type::tcp, where, so, deadline_after(o.timeout), out);
  if (!listener) return 1;
  install_stop_handlers();
  if (auto local = listener->local_endpoint()) {
    json ev{{"event", "listening"}};
    ev.update(endpoint_json(*local));
    out.event(std::move(ev), "Server listening on " + local->to_string());
  }
  perf_server server(o, out, std::move(*listener));
  return server.run();
}

}  // namespace

command register_perf_server(CLI::App& app) {
  auto opts = std::make_shared<perf_server_options>();
  CLI::App* sub = app.add_subcommand("perf-server", "Serve throughput tests for lsock perf");
  sub->footer(
      "Serves one test at a time; a second client meanwhile is told 'busy'. The control\n"
      "connection and the TCP data connections share PORT; UDP streams get ports of their own.\n"
      "PORT 0 picks a free port, reported in the 'listening' event.\n"
      "--json prints JSON Lines: listening, start, interval, end (as lsock perf), rejected\n"
      "{reason, client} and error {op, name, code, message, client}.\n"
      "Example: lsock perf-server 5201");
  sub->add_option("[ADDR] PORT", opts->args,
                  "Where to listen (default address: 0.0.0.0, :: with -6)")
      ->required()
      ->expected(1, 2)
      ->type_name("");
  add_count_option(*sub, opts->count, "Stop after N tests (default: until Ctrl-C)", "-c,--count");
  add_timeout_option(*sub, opts->timeout, "Stop after S seconds");
  add_interval_seconds_option(*sub, opts->interval, "Seconds between interval reports; 0 = none")
      ->capture_default_str();
  add_family_flags(*sub, opts->v4, opts->v6);
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
