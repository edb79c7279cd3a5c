// lsock tcp-connect HOST PORT: connect (a probe), optionally send data or stdin and show the
// answer. Prints one JSON document; with --stdin it works like nc's client.

#include <unistd.h>

#include <iostream>
#include <lsock/socket.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace lsock::cli {
namespace {

struct tcp_connect_options {
  std::vector<std::string> args;
  std::string send;
  bool has_send = false;
  bool stdin_mode = false;
  long long expect = 0;
  double timeout = 10;
  double idle = 1;
  bool v4 = false;
  bool v6 = false;
};

struct session {
  const output& out;
  json doc;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  /// In text mode received bytes go to stdout as they are; status lines go to stderr when
  /// stdout carries the stream (--stdin), else to stdout.
  bool status_to_stderr = false;

  void say(const std::string& line) const {
    if (out.json_mode()) return;
    (status_to_stderr ? std::cerr : std::cout) << line << '\n' << std::flush;
  }
  void received(std::string_view data) {
    bytes_in += data.size();
    if (out.json_mode()) {
      doc["data"].push_back(payload_json(data));
    } else {
      std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
      std::cout.flush();
    }
  }
};

/// Sends all of `data`, waiting for the socket when it is full. False on failure/timeout.
bool send_all(lsock::socket& s, std::string_view data, selector& sel, std::int64_t deadline,
              session& ss, std::optional<lsock::error>& err) {
  while (!data.empty()) {
    auto r = s.send(data);
    if (!r) {
      err = r.error();
      return false;
    }
    if (r->status == io_status::ready) {
      ss.bytes_out += r->bytes;
      data.remove_prefix(r->bytes);
      continue;
    }
    const int fd = s.fd();
    auto w = wait_until(sel, {}, std::span<const int>(&fd, 1), deadline);
    if (!w || !*w) {
      if (!w) err = w.error();
      return false;
    }
  }
  return true;
}

int run(const tcp_connect_options& o, const output& out) {
  if (o.has_send && o.stdin_mode) throw usage_error("--send and --stdin exclude each other");
  const target to = connect_target(o.args);
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  install_stop_handlers();
  const auto start = now_ns();
  const auto deadline = deadline_after(o.timeout);

  session ss{out, json{{"host", to.address}}, 0, 0, o.stdin_mode};
  if (!is_unix_address(to.address)) ss.doc["port"] = to.port;
  auto fail = [&](const lsock::error& e) {
    if (out.json_mode()) {
      ss.doc["error"] = error_json(e);
      out.document(ss.doc);
    }
    std::cerr << "lsock: tcp-connect: " << e.describe() << '\n';
    return 1;
  };
  auto fail_timeout = [&](const char* what) {
    return fail(library_error(what, ETIMEDOUT, std::string(what) + " timed out"));
  };

  auto s = lsock::socket::connect(socket_type::tcp, to.address, to.port, so);
  if (!s) return fail(s.error());
  selector sel;
  const int fd = s->fd();
  auto w = wait_until(sel, {}, std::span<const int>(&fd, 1), deadline);
  if (!w) return fail(w.error());
  if (!*w) return fail_timeout("connect");
  if (auto st = s->status(); !st) return fail(st.error());
  const double connect_ms = elapsed_ms(start);
  ss.doc["connect_ms"] = connect_ms;
  auto local = s->local_endpoint();
  auto peer = s->peer_endpoint();
  if (local) ss.doc["local"] = endpoint_json(*local);
  if (peer) ss.doc["peer"] = endpoint_json(*peer);
  ss.say("connected to " + (peer ? peer->to_string() : to.address) + " from " +
         (local ? local->to_string() : "?") + " in " + ms_text(connect_ms));
  ss.doc["data"] = json::array();

  std::optional<lsock::error> err;
  if (o.has_send && !send_all(*s, o.send, sel, deadline, ss, err)) {
    return err ? fail(*err) : fail_timeout("send");
  }

  // Read the answer: until --expect bytes, the peer closes, the idle time passes (when
  // nothing in particular is expected) or the deadline.
  const bool reading = o.has_send || o.stdin_mode || o.expect > 0;
  std::string closed_by = "local";
  bool stdin_open = o.stdin_mode;
  std::int64_t idle_deadline = deadline_after(o.idle);
  static char buf[65536];
  while (reading) {
    if (o.expect > 0 && ss.bytes_in >= static_cast<std::size_t>(o.expect)) {
      closed_by = "expect";
      break;
    }
    std::int64_t until = deadline;
    const bool idle_applies = o.expect == 0 && !stdin_open;
    if (idle_applies && (until == 0 || idle_deadline < until)) until = idle_deadline;
    const int fds[2] = {s->fd(), stdin_open ? STDIN_FILENO : -1};
    auto r = wait_until(sel, fds, {}, until);
    if (!r) return fail(r.error());
    if (!*r) {
      if (stop_requested()) {
        closed_by = "signal";
        break;
      }
      if (idle_applies && !passed(deadline)) {
        closed_by = "idle";
        break;
      }
      if (o.expect > 0) return fail_timeout("receive");
      closed_by = "timeout";
      break;
    }
    bool peer_closed = false;
    for (const std::size_t i : sel.ready_read()) {
      if (i == 1) {  // stdin → socket
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
          stdin_open = false;
          (void)s->shutdown_write();  // like nc -N: the peer sees end-of-stream
          idle_deadline = deadline_after(o.idle);
          continue;
        }
        if (!send_all(*s, {buf, static_cast<std::size_t>(n)}, sel, deadline, ss, err)) {
          return err ? fail(*err) : fail_timeout("send");
        }
        continue;
      }
      auto got = s->recv(buf);
      if (!got) return fail(got.error());
      if (got->status == io_status::closed) {
        peer_closed = true;
      } else if (got->status == io_status::ready) {
        ss.received({buf, got->bytes});
        idle_deadline = deadline_after(o.idle);
      }
    }
    if (peer_closed) {
      closed_by = "peer";
      break;
    }
  }
  if (o.expect > 0 && ss.bytes_in < static_cast<std::size_t>(o.expect)) {
    return fail(library_error("receive", ECONNRESET,
                              "connection closed after " + std::to_string(ss.bytes_in) + " of " +
                                  std::to_string(o.expect) + " expected bytes"));
  }
  (void)s->close();
  const double ms = elapsed_ms(start);
  ss.doc["bytes_out"] = ss.bytes_out;
  ss.doc["bytes_in"] = ss.bytes_in;
  ss.doc["closed_by"] = closed_by;
  ss.doc["duration_ms"] = ms;
  if (out.json_mode()) {
    out.document(ss.doc);
  } else {
    if (ss.bytes_in > 0 && !o.stdin_mode) std::cout << '\n';
    ss.say("closed (" + closed_by + "): " + std::to_string(ss.bytes_out) + " bytes out, " +
           std::to_string(ss.bytes_in) + " in, " + ms_text(ms));
  }
  return 0;
}

}  // namespace

command register_tcp_connect(CLI::App& app) {
  auto opts = std::make_shared<tcp_connect_options>();
  CLI::App* sub = app.add_subcommand("tcp-connect", "Connect over TCP; optionally send and read");
  sub->footer(
      "Without --send/--stdin it is a connect probe (exit 0 if the port accepts).\n"
      "HOST may be a unix path or @name (then no PORT).\n"
      "Example: lsock tcp-connect 127.0.0.1 8000 --send 'hello' --expect 5 --json");
  sub->add_option("HOST PORT", opts->args, "HOST PORT")->required()->expected(1, 2);
  auto* send = sub->add_option("--send", opts->send, "Send DATA after connecting");
  auto* in =
      sub->add_flag("--stdin", opts->stdin_mode, "Send standard input; print what comes back")
          ->excludes(send);
  send->excludes(in);
  sub->add_option("--expect", opts->expect, "Wait for BYTES bytes (exit 1 if they do not come)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--timeout", opts->timeout, "Give up after SECONDS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--idle", opts->idle, "Without --expect: stop reading after SECONDS of silence")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 only");
  sub->add_flag("-6", opts->v6, "IPv6 only")->excludes(v4);
  sub->parse_complete_callback([opts, send] { opts->has_send = send->count() > 0; });
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
