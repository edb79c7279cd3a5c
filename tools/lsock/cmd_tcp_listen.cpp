// lsock tcp-listen [ADDR] PORT: accept clients, show what they send, optionally echo it.
// Many clients at once through one selector; JSON Lines events as things happen.

#include <algorithm>
#include <list>
#include <lsock/socket.hpp>

#include "commands.hpp"
#include "common.hpp"

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

struct client {
  lsock::socket sock;
  lsock::endpoint peer;
  std::string pending;  ///< echo bytes not yet accepted by the kernel
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  std::int64_t start_ns = 0;
};

struct totals {
  long long connections = 0;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
};

std::string peer_text(const client& c) { return c.peer.to_string(); }

void emit_closed(const output& out, const client& c, std::string_view reason) {
  const double ms = elapsed_ms(c.start_ns);
  out.event({{"event", "closed"},
             {"peer", endpoint_json(c.peer)},
             {"reason", reason},
             {"bytes_in", c.bytes_in},
             {"bytes_out", c.bytes_out},
             {"duration_ms", ms}},
            "closed " + peer_text(c) + " (" + std::string(reason) +
                "): " + std::to_string(c.bytes_in) + " bytes in, " + std::to_string(c.bytes_out) +
                " out, " + ms_text(ms));
}

/// Sends what is pending; false when the client is gone.
bool flush(const output& out, client& c, totals& t) {
  while (!c.pending.empty()) {
    auto r = c.sock.send(c.pending);
    if (!r) {
      out.failure(r.error(), true);
      return false;
    }
    if (r->status != io_status::ready) return true;
    c.bytes_out += r->bytes;
    t.bytes_out += r->bytes;
    c.pending.erase(0, r->bytes);
  }
  return true;
}

/// Reads what the client sent; false when it is finished (closed or failed).
bool serve(const output& out, client& c, bool echo, totals& t, std::string_view& reason) {
  static char buf[65536];
  for (int rounds = 0; rounds < 16; ++rounds) {  // bounded: others get their turn
    auto r = c.sock.recv(buf);
    if (!r) {
      out.failure(r.error(), true);
      reason = "error";
      return false;
    }
    if (r->status == io_status::would_block) return true;
    if (r->status == io_status::closed) {
      reason = "peer";
      return false;
    }
    const std::string_view data(buf, r->bytes);
    c.bytes_in += data.size();
    t.bytes_in += data.size();
    json ev{{"event", "data"}, {"peer", endpoint_json(c.peer)}};
    ev.update(payload_json(data));
    out.event(ev, peer_text(c) + ": " + payload_text(data));
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
  auto listener = lsock::socket::bind(socket_type::tcp, where.address, where.port, so);
  if (!listener) {
    out.failure(listener.error(), true);
    return 1;
  }
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
  std::string_view end_reason = "count";
  for (;;) {
    if (o.count > 0 && t.connections >= o.count) accepting = false;
    if (!accepting && clients.empty()) break;
    read_fds.clear();
    write_fds.clear();
    readers.clear();
    writers.clear();
    read_fds.push_back(accepting ? listener->fd() : -1);
    for (client& c : clients) {
      read_fds.push_back(c.sock.fd());
      readers.push_back(&c);
      if (!c.pending.empty()) {
        write_fds.push_back(c.sock.fd());
        writers.push_back(&c);
      }
    }
    auto ready = wait_until(sel, read_fds, write_fds, deadline);
    if (!ready) {
      out.failure(ready.error(), true);
      return 1;
    }
    if (!*ready) {
      end_reason = stop_requested() ? "signal" : "timeout";
      break;
    }
    std::vector<client*> finished;
    for (const std::size_t i : sel.ready_write()) {
      if (!flush(out, *writers[i], t)) {
        emit_closed(out, *writers[i], "error");
        finished.push_back(writers[i]);
      }
    }
    for (const std::size_t i : sel.ready_read()) {
      if (i == 0) continue;  // the listener, below
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
    for (int n = 0; accepting && n < 64; ++n) {
      if (o.count > 0 && t.connections >= o.count) break;
      accepted conn;
      auto r = listener->accept(conn);
      if (!r) {
        out.failure(r.error(), true);
        break;
      }
      if (*r != io_status::ready) break;
      ++t.connections;
      clients.push_back(client{std::move(conn.socket), conn.peer, {}, 0, 0, now_ns()});
      out.event({{"event", "accepted"}, {"peer", endpoint_json(conn.peer)}},
                "accepted " + conn.peer.to_string());
    }
  }
  for (client& c : clients) emit_closed(out, c, end_reason == "signal" ? "signal" : "timeout");
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
  return end_reason == "timeout" && o.count > 0 ? 1 : 0;
}

}  // namespace

command register_tcp_listen(CLI::App& app) {
  auto opts = std::make_shared<tcp_listen_options>();
  CLI::App* sub = app.add_subcommand("tcp-listen", "Accept TCP connections and show their data");
  sub->footer(
      "ADDR defaults to 0.0.0.0 (:: with -6); a unix path or @name needs no PORT.\n"
      "PORT 0 picks a free port (reported in the 'listening' event).\n"
      "Example: lsock tcp-listen 127.0.0.1 8000 --echo --count 1");
  sub->add_option("ADDR PORT", opts->args, "[ADDR] PORT")->required()->expected(1, 2);
  sub->add_flag("--echo", opts->echo, "Send received data back");
  sub->add_option("--count", opts->count, "Stop after N connections have been served")
      ->check(CLI::PositiveNumber);
  sub->add_option("--backlog", opts->backlog, "listen() backlog")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--timeout", opts->timeout, "Stop after SECONDS")->check(CLI::NonNegativeNumber);
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 only");
  sub->add_flag("-6", opts->v6, "IPv6 only")->excludes(v4);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
