// lsock tcp-listen [ADDR] PORT: accept clients, show what they send, optionally echo it.
// Many clients at once through one selector; JSON Lines events as things happen.

#include <algorithm>
#include <cerrno>
#include <list>
#include <lsock/socket.hpp>

#include "address_checks.hpp"
#include "commands.hpp"
#include "monotonic_time.hpp"
#include "name_lookup.hpp"
#include "option_checks.hpp"
#include "shared_options.hpp"
#include "standard_streams.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "text_format.hpp"
#include "unix_path_cleanup.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

struct tcp_listen_options {
  std::vector<std::string> args;
  bool echo = false;
  long long count = 0;
  int backlog = 128;
  double timeout = 0;
  bool v4 = false;
  bool v6 = false;
};

/// A client whose echo backlog reaches this is not read until the kernel takes some of it:
/// a client that sends without reading cannot make the listener grow without bound.
constexpr std::size_t max_pending = std::size_t{1} << 20;
/// After an accept() failure (EMFILE...) the listener rests this long instead of spinning.
constexpr std::int64_t accept_pause_ns = 100'000'000;

struct client {
  lsock::socket sock;
  lsock::endpoint peer;
  std::string pending;  ///< echo bytes not yet accepted by the kernel
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  std::int64_t start_ns = 0;
  bool peer_done = false;  ///< the peer finished sending; close once `pending` is out
  long long id = 0;        ///< 1, 2, ... in accept order: tells unnamed unix peers apart

  /// For people: "127.0.0.1:4711", or "unix#2" for an unnamed unix peer.
  [[nodiscard]] std::string label() const {
    const std::string addr = peer.addr();
    return addr.empty() ? "unix#" + std::to_string(id) : peer.to_string();
  }
  /// The fields every event about this client carries: {"client": id, "peer": {...}}.
  [[nodiscard]] json about(std::string_view event) const {
    return json{{"event", event}, {"client", id}, {"peer", endpoint_json(peer)}};
  }
};

struct totals {
  long long connections = 0;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
};

void emit_closed(const output& out, const client& c, std::string_view reason) {
  const double ms = elapsed_ms(c.start_ns);
  json ev = c.about("closed");
  ev.update({{"reason", reason},
             {"bytes_in", c.bytes_in},
             {"bytes_out", c.bytes_out},
             {"duration_ms", ms}});
  out.event(ev, "closed   " + c.label() + " (" + std::string(reason) +
                    "): " + std::to_string(c.bytes_in) + " bytes in, " +
                    std::to_string(c.bytes_out) + " out, " + ms_text(ms));
}

/// A client's failure ends that client only: an event about it (text on stdout), not a
/// stderr line.
void emit_client_error(const output& out, const client& c, const lsock::error& err) {
  json ev = c.about("error");
  ev.update(error_json(err));
  out.event(ev, "error    " + c.label() + ": " + err.describe());
}

/// Sends what is pending (partial sends keep the rest); false when the client failed.
bool flush(const output& out, client& c, totals& t) {
  while (!c.pending.empty()) {
    auto r = c.sock.send(c.pending);
    if (!r) {
      emit_client_error(out, c, r.error());
      return false;
    }
    if (r->status != io_status::ready) return true;
    c.bytes_out += r->bytes;
    t.bytes_out += r->bytes;
    c.pending.erase(0, r->bytes);
  }
  return true;
}

/// Reads what the client sent; false when it is finished (failed, or closed with nothing left
/// to echo). A peer that closed with echo bytes still pending is kept until they are sent.
bool serve(const output& out, client& c, bool echo, totals& t, std::string_view& reason) {
  static char buf[65536];
  for (int rounds = 0; rounds < 16 && c.pending.size() < max_pending; ++rounds) {
    auto r = c.sock.recv(buf);
    if (!r) {
      emit_client_error(out, c, r.error());
      reason = "error";
      return false;
    }
    if (r->status == io_status::would_block) return true;
    if (r->status == io_status::closed) {
      c.peer_done = true;
      reason = "peer";
      return !c.pending.empty();
    }
    const std::string_view data(buf, r->bytes);
    c.bytes_in += data.size();
    t.bytes_in += data.size();
    json ev = c.about("data");
    ev.update(payload_json(data));
    out.event(ev, c.label() + ": " + payload_text(data));
    if (echo) {
      c.pending.append(data);
      if (!flush(out, c, t)) {
        reason = "error";
        return false;
      }
    }
  }
  return true;
}

int run(const tcp_listen_options& o, const output& out) {
  const target where = listen_target(o.args, o.v6 ? "::" : "0.0.0.0");
  socket_options so;
  so.backlog = o.backlog;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(where.address, so.prefer);
  check_not_group(where.address, "TCP");
  auto addrs = addresses_for(where.address, so.prefer, deadline_after(o.timeout));
  if (!addrs) {
    if (interrupted(addrs.error())) end_by_signal();
    out.failure(addrs.error());
    return 1;
  }
  auto listener = first_that_works(*addrs, [&](const std::string& addr) {
    return lsock::socket::bind(socket_type::tcp, addr, where.port, so);
  });
  if (!listener) {
    out.failure(with_address(listener.error(), where));
    return 1;
  }
  const unix_path_cleanup cleanup(where.address);
  install_stop_handlers();
  const auto start = now_ns();
  const auto deadline = deadline_after(o.timeout);
  if (auto local = listener->local_endpoint()) {
    json ev{{"event", "listening"}};
    ev.update(endpoint_json(*local));
    out.event(ev, "listening on " + local->to_string());
  }

  std::list<client> clients;
  totals t;
  selector sel;
  std::vector<int> read_fds;
  std::vector<int> write_fds;
  std::vector<client*> readers;
  std::vector<client*> writers;
  bool accepting = true;
  std::int64_t accept_paused_until = 0;
  std::string_view end_reason = "count";
  const int stdout_watch = stdout_watch_fd();
  for (;;) {
    if (o.count > 0 && t.connections >= o.count) accepting = false;
    if (!accepting && clients.empty()) break;
    read_fds.clear();
    write_fds.clear();
    readers.clear();
    writers.clear();
    const bool listen_now = accepting && now_ns() >= accept_paused_until;
    read_fds.push_back(listen_now ? listener->fd() : -1);
    for (client& c : clients) {
      if (!c.peer_done && c.pending.size() < max_pending) {
        read_fds.push_back(c.sock.fd());
        readers.push_back(&c);
      }
      if (!c.pending.empty()) {
        write_fds.push_back(c.sock.fd());
        writers.push_back(&c);
      }
    }
    // Last: stdout's reader going away ends the listener even while nothing happens.
    read_fds.push_back(stdout_watch);
    std::int64_t until = deadline;
    if (accepting && !listen_now && (until == 0 || accept_paused_until < until)) {
      until = accept_paused_until;
    }
    auto ready = wait_until(sel, read_fds, write_fds, until);
    if (!ready) {
      out.failure(ready.error());
      return 1;
    }
    if (!*ready) {
      if (stop_requested() || passed(deadline)) {
        end_reason = stop_requested() ? "signal" : "timeout";
        break;
      }
      continue;  // an accept pause ran out
    }
    std::vector<client*> finished;
    for (const std::size_t i : sel.ready_write()) {
      client* c = writers[i];
      if (!flush(out, *c, t)) {
        emit_closed(out, *c, "error");
        finished.push_back(c);
      } else if (c->peer_done && c->pending.empty()) {
        emit_closed(out, *c, "peer");
        finished.push_back(c);
      }
    }
    bool listener_ready = false;
    for (const std::size_t i : sel.ready_read()) {
      if (i == 0) {
        listener_ready = true;
        continue;
      }
      if (i == read_fds.size() - 1) stdout_reader_gone();
      client* c = readers[i - 1];
      if (std::find(finished.begin(), finished.end(), c) != finished.end()) continue;
      std::string_view reason;
      if (!serve(out, *c, o.echo, t, reason)) {
        emit_closed(out, *c, reason);
        finished.push_back(c);
      }
    }
    for (client* c : finished) {
      clients.remove_if([c](const client& x) { return &x == c; });
    }
    // Accept everything pending (bounded per round), up to --count.
    for (int n = 0; listener_ready && n < 64; ++n) {
      if (o.count > 0 && t.connections >= o.count) break;
      accepted conn;
      auto r = listener->accept(conn);
      if (!r) {
        // EMFILE and the like: say so, serve the clients we have, try again a little later.
        out.failure(r.error());
        accept_paused_until = now_ns() + accept_pause_ns;
        break;
      }
      if (*r != io_status::ready) break;
      ++t.connections;
      clients.push_back(
          client{std::move(conn.socket), conn.peer, {}, 0, 0, now_ns(), false, t.connections});
      out.event(clients.back().about("accepted"), "accepted " + clients.back().label());
    }
  }
  for (client& c : clients) emit_closed(out, c, end_reason);
  clients.clear();
  const double ms = elapsed_ms(start);
  out.event({{"event", "summary"},
             {"connections", t.connections},
             {"bytes_in", t.bytes_in},
             {"bytes_out", t.bytes_out},
             {"duration_ms", ms},
             {"reason", end_reason}},
            "summary: " + std::to_string(t.connections) + " connections, " +
                std::to_string(t.bytes_in) + " bytes in, " + std::to_string(t.bytes_out) +
                " out, " + ms_text(ms));
  // A timeout before --count connections were served means what was asked did not happen.
  if (end_reason == "timeout" && o.count > 0) {
    out.failure(library_error("accept", ETIMEDOUT,
                              "timed out after " + seconds_text(o.timeout) + " with " +
                                  std::to_string(t.connections) + " of " + std::to_string(o.count) +
                                  " connections"));
    return 1;
  }
  return 0;
}

}  // namespace

command register_tcp_listen(CLI::App& app) {
  auto opts = std::make_shared<tcp_listen_options>();
  CLI::App* sub = app.add_subcommand("tcp-listen", "Accept TCP connections and show their data");
  sub->footer(
      "ADDR defaults to 0.0.0.0 (:: with -6); a unix path or @name needs no PORT (a path is\n"
      "removed again on exit). PORT 0 picks a free port, reported in the 'listening' event.\n"
      "Runs until --count connections have been served and closed, --timeout passes, or\n"
      "Ctrl-C; then prints a summary (exit 0; 1 when --timeout came before --count).\n"
      "JSON Lines events: listening, accepted, data, closed, error, summary; every event about\n"
      "a client carries \"client\": 1, 2, ... in accept order. A client's error ends that\n"
      "client only (an error event, then closed with reason \"error\").\n"
      "Example: lsock tcp-listen 127.0.0.1 8000 --echo --count 1");
  sub->add_option("[ADDR] PORT", opts->args, "Address (default any) and port")
      ->required()
      ->expected(1, 2)
      ->type_name("");
  sub->add_flag("--echo", opts->echo, "Send received data back");
  add_count_option(*sub, opts->count, "Stop after N connections have been served");
  sub->add_option("--backlog", opts->backlog, "listen() backlog")
      ->check(whole_number(0, max_backlog))
      ->type_name("N")
      ->capture_default_str();
  add_timeout_option(*sub, opts->timeout, "Stop after S seconds (0: no limit)");
  add_family_flags(*sub, opts->v4, opts->v6, "IPv4 only (a host name's IPv4 address)",
                   "IPv6 only (default address ::)");
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
