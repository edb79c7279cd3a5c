// lsock tcp-connect HOST PORT: connect (a probe), optionally send data or stdin and show the
// answer. Prints one JSON document; with --stdin it works like nc's client.

#include <unistd.h>

#include <iostream>
#include <limits>
#include <lsock/resolve.hpp>
#include <lsock/socket.hpp>
#include <optional>

#include "commands.hpp"
#include "common.hpp"
#include "options.hpp"

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
  bool idle_given = false;
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

/// Sends all of `data`, waiting for the socket when it is full (partial sends resume where
/// they stopped). False on failure (`err` set) or when the deadline passed / Ctrl-C.
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

/// The addresses to try in turn: a host name's every address (as nc and curl do, so
/// "localhost" reaches a server that listens on 127.0.0.1 only even if ::1 comes first);
/// IP literals and unix addresses as they are.
result<std::vector<std::string>> candidates(const std::string& host, family_preference prefer) {
  endpoint literal;
  if (is_unix_address(host) || host.find(':') != std::string::npos ||
      parse_ip_literal(host, 0, literal)) {
    return std::vector<std::string>{host};
  }
  auto list = lsock::resolve(host, prefer);
  if (!list) return list.error();
  std::vector<std::string> addrs;
  for (const auto& a : *list) addrs.push_back(a.addr);
  if (addrs.empty()) return library_error("resolve", ENOENT, "no addresses for " + host);
  return addrs;
}

int run(const tcp_connect_options& o, const output& out) {
  const target to = connect_target(o.args);
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(to.address, so.prefer);
  check_not_group(to.address, "TCP");
  install_stop_handlers();
  const auto start = now_ns();
  auto deadline = deadline_after(o.timeout);

  session ss{out, json{{"host", to.address}}, 0, 0, o.stdin_mode};
  if (!is_unix_address(to.address)) ss.doc["port"] = to.port;
  auto fail = [&](const lsock::error& e) {
    if (out.json_mode()) {
      ss.doc["error"] = error_json(e);
      out.document(ss.doc);
    }
    out.error_line(e.describe());
    return 1;
  };
  auto fail_timeout = [&](const char* what) {
    if (stop_requested()) return fail(library_error(what, EINTR, "interrupted"));
    return fail(library_error(what, ETIMEDOUT, std::string(what) + " timed out"));
  };

  auto addrs = candidates(to.address, so.prefer);
  if (!addrs) return fail(addrs.error());
  selector sel;
  lsock::socket s;
  std::optional<lsock::error> last;
  for (const std::string& addr : *addrs) {
    auto attempt = lsock::socket::connect(socket_type::tcp, addr, to.port, so);
    if (!attempt) {
      last = attempt.error();
      continue;
    }
    // The connect runs in the background: writable means it finished, status() says how.
    const int fd = attempt->fd();
    auto w = wait_until(sel, {}, std::span<const int>(&fd, 1), deadline);
    if (!w) return fail(w.error());
    if (!*w) return fail_timeout("connect");
    if (auto st = attempt->status(); !st) {
      last = st.error();
      last->op = "connect";
      continue;
    }
    s = std::move(*attempt);
    break;
  }
  if (!s.is_open()) return fail(*last);

  const double connect_ms = elapsed_ms(start);
  ss.doc["connect_ms"] = connect_ms;
  auto local = s.local_endpoint();
  auto peer = s.peer_endpoint();
  if (local) ss.doc["local"] = endpoint_json(*local);
  if (peer) ss.doc["peer"] = endpoint_json(*peer);
  ss.say("connected to " + (peer ? peer->to_string() : to.address) + " from " +
         (local && !local->addr().empty() ? local->to_string() : "(unnamed)") + " in " +
         ms_text(connect_ms));
  ss.doc["data"] = json::array();

  std::optional<lsock::error> err;
  if (o.has_send && !send_all(s, o.send, sel, deadline, ss, err)) {
    return err ? fail(*err) : fail_timeout("send");
  }

  // Read the answer: until --expect bytes, the peer closes, --idle seconds of silence (when
  // nothing in particular is expected and nothing more is to be sent) or the deadline. While
  // standard input is open (--stdin) only the user ends the session: end of input or Ctrl-C.
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
    // With --stdin, silence after the end of input is no reason to stop (nc waits for the
    // peer), unless --idle was given.
    const bool idle_applies = o.expect == 0 && !stdin_open && (!o.stdin_mode || o.idle_given);
    std::int64_t until = stdin_open && o.expect == 0 ? 0 : deadline;
    if (idle_applies && idle_deadline != 0 && (until == 0 || idle_deadline < until)) {
      until = idle_deadline;
    }
    const int fds[2] = {s.fd(), stdin_open ? STDIN_FILENO : -1};
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
        const long n = read_some(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
          // End of input: half-close like nc -N, so the peer sees end-of-stream and can
          // answer and close; keep reading until it does.
          stdin_open = false;
          if (auto sh = s.shutdown_write(); !sh) return fail(sh.error());
          idle_deadline = deadline_after(o.idle);
          // Waiting for the peer to close could be endless: --timeout bounds it from here.
          deadline = deadline_after(o.timeout);
          continue;
        }
        if (!send_all(s, {buf, static_cast<std::size_t>(n)}, sel, 0, ss, err)) {
          return err ? fail(*err) : fail_timeout("send");
        }
        continue;
      }
      auto got = s.recv(buf);
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
  (void)s.close();
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
      "Without --send/--stdin it is a connect probe: exit 0 if the port accepts, 1 if not.\n"
      "HOST may be a unix path or @name (then no PORT); a host name's addresses are tried in\n"
      "turn. --timeout bounds the connect and, with --send or --expect, the whole exchange.\n"
      "--stdin works like nc: standard input goes to the socket, the answer to stdout; at end\n"
      "of input the sending side is shut down and the answer is read until the peer closes\n"
      "(at most --timeout SECONDS more; --idle applies only when given).\n"
      "--json prints one document: connect_ms, local, peer, data [...], bytes_in/out, closed_by.\n"
      "Example: lsock tcp-connect 127.0.0.1 8000 --send 'hello' --expect 5 --json");
  sub->add_option("HOST PORT", opts->args, "Host (or unix path / @name) and port")
      ->required()
      ->expected(1, 2)
      ->type_name("");
  auto* send =
      sub->add_option("--send", opts->send, "Send DATA after connecting")->type_name("DATA");
  auto* in =
      sub->add_flag("--stdin", opts->stdin_mode, "Send standard input; print what comes back")
          ->excludes(send);
  send->excludes(in);
  sub->add_option("--expect", opts->expect, "Wait for BYTES bytes (exit 1 if they do not come)")
      ->check(whole_number(0, std::numeric_limits<long long>::max()))
      ->type_name("BYTES");
  sub->add_option("--timeout", opts->timeout, "Give up after SECONDS (0: never)")
      ->check(seconds())
      ->type_name("SECONDS")
      ->capture_default_str();
  auto* idle = sub->add_option("--idle", opts->idle,
                               "Without --expect: stop reading after SECONDS of silence (0: wait "
                               "for the peer to close)")
                   ->check(seconds())
                   ->type_name("SECONDS")
                   ->capture_default_str();
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 only");
  sub->add_flag("-6", opts->v6, "IPv6 only")->excludes(v4);
  sub->parse_complete_callback([opts, send, idle] {
    opts->has_send = send->count() > 0;
    opts->idle_given = idle->count() > 0;
  });
  return {sub, [opts](const output& out) { return run(*opts, out); }, false};
}

}  // namespace lsock::cli
