// lsock tcp-connect HOST PORT: connect (a probe), optionally send data or stdin and show the
// answer. Prints one JSON document; with --stdin it works like nc's client.

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <limits>
#include <lsock/socket.hpp>
#include <optional>
#include <span>

#include "address_checks.hpp"
#include "byte_queue.hpp"
#include "commands.hpp"
#include "expect_pattern.hpp"
#include "monotonic_time.hpp"
#include "name_lookup.hpp"
#include "option_checks.hpp"
#include "shared_options.hpp"
#include "standard_streams.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "text_format.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

/// --expect: a usable pattern, else why not ("--expect: invalid pattern 'a\1': back-references
/// are not supported").
CLI::Validator expect_regex() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string problem = expect_pattern_problem(text);
        return problem.empty() ? problem : "invalid pattern '" + text + "': " + problem;
      },
      "");
}

struct tcp_connect_options {
  std::vector<std::string> args;
  std::string send;
  bool has_send = false;
  bool stdin_mode = false;
  std::string expect;  ///< --expect REGEX
  bool has_expect = false;
  long long expect_bytes = 0;
  double timeout = 10;
  double idle = 1;
  bool idle_given = false;
  bool timeout_given = false;
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
  /// Text mode: received bytes not yet written to stdout.
  byte_queue to_stdout;
  /// --expect: searched as the data arrives.
  std::optional<expect_pattern> pattern;

  void say(const std::string& line) const {
    if (out.json_mode()) return;
    if (status_to_stderr) {
      std::cerr << line << '\n' << std::flush;
    } else {
      out.text(line);  // stamped with --timestamps, as every command's text lines
    }
  }
  void received(std::string_view data) {
    bytes_in += data.size();
    if (out.json_mode()) {
      doc["data"].push_back(payload_json(data));
    } else {
      to_stdout.append(data);
    }
    if (pattern) pattern->feed(data);
  }
  /// `matched` and `match` (the matched bytes as payload_json shows data) under --expect.
  void report_match() {
    if (!pattern) return;
    doc["matched"] = pattern->matched();
    doc["match"] = pattern->matched() ? payload_json(pattern->text()) : json(nullptr);
  }
  /// For the text status line: `, matched "SSH-2.0-OpenSSH_9.2"` (one line, at most 200 bytes
  /// shown), or "" without --expect.
  [[nodiscard]] std::string match_text() const {
    if (!pattern) return "";
    constexpr std::size_t shown = 200;
    const std::string& t = pattern->text();
    return ", matched \"" + escaped_text(std::string_view(t).substr(0, shown)) +
           (t.size() > shown ? "...\"" : "\"");
  }
};

/// A side whose output lags this far behind is not read until it catches up: a fast peer
/// and a slow stdout (or the reverse) cannot make lsock grow without bound.
constexpr std::size_t max_buffered = std::size_t{1} << 20;

/// tcp-connect names its reading side `receive` (README), whatever ended it: a reset
/// (ECONNRESET) is reported like an orderly close without the expected data, not with the
/// core's syscall name `recv`.
lsock::error receive_error(lsock::error e) {
  e.op = "receive";
  return e;
}

/// How an exchange ended: who closed it ("peer", "expect", "idle", "timeout", "signal"), or
/// the error that ended it.
struct outcome {
  std::string closed_by;
  std::optional<lsock::error> error;
};

/// The data phase of tcp-connect: sends --send data or standard input while it reads the
/// answer, as nc does, so a peer that talks before it listens cannot deadlock it. Every wait
/// includes the socket in both directions, stdin and stdout; every wait is bounded by the
/// deadline (or Ctrl-C).
class exchange {
 public:
  exchange(const tcp_connect_options& o, lsock::socket& s, session& ss, std::int64_t deadline)
      : o_(o), s_(s), ss_(ss), stdin_open_(o.stdin_mode), deadline_(deadline) {
    if (o.has_send) to_peer_.append(o.send);
    idle_deadline_ = deadline_after(o.idle);
  }

  outcome run() {
    for (;;) {
      if (auto done = finished()) return {*done, {}};
      if (auto err = half_close_at_end_of_input()) return {"", err};
      const int read_fds[2] = {reading_peer() ? s_.fd() : -1,
                               stdin_open_ && to_peer_.size() < max_buffered ? STDIN_FILENO : -1};
      const int write_fds[2] = {to_peer_.empty() ? -1 : s_.fd(),
                                ss_.to_stdout.empty() ? -1 : STDOUT_FILENO};
      auto r = wait_until(sel_, read_fds, write_fds, wait_limit());
      if (!r) return {"", r.error()};
      if (!*r) return on_timeout();
      if (auto err = on_ready()) return {"", err};
    }
  }

 private:
  /// --expect and --expect-bytes: the exchange ends when all that was given holds.
  [[nodiscard]] bool expecting() const { return ss_.pattern || o_.expect_bytes > 0; }
  [[nodiscard]] bool expect_met() const {
    return expecting() && (!ss_.pattern || ss_.pattern->matched()) &&
           ss_.bytes_in >= static_cast<std::size_t>(o_.expect_bytes);
  }
  [[nodiscard]] bool reading_peer() const {
    return !peer_closed_ && !expect_met() && ss_.to_stdout.size() < max_buffered;
  }
  /// Silence ends the exchange only when nothing more is to be sent or shown, nothing in
  /// particular is expected, and (with --stdin) --idle was given.
  [[nodiscard]] bool idle_applies() const {
    return !expecting() && !stdin_open_ && to_peer_.empty() && ss_.to_stdout.empty() &&
           (!o_.stdin_mode || o_.idle_given);
  }
  [[nodiscard]] std::optional<std::string> finished() const {
    if (!ss_.to_stdout.empty()) return std::nullopt;
    if (expect_met()) return "expect";
    if (peer_closed_ && (o_.stdin_mode || to_peer_.empty())) return "peer";
    return std::nullopt;
  }
  /// While standard input is open only the user ends a --stdin session (end of input or
  /// Ctrl-C), unless --timeout or --expect was given.
  [[nodiscard]] std::int64_t wait_limit() const {
    const bool user_ends = o_.stdin_mode && stdin_open_ && !o_.timeout_given && !expecting();
    std::int64_t until = user_ends ? 0 : deadline_;
    if (idle_applies() && idle_deadline_ != 0 && (until == 0 || idle_deadline_ < until)) {
      until = idle_deadline_;
    }
    return until;
  }

  /// End of input, all of it sent: half-close like nc -N, so the peer sees end-of-stream and
  /// can answer and close; the answer is read until it does.
  std::optional<lsock::error> half_close_at_end_of_input() {
    if (!o_.stdin_mode || stdin_open_ || !to_peer_.empty() || shut_) return std::nullopt;
    shut_ = true;
    if (auto sh = s_.shutdown_write(); !sh) return sh.error();
    idle_deadline_ = deadline_after(o_.idle);
    // Waiting for the peer to close could be endless: the default --timeout bounds it from
    // here; a --timeout given bounds the whole run.
    if (!o_.timeout_given) deadline_ = deadline_after(o_.timeout);
    return std::nullopt;
  }

  outcome on_timeout() const {
    if (stop_requested()) {
      // Ctrl-C ends a --stdin session; with --send it cuts off what was asked for.
      if (!o_.stdin_mode && !to_peer_.empty()) {
        return {"", library_error("send", EINTR, "interrupted")};
      }
      return {"signal", {}};
    }
    if (idle_applies() && !passed(deadline_)) return {"idle", {}};
    const std::string after = "timed out after " + seconds_text(o_.timeout);
    if (expecting() && !expect_met()) {
      const std::string waiting = ss_.pattern && !ss_.pattern->matched()
                                      ? " waiting for '" + ss_.pattern->source() + "'"
                                      : " with " + std::to_string(ss_.bytes_in) + " of " +
                                            std::to_string(o_.expect_bytes) + " expected bytes";
      return {"", library_error("receive", ETIMEDOUT, after + waiting)};
    }
    if (!to_peer_.empty()) return {"", library_error("send", ETIMEDOUT, after)};
    if (!ss_.to_stdout.empty()) {
      return {"", library_error("write", ETIMEDOUT,
                                after + " with " + std::to_string(ss_.to_stdout.size()) +
                                    " received bytes not yet written to stdout")};
    }
    return {"timeout", {}};
  }

  std::optional<lsock::error> on_ready() {
    for (const std::size_t i : sel_.ready_write()) {
      if (i == 1) {
        ss_.to_stdout.consume(write_stdout_some(ss_.to_stdout.front()));
        continue;
      }
      auto r = s_.send(to_peer_.front());
      if (!r) return r.error();
      if (r->status != io_status::ready) continue;
      ss_.bytes_out += r->bytes;
      to_peer_.consume(r->bytes);
      idle_deadline_ = deadline_after(o_.idle);
    }
    for (const std::size_t i : sel_.ready_read()) {
      if (i == 1) {
        if (auto err = read_stdin()) return err;
        continue;
      }
      // A pattern is searched as each read arrives: reads of one search slice keep the
      // deadline (checked before every wait) from waiting behind a long search.
      const std::size_t room = ss_.pattern ? expect_pattern::slice : buf_.size();
      auto got = s_.recv(std::span<char>(buf_.data(), room));
      if (!got) return receive_error(got.error());
      if (got->status == io_status::closed) {
        peer_closed_ = true;
        if (ss_.pattern) ss_.pattern->finish();
      }
      if (got->status != io_status::ready) continue;
      ss_.received({buf_.data(), got->bytes});
      idle_deadline_ = deadline_after(o_.idle);
    }
    return std::nullopt;
  }

  std::optional<lsock::error> read_stdin() {
    const long n = read_some(STDIN_FILENO, buf_.data(), buf_.size());
    if (n > 0) {
      to_peer_.append({buf_.data(), static_cast<std::size_t>(n)});
    } else if (n == 0) {
      stdin_open_ = false;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return system_error("read", errno);
    }
    return std::nullopt;
  }

  const tcp_connect_options& o_;
  lsock::socket& s_;
  session& ss_;
  selector sel_;
  byte_queue to_peer_;  ///< --send data or standard input not yet taken by the socket
  bool stdin_open_;
  bool shut_ = false;
  bool peer_closed_ = false;
  std::int64_t deadline_;
  std::int64_t idle_deadline_ = 0;
  std::array<char, 65536> buf_{};
};

/// Looks the host up and connects: a host name's addresses are raced by the core (RFC 8305),
/// so "localhost" reaches a server that listens on 127.0.0.1 only even if ::1 comes first;
/// the lookup and the connect count against --timeout and end on Ctrl-C.
result<lsock::socket> connect_phase(const target& to, const socket_options& so,
                                    std::int64_t deadline, double timeout_s) {
  auto addrs = endpoints_for(to, so.prefer, deadline);
  if (!addrs) return std::move(addrs).error();
  return lsock::socket::connect_wait(socket_type::tcp, *addrs, so,
                                     connect_limits{deadline, timeout_s, stop_fds()});
}

void report_connected(session& ss, const lsock::socket& s, const std::string& host,
                      std::int64_t start) {
  const double connect_ms = elapsed_ms(start);
  ss.doc["connect_ms"] = connect_ms;
  auto local = s.local_endpoint();
  auto peer = s.peer_endpoint();
  if (local) ss.doc["local"] = endpoint_json(*local);
  if (peer) ss.doc["peer"] = endpoint_json(*peer);
  ss.say("connected to " + (peer ? peer->to_string() : host) + " from " +
         (local && !local->addr().empty() ? local->to_string() : "(unnamed)") + " in " +
         ms_text(connect_ms));
  ss.doc["data"] = json::array();
}

/// What --expect / --expect-bytes did not get, once the exchange ended `closed_by`.
std::optional<lsock::error> unmet_expectation(const tcp_connect_options& o, const session& ss,
                                              const std::string& closed_by) {
  const bool short_of_bytes =
      o.expect_bytes > 0 && ss.bytes_in < static_cast<std::size_t>(o.expect_bytes);
  const bool unmatched = ss.pattern && !ss.pattern->matched();
  if (closed_by == "signal" && (unmatched || short_of_bytes)) {
    return library_error("receive", EINTR, "interrupted");
  }
  if (unmatched) {
    return library_error("receive", ECONNRESET,
                         "connection closed after " + std::to_string(ss.bytes_in) +
                             " bytes, none matching '" + ss.pattern->source() + "'");
  }
  if (short_of_bytes) {
    return library_error("receive", ECONNRESET,
                         "connection closed after " + std::to_string(ss.bytes_in) + " of " +
                             std::to_string(o.expect_bytes) + " expected bytes");
  }
  return std::nullopt;
}

void report_closed(const tcp_connect_options& o, session& ss, const std::string& closed_by,
                   std::int64_t start) {
  const double ms = elapsed_ms(start);
  ss.doc["bytes_out"] = ss.bytes_out;
  ss.doc["bytes_in"] = ss.bytes_in;
  ss.doc["closed_by"] = closed_by;
  ss.doc["duration_ms"] = ms;
  ss.report_match();
  if (ss.out.json_mode()) {
    ss.out.document(ss.doc);
    return;
  }
  if (ss.bytes_in > 0 && !o.stdin_mode) write_stdout("\n");
  ss.say("closed (" + closed_by + ")" + ss.match_text() + ": " + std::to_string(ss.bytes_out) +
         " bytes out, " + std::to_string(ss.bytes_in) + " in, " + ms_text(ms));
}

int run(const tcp_connect_options& o, const output& out) {
  const target to = connect_target(o.args);
  socket_options so;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(to.address, so.prefer);
  check_not_group(to.address, "TCP");
  install_stop_handlers();
  const auto start = now_ns();
  const auto deadline = deadline_after(o.timeout);

  session ss{out, json{{"host", to.address}}, 0, 0, o.stdin_mode, {}, {}};
  if (!is_unix_address(to.address)) ss.doc["port"] = to.port;
  if (o.has_expect) ss.pattern.emplace(o.expect);
  auto fail = [&](const lsock::error& e) {
    if (out.json_mode()) {
      ss.report_match();
      ss.doc["error"] = error_json(e);
      out.document(ss.doc);
    }
    out.error_line(e.describe());
    return 1;
  };

  auto s = connect_phase(to, so, deadline, o.timeout);
  if (!s) return fail(s.error());
  report_connected(ss, *s, to.address, start);
  std::string closed_by = "local";
  if (o.has_send || o.stdin_mode || o.has_expect || o.expect_bytes > 0) {
    auto ended = exchange(o, *s, ss, deadline).run();
    if (ended.error) return fail(*ended.error);
    closed_by = ended.closed_by;
  }
  if (auto unmet = unmet_expectation(o, ss, closed_by)) return fail(*unmet);
  (void)s->close();
  report_closed(o, ss, closed_by, start);
  return 0;
}

}  // namespace

command register_tcp_connect(CLI::App& app) {
  auto opts = std::make_shared<tcp_connect_options>();
  CLI::App* sub = app.add_subcommand("tcp-connect", "Connect over TCP; optionally send and read");
  sub->footer(
      "Without --send/--stdin it is a connect probe: exit 0 if the port accepts, 1 if not.\n"
      "HOST may be a unix path or @name (then no PORT); a host name's addresses are raced\n"
      "(RFC 8305: the next one when one fails or after 250 ms). --timeout bounds the connect\n"
      "and, with --send or --expect, the whole exchange.\n"
      "--stdin works like nc: standard input goes to the socket while the answer goes to\n"
      "stdout; at end of input the sending side is shut down and the answer is read until the\n"
      "peer closes (at most 10 s more; a --timeout given bounds the whole session instead;\n"
      "--idle applies only when given).\n"
      "--json prints one document: connect_ms, local, peer, data [...], bytes_in/out, closed_by.\n"
      "--expect REGEX ends the exchange as soon as the data received so far matches (searched\n"
      "as it arrives, the last 4 KiB with each read; ^ and $ at line starts and ends); --json\n"
      "adds matched and match.\n"
      "Example: lsock tcp-connect 127.0.0.1 8000 --send 'hello' --expect-bytes 5 --json\n"
      "Example: lsock tcp-connect 127.0.0.1 22 --expect '^SSH-2\\.0-'");
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
  auto* expect = sub->add_option("--expect", opts->expect,
                                 "Wait until the data received matches REGEX (ECMAScript; exit 1 "
                                 "if the peer closes or --timeout passes first)")
                     ->check(expect_regex())
                     ->type_name("REGEX");
  sub->add_option(
         "--expect-bytes", opts->expect_bytes,
         "Wait for BYTES bytes (exit 1 if they do not come); with --expect, both must hold")
      ->check(whole_number(1, std::numeric_limits<long long>::max()))
      ->type_name("BYTES");
  auto* timeout = add_timeout_option(*sub, opts->timeout, "Give up after S seconds (0: never)")
                      ->capture_default_str();
  auto* idle =
      sub->add_option("--idle", opts->idle,
                      "Without --expect(-bytes): stop reading after SECONDS of silence (0: wait "
                      "for the peer to close)")
          ->check(seconds())
          ->type_name("SECONDS")
          ->capture_default_str();
  add_family_flags(*sub, opts->v4, opts->v6);
  sub->parse_complete_callback([opts, send, idle, timeout, expect] {
    opts->has_send = send->count() > 0;
    opts->has_expect = expect->count() > 0;
    opts->idle_given = idle->count() > 0;
    opts->timeout_given = timeout->count() > 0;
  });
  return {sub, [opts](const output& out) { return run(*opts, out); }, false};
}

}  // namespace lsock::cli
